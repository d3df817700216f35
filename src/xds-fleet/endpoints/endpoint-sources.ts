import { isIP } from 'node:net';
import type { AssignmentSource, EndpointSources, ViewManifest } from '../cache/compiled-mesh.js';
import type { EnvoyResource } from '../translator/envoy-types.js';
import { clusterLoadAssignment } from '../translator/clusters.js';
import { names } from '../translator/names.js';
import { proxylessLoadAssignment, proxylessNames } from '../translator/proxyless.js';
import type { NodeListener, VirtualNodeSpec } from '../translator/spec-types.js';
import type { MeshSnapshot, SnapshotEndpoint } from '../snapshot/mesh-snapshot.js';

/** A client policy's TLS variant of an egress cluster: `<base>_tls_<8 hex digits>` (see tls.ts). */
const TLS_VARIANT = /^(.+)_tls_[0-9a-f]{8}$/;

/** The sources of every ClusterLoadAssignment in a compile's views (all proxy-port variants). */
export function endpointSources(
  snapshot: MeshSnapshot,
  variants: Readonly<Record<string, Readonly<Record<string, ViewManifest>>>>,
): EndpointSources {
  const assignments = new Set<string>();
  for (const views of Object.values(variants)) {
    for (const view of Object.values(views)) for (const name of Object.keys(view.endpoints)) assignments.add(name);
  }
  return sourcesOf(snapshot, assignments);
}

/**
 * The sources of these ClusterLoadAssignments. Names follow the translator's: `cds_egress_…` for
 * Envoy's EDS clusters (and their TLS variants), `cds_proxyless_…` for proxyless ones. An
 * assignment whose name matches no node listener is left out (the fast path then leaves it as
 * compiled); the unit tests check that every assignment of the golden meshes is covered and
 * rebuilds identically.
 */
export function sourcesOf(snapshot: MeshSnapshot, assignmentNames: Iterable<string>): EndpointSources {
  const known = new Map<string, AssignmentSource>();
  for (const node of snapshot.virtualNodes) {
    const spec = node.spec as VirtualNodeSpec;
    const hostname = spec.serviceDiscovery?.dns?.hostname;
    const proxyless = { ...(hostname !== undefined && isIP(hostname) !== 0 ? { hostname } : {}) };
    for (const listener of (spec.listeners ?? []) as readonly NodeListener[]) {
      const { port, protocol } = listener.portMapping;
      known.set(names.egressCluster(snapshot.meshName, node.name, protocol, port), { node: node.name, port });
      known.set(proxylessNames.cluster(snapshot.meshName, node.name, protocol, port), {
        node: node.name,
        port,
        proxyless,
      });
    }
  }
  const assignments: Record<string, AssignmentSource> = {};
  for (const name of assignmentNames) {
    const tlsBase = TLS_VARIANT.exec(name)?.[1];
    const variantOf = tlsBase === undefined ? undefined : known.get(tlsBase);
    const source = known.get(name) ?? (variantOf?.proxyless ? undefined : variantOf);
    if (source) assignments[name] = source;
  }
  return { region: snapshot.region, assignments };
}

/** The ClusterLoadAssignment `name` as the translator builds it from `endpoints`. */
export function buildAssignment(
  name: string,
  source: AssignmentSource,
  region: string,
  endpoints: readonly SnapshotEndpoint[],
): EnvoyResource {
  return source.proxyless
    ? proxylessLoadAssignment(name, region, endpoints, source.port, source.proxyless.hostname)
    : clusterLoadAssignment(name, endpoints, source.port);
}
