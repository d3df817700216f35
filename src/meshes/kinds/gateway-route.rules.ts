import { at, exactlyOne, type KindRules, type ReferenceTo } from '../resources/kind-rules.js';
import { routeTypeProblems } from './route-protocols.js';

const GATEWAY_ROUTE_MEMBERS = ['httpRoute', 'http2Route', 'grpcRoute'] as const;

/** Gateway routes: match requests arriving at a virtual gateway and send them to a virtual service. */
export const gatewayRouteRules: KindRules = {
  kind: 'gatewayRoute',
  apiName: 'GatewayRoute',
  nameMember: 'gatewayRouteName',
  parent: { kind: 'virtualGateway', nameMember: 'virtualGatewayName' },
  quota: { key: 'gatewayRoutesPerVirtualGateway', per: 'parent' },
  references(spec) {
    const refs: ReferenceTo[] = [];
    for (const member of GATEWAY_ROUTE_MEMBERS) {
      const name = at(spec, member, 'action', 'target', 'virtualService', 'virtualServiceName');
      if (typeof name === 'string') {
        refs.push({
          kind: 'virtualService',
          name,
          field: `spec.${member}.action.target.virtualService.virtualServiceName`,
        });
      }
    }
    return refs;
  },
  check(spec, { parentSpec }) {
    const { problems, member } = routeTypeProblems(spec, parentSpec, 'virtual gateway', GATEWAY_ROUTE_MEMBERS);
    if (member === undefined) return problems;
    const prefix = at(spec, member, 'match', 'prefix');
    if (typeof prefix === 'string' && !prefix.startsWith('/')) {
      problems.push(`spec.${member}.match.prefix: must start with /`);
    }
    problems.push(...exactlyOne(at(spec, member, 'match', 'path'), ['exact', 'regex'], `spec.${member}.match.path`));
    problems.push(
      ...exactlyOne(at(spec, member, 'match', 'hostname'), ['exact', 'suffix'], `spec.${member}.match.hostname`),
    );
    const rewritePrefix = at(spec, member, 'action', 'rewrite', 'prefix', 'value');
    if (typeof rewritePrefix === 'string' && !rewritePrefix.startsWith('/')) {
      problems.push(`spec.${member}.action.rewrite.prefix.value: must start with /`);
    }
    return problems;
  },
};
