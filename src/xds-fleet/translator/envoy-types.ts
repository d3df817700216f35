/**
 * Envoy v3 resources as plain JSON-shaped objects (proto3 JSON field names, `@type` on every
 * `Any`). That is the form Envoy accepts in YAML/JSON, the form the golden files show, and the
 * form protobufjs encodes from.
 */
export type EnvoyResource = { readonly [field: string]: unknown };

export const TYPE = {
  listener: 'type.googleapis.com/envoy.config.listener.v3.Listener',
  routeConfiguration: 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
  cluster: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
  clusterLoadAssignment: 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
  secret: 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret',
  httpConnectionManager:
    'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
  tcpProxy: 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy',
  router: 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router',
  originalDst: 'type.googleapis.com/envoy.extensions.filters.listener.original_dst.v3.OriginalDst',
  httpInspector: 'type.googleapis.com/envoy.extensions.filters.listener.http_inspector.v3.HttpInspector',
  httpProtocolOptions: 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
  fileAccessLog: 'type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog',
} as const;

/** The five resource collections of a proxy's configuration, each by resource name. */
export interface ResourceSet {
  readonly listeners: Map<string, EnvoyResource>;
  readonly routes: Map<string, EnvoyResource>;
  readonly clusters: Map<string, EnvoyResource>;
  readonly endpoints: Map<string, EnvoyResource>;
  readonly secrets: Map<string, EnvoyResource>;
}

export const RESOURCE_KINDS = ['listeners', 'routes', 'clusters', 'endpoints', 'secrets'] as const;
export type ResourceKindName = (typeof RESOURCE_KINDS)[number];

export function emptyResourceSet(): ResourceSet {
  return { listeners: new Map(), routes: new Map(), clusters: new Map(), endpoints: new Map(), secrets: new Map() };
}

/**
 * One filter chain of a listener. Shared by listeners.ts (which builds chains) and tls.ts (which
 * secures them), so neither imports the other for it.
 */
export interface FilterChain {
  readonly name: string;
  readonly filter_chain_match?: EnvoyResource;
  readonly filters: readonly EnvoyResource[];
  /** TLS on this chain (tls.ts); none: plaintext. */
  readonly transport_socket?: EnvoyResource;
}

/** Where every generated resource came from: the ARN of the App Mesh object behind it. */
export function arnMetadata(arn: string): EnvoyResource {
  return { filter_metadata: { meshplane: { arn } } };
}

/** An App Mesh Duration ({value, unit: s|ms}) as a protobuf Duration string, e.g. "1.500s". */
export function duration(d: { value?: number; unit?: string } | undefined): string | undefined {
  if (d?.value === undefined) return undefined;
  const seconds = d.unit === 'ms' ? d.value / 1000 : d.value;
  return `${Number(seconds.toFixed(9))}s`;
}
