import type { SnapshotEndpoint, SnapshotResource } from '../snapshot/mesh-snapshot.js';
import { arnMetadata, duration, type EnvoyResource, TYPE } from './envoy-types.js';
import { names } from './names.js';
import type { NodeListener, Protocol, VirtualNodeSpec } from './spec-types.js';
import { defaultUpstreamTls } from './tls.js';

/** How long a new upstream connection may take. App Mesh did not expose it; one second is Envoy's usual. */
const CONNECT_TIMEOUT = '1s';
const ADS = { ads: {}, resource_api_version: 'V3' } as const;

/**
 * Envoy's DNS lookup family for an App Mesh IP preference (the node's, else the mesh's). With none
 * set, App Mesh's documented default applies: Envoy prefers IPv6 and falls back to IPv4 (see
 * docs/adr/0014-default-ip-preference.md). For one logical address (LOADBALANCER, LOGICAL_DNS)
 * that is `ALL`: every address is resolved and connections use Happy Eyeballs, IPv6 first, so a
 * name such as `localhost` (::1 and 127.0.0.1) still reaches an IPv4-only upstream; `AUTO` would
 * take the IPv6 answer alone and never try IPv4. With ENDPOINTS (STRICT_DNS) every address is an
 * endpoint of its own, with no fallback between them, so the preference applies to the lookup.
 */
function dnsLookupFamily(preference: string | undefined, type: 'LOGICAL_DNS' | 'STRICT_DNS'): string {
  switch (preference) {
    case 'IPv4_ONLY':
      return 'V4_ONLY';
    case 'IPv6_ONLY':
      return 'V6_ONLY';
    case 'IPv4_PREFERRED':
      return 'V4_PREFERRED';
    default: // IPv6_PREFERRED, or none set
      return type === 'LOGICAL_DNS' ? 'ALL' : 'AUTO';
  }
}

function http2Options(protocol: Protocol): EnvoyResource | undefined {
  if (protocol !== 'http2' && protocol !== 'grpc') return undefined;
  return {
    'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
      '@type': TYPE.httpProtocolOptions,
      explicit_http_config: { http2_protocol_options: {} },
    },
  };
}

function staticAssignment(clusterName: string, address: string, port: number): EnvoyResource {
  return {
    cluster_name: clusterName,
    endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address, port_value: port } } } }] }],
  };
}

/**
 * The local application behind one listener of a virtual node, on 127.0.0.1. App Mesh applied a
 * listener's connection pool here, on the destination side, as circuit breakers.
 */
export function ingressCluster(meshName: string, node: SnapshotResource, listener: NodeListener): EnvoyResource {
  const { port, protocol } = listener.portMapping;
  const name = names.ingressCluster(meshName, node.name, protocol, port);
  const pool = listener.connectionPool;
  const thresholds = pool
    ? {
        ...(pool.http
          ? {
              max_connections: pool.http.maxConnections,
              ...(pool.http.maxPendingRequests === undefined
                ? {}
                : { max_pending_requests: pool.http.maxPendingRequests }),
            }
          : {}),
        ...(pool.http2 ? { max_requests: pool.http2.maxRequests } : {}),
        ...(pool.grpc ? { max_requests: pool.grpc.maxRequests } : {}),
        ...(pool.tcp ? { max_connections: pool.tcp.maxConnections } : {}),
      }
    : undefined;
  const options = http2Options(protocol);
  return {
    name,
    type: 'STATIC',
    connect_timeout: CONNECT_TIMEOUT,
    load_assignment: staticAssignment(name, '127.0.0.1', port),
    ...(thresholds ? { circuit_breakers: { thresholds: [thresholds] } } : {}),
    ...(options ? { typed_extension_protocol_options: options } : {}),
    metadata: arnMetadata(node.arn),
  };
}

/**
 * One listener of a target virtual node, as its clients see it. Health checks and outlier
 * detection run here, in every client (App Mesh's model). DNS discovery lets Envoy resolve
 * (LOADBALANCER: one address, LOGICAL_DNS; ENDPOINTS: all addresses, STRICT_DNS); Cloud Map
 * discovery becomes EDS, fed with the endpoints the control plane knows.
 */
