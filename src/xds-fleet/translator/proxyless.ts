import { isIP } from 'node:net';
import type { MeshSnapshot, SnapshotEndpoint, SnapshotResource } from '../snapshot/mesh-snapshot.js';
import { arnMetadata, emptyResourceSet, type EnvoyResource, type ResourceSet, TYPE } from './envoy-types.js';
import { names } from './names.js';
import type { NodeListener, Protocol, VirtualNodeSpec } from './spec-types.js';

/**
 * Resources for proxyless gRPC clients (gRFC A27/A28; e.g. `@grpc/grpc-js-xds` with target
 * `xds:///<service>` or `xds:///<service>:<port>`), which speak xDS themselves instead of going
 * through an Envoy.
 *
 * One view, shared by every proxyless client of the mesh: what a client may see inside its mesh
 * does not depend on its identity (per-identity filtering is the xDS server's job). A client asks
 * for exactly what it needs by name — the Listener named like its target, then the route
 * configuration, clusters and endpoints that Listener leads to — so the view holds every virtual
 * service at once.
 *
 * What gRPC accepts is narrower than what Envoy accepts, and anything it rejects makes it NACK the
 * whole response:
 * - Listeners are API listeners (no address, no filter chains) whose HttpConnectionManager gets its
 *   routes over ADS and ends with the router filter.
 * - Clusters are EDS (`eds_config.ads`), round robin. Envoy's DNS clusters cannot be reused (gRPC
 *   rejects STRICT_DNS), so proxyless clusters have their own names, `cds_proxyless_…`.
 * - ClusterLoadAssignments hold IP addresses only, unique, and every locality has a `locality` and a
 *   `load_balancing_weight` (gRPC skips localities without a weight).
 * - Routes: gRPC reads `max_stream_duration` (not Envoy's `timeout`) as the request deadline, needs
 *   `retry_policy.num_retries` ≥ 1 and never sends a query string.
 *
 * Endpoints: proxyless clients connect to endpoints themselves, so they need endpoints the control
 * plane knows: `snapshot.endpoints[node]` (Cloud Map discovery, or whatever the reconciler resolved),
 * or a DNS hostname that is an IP literal. A node found by a DNS *name* the control plane has not
 * resolved gets a ClusterLoadAssignment with no endpoints (its clients fail with UNAVAILABLE until
 * endpoints are known); that is not a translation problem, since the name may be resolved later.
 * Active health checks, outlier detection and connection pools are not translated: gRPC does not
 * run health checks, and its outlier detection (success rate / failure percentage) has different
 * semantics from App Mesh's consecutive server errors.
 */
/** Proxyless views are per virtual service: a client of `xds:///<service>` needs exactly that one. */
export const PROXYLESS_VIEW_PREFIX = 'proxyless/';
export const proxylessViewName = (service: string) => `${PROXYLESS_VIEW_PREFIX}${service}`;

export const proxylessNames = {
  /** A27: the Listener is named exactly like the target's host[:port]. */
  listener: (service: string, port?: number) => (port === undefined ? service : `${service}:${port}`),
  routes: (listenerName: string) => `rds_proxyless_${listenerName}`,
  cluster: (mesh: string, node: string, protocol: string, port: number) =>
    `cds_proxyless_${mesh}_${node}_${protocol}_${port}`,
};

/** What the translator resolved for one port of a virtual service (its routes use egress cluster names). */
export interface ProxylessServicePort {
  readonly port: number;
  readonly protocol: Protocol;
  /** Routes in match order, as built for Envoy (`routes.ts`), targeting `cds_egress_…` clusters. */
  readonly routes: readonly EnvoyResource[];
}

const HTTP_FAMILY = new Set<Protocol>(['http', 'http2', 'grpc']);
const ADS = { ads: {}, resource_api_version: 'V3' } as const;
const ROUTER = { name: 'envoy.filters.http.router', typed_config: { '@type': TYPE.router } };

/**
 * Proxyless views, one per virtual service (any provider) with HTTP-family ports: an API Listener
 * `<service>` (the lowest such port) and `<service>:<port>` per port, each with its own route
 * configuration; the clusters those routes use and their endpoints. `servicePorts` is the
 * translator's own resolution of a service (router routes in priority order, weighted targets,
 * default retry policy and timeout), so Envoy and proxyless clients route alike. The returned
 * function builds one service's view; what all services share is computed once.
 */
export function proxylessTranslator(
  snapshot: MeshSnapshot,
  servicePorts: (service: SnapshotResource) => readonly ProxylessServicePort[],
): (service: SnapshotResource) => ResourceSet {
  const targets = egressTargets(snapshot);
  return (service) => {
    const set = emptyResourceSet();
    const ports = servicePorts(service)
      .filter((p) => HTTP_FAMILY.has(p.protocol))
      .sort((a, b) => a.port - b.port);
    const resolved = ports.map((p) => ({
      port: p.port,
      routes: p.routes.flatMap((r) => {
        const route = proxylessRoute(r, (egress) => {
          const target = targets.get(egress);
          if (!target) return undefined;
          const name = proxylessNames.cluster(snapshot.meshName, target.node.name, target.protocol, target.port);
          if (!set.clusters.has(name)) {
            set.clusters.set(name, proxylessCluster(name, target.node.arn));
            set.endpoints.set(name, proxylessAssignment(name, snapshot, target.node, target.port));
          }
          return name;
        });
        return route ? [route] : [];
      }),
    }));
    const first = resolved[0];
    if (first) addListener(set, service.name, proxylessNames.listener(service.name), first.routes);
    for (const { port, routes } of resolved) {
      addListener(set, service.name, proxylessNames.listener(service.name, port), routes);
    }
    return set;
  };
}

