import { at, exactlyOne, list, type KindRules, type ReferenceTo } from '../resources/kind-rules.js';
import { routeTypeProblems } from './route-protocols.js';

const ROUTE_MEMBERS = ['httpRoute', 'http2Route', 'grpcRoute', 'tcpRoute'] as const;

/** Routes: match requests arriving at a virtual router and send them to weighted virtual nodes. */
export const routeRules: KindRules = {
  kind: 'route',
  apiName: 'Route',
  nameMember: 'routeName',
  parent: { kind: 'virtualRouter', nameMember: 'virtualRouterName' },
  quota: { key: 'routesPerVirtualRouter', per: 'parent' },
  references(spec) {
    const refs: ReferenceTo[] = [];
    for (const member of ROUTE_MEMBERS) {
      list(at(spec, member, 'action', 'weightedTargets')).forEach((target, i) => {
        const name = at(target, 'virtualNode');
        if (typeof name === 'string') {
          refs.push({ kind: 'virtualNode', name, field: `spec.${member}.action.weightedTargets[${i}].virtualNode` });
        }
      });
    }
    return refs;
  },
  check(spec, { parentSpec, quotas }) {
    const { problems, member } = routeTypeProblems(spec, parentSpec, 'virtual router', ROUTE_MEMBERS);
    if (member === undefined) return problems;
    const targets = list(at(spec, member, 'action', 'weightedTargets'));
    if (targets.length > quotas.weightedTargetsPerRoute) {
      problems.push(
        `spec.${member}.action.weightedTargets: at most ${quotas.weightedTargetsPerRoute} targets per route`,
      );
    }
    if (targets.length > 0 && targets.every((t) => at(t, 'weight') === 0)) {
      problems.push(`spec.${member}.action.weightedTargets: at least one target needs a weight above 0`);
    }
    const prefix = at(spec, member, 'match', 'prefix');
    if (typeof prefix === 'string' && !prefix.startsWith('/')) {
      problems.push(`spec.${member}.match.prefix: must start with /`);
    }
    if (
      member === 'grpcRoute' &&
      at(spec, member, 'match', 'methodName') !== undefined &&
      at(spec, member, 'match', 'serviceName') === undefined
    ) {
      problems.push('spec.grpcRoute.match.serviceName: is required when methodName is set');
    }
    return problems;
  },
};
