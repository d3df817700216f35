import { Injectable } from '@nestjs/common';
import { cloudMapSelector, type CloudMapSelector } from '../../registry/cloud-map-selector.js';
import { RegistryEndpointsReader } from '../../registry/registry-endpoints.reader.js';
import type { SnapshotEndpoint } from '../snapshot/mesh-snapshot.js';
import { EndpointRegistry, type EndpointMeshRef } from './endpoint-registry.js';

/** A virtual node as the endpoint sources need it: its name and its App Mesh spec. */
export interface EndpointNode {
  readonly name: string;
  readonly spec: unknown;
}

/**
 * The endpoints of virtual nodes from both sources the control plane knows (ADR 0021):
 * - the service registry, for a node with `serviceDiscovery.awsCloudMap`: the instances of its
 *   service that carry all its attributes, with their health, zone and port;
 * - connected proxies of the node (ADR 0007), whatever its discovery.
 * A node's endpoints are the union, one per address and port (the registry's entry wins, it
 * carries a health status), sorted. The full compile (snapshot loader) and the endpoints fast
 * path both read through here, so the same state builds the same bytes.
 */
@Injectable()
export class NodeEndpoints {
  constructor(
    private readonly proxies: EndpointRegistry,
    private readonly registry: RegistryEndpointsReader,
  ) {}

  async read(
    mesh: EndpointMeshRef,
    meshSpec: unknown,
    nodes: readonly EndpointNode[],
  ): Promise<Record<string, SnapshotEndpoint[]>> {
    const selectors = new Map<string, CloudMapSelector>();
    for (const node of nodes) {
      const selector = cloudMapSelector(meshSpec, node.spec);
      if (selector) selectors.set(node.name, selector);
    }
    const [proxies, registered] = await Promise.all([
      this.proxies.read(
        mesh,
        nodes.map((n) => n.name),
      ),
      this.registry.read(mesh.tenantId, selectors),
    ]);
    const out: Record<string, SnapshotEndpoint[]> = {};
    for (const node of nodes) {
      const merged = mergeEndpoints(registered[node.name] ?? [], proxies[node.name] ?? []);
      if (merged.length > 0) out[node.name] = merged;
    }
    return out;
  }
}

/** One endpoint per address and port, the first list's first; sorted by address, then port. */
export function mergeEndpoints(
  preferred: readonly SnapshotEndpoint[],
  others: readonly SnapshotEndpoint[],
): SnapshotEndpoint[] {
  const byKey = new Map<string, SnapshotEndpoint>();
  // Sorted whole first: which of two entries at one address wins must not depend on read order.
  for (const e of [...[...preferred].sort(byAll), ...[...others].sort(byAll)]) {
    const key = `${e.address}|${e.port}`;
    if (!byKey.has(key)) byKey.set(key, e);
  }
  return [...byKey.values()].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : a.port - b.port));
}

const text = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const byAll = (a: SnapshotEndpoint, b: SnapshotEndpoint) =>
  text(a.address, b.address) ||
  a.port - b.port ||
  text(a.zone ?? '', b.zone ?? '') ||
  text(a.health ?? '', b.health ?? '');
