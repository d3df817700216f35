import { isIP } from 'node:net';
import { Injectable } from '@nestjs/common';
import { EndpointRegistry } from '../xds-fleet/endpoints/endpoint-registry.js';
import { RegistryChanges } from '../xds-fleet/endpoints/registry-changes.listener.js';
import type { InstanceView } from './registry.views.js';

/**
 * The connected proxies of the virtual nodes that select a registry service, shown beside its
 * instances as read-only `source: proxy` entries: they are endpoints of those nodes too (ADR 0007,
 * ADR 0021), and an operator looking at a service wants to see every address its clients reach.
 * They live in Redis as long as their streams; the API can neither register nor remove them.
 *
 * Id: `proxy:<mesh>/<node>/<address>` (never a valid InstanceId to register: it names where the
 * entry comes from). Attributes: the address and zone as Cloud Map keys, plus the mesh and node.
 */
@Injectable()
export class ProxyInstances {
  constructor(
    private readonly changes: RegistryChanges,
    private readonly endpoints: EndpointRegistry,
  ) {}

  async list(tenantId: string, serviceId: string): Promise<InstanceView[]> {
    const nodes = await this.changes.selectingNodes(tenantId, [serviceId]);
    const out: InstanceView[] = [];
    for (const node of nodes) {
      const live = await this.endpoints.read({ tenantId, meshId: node.meshId }, [node.name]);
      for (const e of live[node.name] ?? []) {
        const v6 = isIP(e.address) === 6;
        out.push({
          instanceId: `proxy:${node.meshName}/${node.name}/${e.address}`,
          attributes: {
            [v6 ? 'AWS_INSTANCE_IPV6' : 'AWS_INSTANCE_IPV4']: e.address,
            ...(e.zone ? { AWS_INSTANCE_AVAILABILITY_ZONE: e.zone } : {}),
            MESHPLANE_MESH: node.meshName,
            MESHPLANE_VIRTUAL_NODE: node.name,
          },
          healthStatus: 'HEALTHY',
          source: 'proxy',
          ipv4: v6 ? null : e.address,
          ipv6: v6 ? e.address : null,
          port: null,
          zone: e.zone ?? null,
          updatedAt: null,
        });
      }
    }
    return out.sort((a, b) => (a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : 0));
  }
}
