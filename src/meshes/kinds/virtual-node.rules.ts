import { accessLogProblems, at, duplicates, list, listenerProblems, type KindRules } from '../resources/kind-rules.js';

/** Virtual nodes: listeners, backends, service discovery, TLS, logging. */
export const virtualNodeRules: KindRules = {
  kind: 'virtualNode',
  apiName: 'VirtualNode',
  nameMember: 'virtualNodeName',
  quota: { key: 'virtualNodesPerMesh', per: 'mesh' },
  // Backends may name virtual services created later (App Mesh allows it), so they are not references.
  references: () => [],
  check(spec, { quotas }) {
    const listeners = list(at(spec, 'listeners'));
    const backends = list(at(spec, 'backends'));
    const problems = duplicates(
      listeners.map((l, i) => ({
        value: at(l, 'portMapping', 'port'),
        field: `spec.listeners[${i}].portMapping.port`,
      })),
      'each listener needs its own port',
    );
    problems.push(
      ...duplicates(
        backends.map((b, i) => ({
          value: at(b, 'virtualService', 'virtualServiceName'),
          field: `spec.backends[${i}].virtualService.virtualServiceName`,
        })),
        'each backend must name a different virtual service',
      ),
    );
    if (backends.length > quotas.backendsPerVirtualNode) {
      problems.push(`spec.backends: at most ${quotas.backendsPerVirtualNode} backends per virtual node on this plan`);
    }
    listeners.forEach((l, i) => problems.push(...listenerProblems(l, `spec.listeners[${i}]`)));
    problems.push(...accessLogProblems(spec));
    // The model's documentation: "If you specify a listener, then you must specify service discovery information."
    if (listeners.length > 0 && at(spec, 'serviceDiscovery') === undefined) {
      problems.push(
        'spec.serviceDiscovery: is required when the virtual node has listeners (other proxies must find it)',
      );
    }
    return problems;
  },
};
