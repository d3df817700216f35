import { accessLogProblems, at, duplicates, list, listenerProblems, type KindRules } from '../resources/kind-rules.js';

/** Virtual gateways: ingress listeners for traffic entering the mesh. */
export const virtualGatewayRules: KindRules = {
  kind: 'virtualGateway',
  apiName: 'VirtualGateway',
  nameMember: 'virtualGatewayName',
  quota: { key: 'virtualGatewaysPerMesh', per: 'mesh' },
  references: () => [],
  check(spec) {
    const listeners = list(at(spec, 'listeners'));
    const problems = duplicates(
      listeners.map((l, i) => ({
        value: at(l, 'portMapping', 'port'),
        field: `spec.listeners[${i}].portMapping.port`,
      })),
      'each listener needs its own port',
    );
    listeners.forEach((l, i) => problems.push(...listenerProblems(l, `spec.listeners[${i}]`)));
    problems.push(...accessLogProblems(spec));
    return problems;
  },
};
