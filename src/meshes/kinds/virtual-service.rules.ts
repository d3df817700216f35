import { at, type KindRules, type ReferenceTo } from '../resources/kind-rules.js';

/** Virtual services: a name clients call, provided by a virtual node or a virtual router. */
export const virtualServiceRules: KindRules = {
  kind: 'virtualService',
  apiName: 'VirtualService',
  nameMember: 'virtualServiceName',
  quota: { key: 'virtualServicesPerMesh', per: 'mesh' },
  hostNames: true,
  references(spec) {
    const refs: ReferenceTo[] = [];
    const node = at(spec, 'provider', 'virtualNode', 'virtualNodeName');
    const router = at(spec, 'provider', 'virtualRouter', 'virtualRouterName');
    if (typeof node === 'string')
      refs.push({ kind: 'virtualNode', name: node, field: 'spec.provider.virtualNode.virtualNodeName' });
    if (typeof router === 'string') {
      refs.push({ kind: 'virtualRouter', name: router, field: 'spec.provider.virtualRouter.virtualRouterName' });
    }
    return refs;
  },
  check: () => [],
};
