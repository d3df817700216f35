import { duplicates, listenerPorts, type KindRules } from '../resources/kind-rules.js';

/** Virtual routers: listeners whose traffic the router's routes distribute. */
export const virtualRouterRules: KindRules = {
  kind: 'virtualRouter',
  apiName: 'VirtualRouter',
  nameMember: 'virtualRouterName',
  quota: { key: 'virtualRoutersPerMesh', per: 'mesh' },
  references: () => [],
  check: (spec) =>
    duplicates(
      listenerPorts(spec).map((l, i) => ({ value: l.port, field: `spec.listeners[${i}].portMapping.port` })),
      'each listener needs its own port',
    ),
};