export function egressCluster(
  meshName: string,
  node: SnapshotResource,
  listener: NodeListener,
  meshIpPreference: string | undefined,
): EnvoyResource | string {
  const spec = node.spec as VirtualNodeSpec;
  const { port, protocol } = listener.portMapping;
  const name = names.egressCluster(meshName, node.name, protocol, port);
  const base: Record<string, unknown> = { name, connect_timeout: CONNECT_TIMEOUT, metadata: arnMetadata(node.arn) };
  const dns = spec.serviceDiscovery?.dns;
  if (dns) {
    const type = dns.responseType === 'ENDPOINTS' ? 'STRICT_DNS' : 'LOGICAL_DNS';
    base['type'] = type;
    base['dns_lookup_family'] = dnsLookupFamily(dns.ipPreference ?? meshIpPreference, type);
    base['load_assignment'] = staticAssignment(name, dns.hostname, port);
  } else if (spec.serviceDiscovery?.awsCloudMap) {
    base['type'] = 'EDS';
    base['eds_cluster_config'] = { eds_config: ADS };
  } else {
    return `virtual node ${node.name} has no service discovery, so its clients cannot reach it`;
  }
  const options = http2Options(protocol);
  if (options) base['typed_extension_protocol_options'] = options;
  // A listener in STRICT or PERMISSIVE mode is reached over TLS; a client policy's checks go on a variant.
  const tls = defaultUpstreamTls(listener);
  if (tls) base['transport_socket'] = tls;
  const check = listener.healthCheck;
  if (check) {
    base['health_checks'] = [
      {
        timeout: duration({ value: check.timeoutMillis, unit: 'ms' }),
        interval: duration({ value: check.intervalMillis, unit: 'ms' }),
        healthy_threshold: check.healthyThreshold,
        unhealthy_threshold: check.unhealthyThreshold,
        ...(check.protocol === 'grpc'
          ? { grpc_health_check: {} }
          : check.protocol === 'tcp'
            ? { tcp_health_check: {} }
            : {
                http_health_check: {
                  path: check.path ?? '/',
                  ...(check.protocol === 'http2' ? { codec_client_type: 'HTTP2' } : {}),
                },
              }),
      },
    ];
  }
  const outlier = listener.outlierDetection;
  if (outlier) {
    base['outlier_detection'] = {
      consecutive_5xx: outlier.maxServerErrors,
      interval: duration(outlier.interval),
      base_ejection_time: duration(outlier.baseEjectionDuration),
      max_ejection_percent: outlier.maxEjectionPercent,
    };
  }
  return base;
}

/**
 * An egress cluster with another transport socket, under its own name (a client policy's TLS
 * variant, named by `tlsVariantName`); a static load assignment follows the name.
 */
export function egressClusterVariant(
  cluster: EnvoyResource,
  name: string,
  transportSocket: EnvoyResource,
): EnvoyResource {
  const assignment = cluster['load_assignment'] as EnvoyResource | undefined;
  return {
    ...cluster,
    name,
    ...(assignment ? { load_assignment: { ...assignment, cluster_name: name } } : {}),
    transport_socket: transportSocket,
  };
}

/** The EDS answer for a Cloud Map discovered target: the endpoints the control plane knows, by zone. */
export function clusterLoadAssignment(
  clusterName: string,
  endpoints: readonly SnapshotEndpoint[],
  port: number,
): EnvoyResource {
  const byZone = new Map<string, SnapshotEndpoint[]>();
  for (const e of endpoints) byZone.set(e.zone ?? '', [...(byZone.get(e.zone ?? '') ?? []), e]);
  return {
    cluster_name: clusterName,
    endpoints: [...byZone].map(([zone, list]) => ({
      ...(zone ? { locality: { zone } } : {}),
      load_balancing_weight: list.length,
      lb_endpoints: list.map((e) => ({
        endpoint: { address: { socket_address: { address: e.address, port_value: e.port || port } } },
        ...(e.health ? { health_status: e.health } : {}),
      })),
    })),
  };
}

/** Egress to anything outside the mesh, for meshes whose egress filter is ALLOW_ALL. */
export function allowAllCluster(meshName: string, meshArn: string): EnvoyResource {
  return {
    name: names.allowAllCluster(meshName),
    type: 'ORIGINAL_DST',
    lb_policy: 'CLUSTER_PROVIDED',
    connect_timeout: CONNECT_TIMEOUT,
    metadata: arnMetadata(meshArn),
  };
}