/** Every egress cluster name the translator can produce, and the node listener behind it. */
function egressTargets(
  snapshot: MeshSnapshot,
): Map<string, { node: SnapshotResource; protocol: Protocol; port: number }> {
  const targets = new Map<string, { node: SnapshotResource; protocol: Protocol; port: number }>();
  for (const node of snapshot.virtualNodes) {
    for (const listener of ((node.spec as VirtualNodeSpec).listeners ?? []) as readonly NodeListener[]) {
      const { port, protocol } = listener.portMapping;
      targets.set(names.egressCluster(snapshot.meshName, node.name, protocol, port), { node, protocol, port });
    }
  }
  return targets;
}

function addListener(set: ResourceSet, service: string, listenerName: string, routes: readonly EnvoyResource[]): void {
  const routeName = proxylessNames.routes(listenerName);
  set.listeners.set(listenerName, {
    name: listenerName,
    api_listener: {
      api_listener: {
        '@type': TYPE.httpConnectionManager,
        rds: { route_config_name: routeName, config_source: ADS },
        // The router must be the last HTTP filter, or gRPC NACKs the Listener.
        http_filters: [ROUTER],
      },
    },
  });
  set.routes.set(routeName, {
    name: routeName,
    virtual_hosts: [
      {
        name: listenerName,
        // A client matches the host[:port] of its target against these.
        domains: [...new Set([listenerName, service])],
        routes,
      },
    ],
  });
}

/**
 * An Envoy route (from `weightedRoute`) as a gRPC client should see it: clusters renamed to their
 * proxyless counterparts, the request timeout as `max_stream_duration` (what gRPC reads; 0s means
 * no deadline), no retry policy gRPC would reject (`num_retries` 0), and no route that matches on
 * query parameters (a gRPC request has none, so it could never match; gRPC ignores the matcher and
 * would match everything). Undefined when nothing is left to route to.
 */
function proxylessRoute(
  route: EnvoyResource,
  cluster: (egress: string) => string | undefined,
): EnvoyResource | undefined {
  const match = route['match'] as EnvoyResource | undefined;
  const action = route['route'] as EnvoyResource | undefined;
  if (!match || !action || match['query_parameters'] !== undefined) return undefined;
  const { cluster: single, weighted_clusters: weighted, retry_policy: retry, ...rest } = action;
  let target: EnvoyResource;
  if (typeof single === 'string') {
    const name = cluster(single);
    if (!name) return undefined;
    target = { cluster: name };
  } else {
    const clusters = (
      (weighted as { clusters?: readonly { name: string; weight: number }[] } | undefined)?.clusters ?? []
    ).flatMap((c) => {
      const name = cluster(c.name);
      return name && c.weight > 0 ? [{ name, weight: c.weight }] : [];
    });
    if (clusters.length === 0) return undefined;
    target = clusters.length === 1 ? { cluster: clusters[0]!.name } : { weighted_clusters: { clusters } };
  }
  const numRetries = (retry as { num_retries?: number } | undefined)?.num_retries;
  const timeout = rest['timeout'] as string | undefined;
  return {
    ...route,
    route: {
      ...target,
      ...rest,
      ...(timeout ? { max_stream_duration: { max_stream_duration: timeout } } : {}),
      ...(retry && (numRetries === undefined || numRetries >= 1) ? { retry_policy: retry } : {}),
    },
  };
}

function proxylessCluster(name: string, arn: string): EnvoyResource {
  return {
    name,
    type: 'EDS',
    eds_cluster_config: { eds_config: ADS },
    lb_policy: 'ROUND_ROBIN',
    metadata: arnMetadata(arn),
  };
}

/**
 * A target's endpoints as gRPC accepts them: IP addresses only, each address:port once, one
 * locality per zone (region from the snapshot), each with a weight (its number of endpoints).
 */
function proxylessAssignment(
  clusterName: string,
  snapshot: MeshSnapshot,
  node: SnapshotResource,
  port: number,
): EnvoyResource {
  const hostname = (node.spec as VirtualNodeSpec).serviceDiscovery?.dns?.hostname;
  return proxylessLoadAssignment(clusterName, snapshot.region, snapshot.endpoints[node.name] ?? [], port, hostname);
}

/**
 * The ClusterLoadAssignment of a proxyless cluster from a node's known endpoints (else its DNS
 * hostname when that is an IP address). Exported for the endpoints fast path, which rebuilds
 * assignments without translating the mesh.
 */
export function proxylessLoadAssignment(
  clusterName: string,
  region: string,
  known: readonly SnapshotEndpoint[],
  port: number,
  hostname: string | undefined,
): EnvoyResource {
  const endpoints: readonly SnapshotEndpoint[] =
    known.length > 0 ? known : hostname !== undefined && isIP(hostname) !== 0 ? [{ address: hostname, port }] : [];
  const byZone = new Map<string, Map<string, { address: string; port: number; health?: string }>>();
  for (const e of endpoints) {
    if (isIP(e.address) === 0) continue;
    const address = { address: e.address, port: e.port || port, ...(e.health ? { health: e.health } : {}) };
    const zone = e.zone ?? '';
    const seen = [...byZone.values()].some((z) => z.has(`${address.address}|${address.port}`));
    if (seen) continue;
    if (!byZone.has(zone)) byZone.set(zone, new Map());
    byZone.get(zone)!.set(`${address.address}|${address.port}`, address);
  }
  return {
    cluster_name: clusterName,
    endpoints: [...byZone]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([zone, list]) => ({
        locality: { region, ...(zone ? { zone } : {}) },
        load_balancing_weight: list.size,
        lb_endpoints: [...list.values()].map((a) => ({
          endpoint: { address: { socket_address: { address: a.address, port_value: a.port } } },
          ...(a.health ? { health_status: a.health } : {}),
        })),
      })),
  };
}
