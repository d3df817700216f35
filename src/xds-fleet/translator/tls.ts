import { createHash } from 'node:crypto';
import type {
  ClientPolicyTls,
  ClientTlsCertificate,
  ListenerTls,
  ListenerTlsCertificate,
  ListenerTlsValidationContext,
  TlsValidationContext,
  VirtualServiceBackend,
} from '../../meshes/api-model/generated/app-mesh-types.js';
import type { EnvoyResource, FilterChain } from './envoy-types.js';
import type { NodeListener, Protocol, VirtualNodeSpec } from './spec-types.js';

/**
 * App Mesh TLS as Envoy TLS.
 *
 * Listener side: a listener's `tls` becomes a `DownstreamTlsContext` on its ingress filter chain.
 * STRICT: that chain only. PERMISSIVE: a chain matching `transport_protocol: tls` (the listener
 * gets a TLS inspector) plus the plaintext chain. DISABLED: plaintext. `validation` requires and
 * verifies a client certificate (mTLS). A certificate that cannot be had here (ACM) leaves the
 * listener out, with a problem: a listener is never served in plaintext instead of TLS.
 *
 * Client side: a backend's client policy (else the node's `backendDefaults`), when enforced and
 * covering the target listener's port, gives the target's egress cluster an `UpstreamTlsContext`
 * that verifies the server (trust + SANs; without SANs, App Mesh's rule: the target's service
 * discovery name) and presents the policy's certificate, if any. Without a client policy, a target
 * listener in STRICT or PERMISSIVE mode is still reached over TLS, unverified — App Mesh did the same
 * for file and SDS certificates.
 *
 * Naming (clusters are shared across proxies, client policies are per node): the shared cluster
 * keeps App Mesh's name, `cds_egress_<mesh>_<node>_<proto>_<port>`, and carries what every client
 * gets (plaintext, or unverified TLS to a TLS listener). A client policy's cluster is a variant
 * named `<that name>_tls_<h>`, `h` the first 8 hex digits of the SHA-256 of its transport socket's
 * JSON: proxies with the same effective TLS settings share it, different settings never collide,
 * and the name is stable across translations.
 *
 * Certificates come from files on the proxy's host (`filename` data sources) or from a local SDS
 * agent (SPIRE, App Mesh's tested provider) over a Unix socket: secrets are requested by name with
 * `sds_config` → `api_config_source` GRPC → cluster `static_cluster_sds_unix_socket`. The control
 * plane does not serve secrets (the `secrets` collection stays empty), so THE BOOTSTRAP OF A PROXY
 * USING SDS MUST DEFINE THAT CLUSTER (see `sdsCluster`; App Mesh's agent added it when
 * APPMESH_SDS_SOCKET_PATH was set). `staticBootstrap` adds it when a view refers to it.
 */

export const TLS_TYPE = {
  downstream: 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext',
  upstream: 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
  tlsInspector: 'type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector',
  httpProtocolOptions: 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
} as const;

/** The static cluster, to the local SDS agent's Unix socket, that SDS secret references use (App Mesh's name). */
export const SDS_CLUSTER = 'static_cluster_sds_unix_socket';
/** Where the SPIRE agent's socket is by default (the App Mesh controller's default too). */
export const DEFAULT_SDS_SOCKET_PATH = '/run/spire/sockets/agent.sock';

const SDS_CONFIG = {
  resource_api_version: 'V3',
  api_config_source: {
    api_type: 'GRPC',
    transport_api_version: 'V3',
    grpc_services: [{ envoy_grpc: { cluster_name: SDS_CLUSTER } }],
  },
} as const;

/** The cluster a bootstrap must define for SDS secret references: HTTP/2 (gRPC) to the agent's Unix socket. */
export function sdsCluster(socketPath: string = DEFAULT_SDS_SOCKET_PATH): EnvoyResource {
  return {
    name: SDS_CLUSTER,
    type: 'STATIC',
    connect_timeout: '1s',
    load_assignment: {
      cluster_name: SDS_CLUSTER,
      endpoints: [{ lb_endpoints: [{ endpoint: { address: { pipe: { path: socketPath } } } }] }],
    },
    typed_extension_protocol_options: {
      'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
        '@type': TLS_TYPE.httpProtocolOptions,
        explicit_http_config: { http2_protocol_options: {} },
      },
    },
  };
}

/** Whether any of these resources requests secrets from the local SDS agent (so the bootstrap needs `sdsCluster`). */
export function usesLocalSds(resources: readonly EnvoyResource[]): boolean {
  return JSON.stringify(resources).includes(`"cluster_name":"${SDS_CLUSTER}"`);
}

function sdsSecret(name: string): EnvoyResource {
  return { name, sds_config: SDS_CONFIG };
}

function transportSocket(type: string, config: EnvoyResource): EnvoyResource {
  return { name: 'envoy.transport_sockets.tls', typed_config: { '@type': type, ...config } };
}

/** ALPN, so HTTP/2 and gRPC peers (Envoy or not) agree on the protocol inside TLS. */
function alpn(protocol: Protocol, side: 'downstream' | 'upstream'): EnvoyResource {
  if (protocol === 'tcp') return {};
  if (side === 'downstream') return { alpn_protocols: ['h2', 'http/1.1'] };
  return { alpn_protocols: [protocol === 'http' ? 'http/1.1' : 'h2'] };
}

/** A certificate (and its key) to present, as `common_tls_context` members; a string when it cannot be had here. */
function certificate(cert: ListenerTlsCertificate | ClientTlsCertificate): EnvoyResource | string {
  if (cert.file) {
    return {
      tls_certificates: [
        {
          certificate_chain: { filename: cert.file.certificateChain },
          private_key: { filename: cert.file.privateKey },
        },
      ],
    };
  }
  if (cert.sds) return { tls_certificate_sds_secret_configs: [sdsSecret(cert.sds.secretName)] };
  const acm = (cert as ListenerTlsCertificate).acm;
  if (acm) {
    return `the ACM certificate ${acm.certificateArn} is not available outside AWS: use a file or SDS certificate`;
  }
  return 'the TLS certificate has no source';
}

/**
 * A SAN matcher. App Mesh's `exact` SANs matched any SAN type; Envoy's typed matchers need one:
 * URIs (SPIFFE IDs, `scheme://…`) match URI SANs, anything else DNS SANs.
 */
function sanMatcher(san: string): EnvoyResource {
  return { san_type: /^[a-z][a-z0-9+.-]*:\/\//i.test(san) ? 'URI' : 'DNS', matcher: { exact: san } };
}

/** How to verify the peer, as `common_tls_context` members; a string when the trust cannot be had here. */
function validation(
  context: TlsValidationContext | ListenerTlsValidationContext,
  defaultSans: readonly string[] = [],
): EnvoyResource | string {
  const sans = context.subjectAlternativeNames?.match.exact ?? defaultSans;
  const matchers = sans.length ? { match_typed_subject_alt_names: sans.map(sanMatcher) } : {};
  const trust = context.trust;
  if (trust.file) return { validation_context: { trusted_ca: { filename: trust.file.certificateChain }, ...matchers } };
  if (trust.sds) {
    return {
      combined_validation_context: {
        default_validation_context: matchers,
        validation_context_sds_secret_config: sdsSecret(trust.sds.secretName),
      },
    };
  }
  const acm = (trust as TlsValidationContext['trust']).acm;
  if (acm) {
    return `ACM Private CA trust (${acm.certificateAuthorityArns.join(', ')}) is not available outside AWS: use a file or SDS trust`;
  }
  return 'the TLS validation has no trust';
}

// --- listener side ---------------------------------------------------------------------------

/** What a listener's TLS asks of its filter chain: nothing (plaintext), or a TLS context in one mode. */
export type ListenerTlsPlan =
  undefined | { readonly mode: 'STRICT' | 'PERMISSIVE'; readonly transportSocket: EnvoyResource };

/**
 * A listener's TLS, ready to attach to its filter chain; a string (the problem) when the listener
 * must be left out because its TLS cannot be honoured.
 */
export function listenerTls(listener: {
  readonly portMapping: { readonly port: number; readonly protocol: Protocol };
  readonly tls?: ListenerTls;
}): ListenerTlsPlan | string {
  const tls = listener.tls;
  if (!tls || tls.mode === 'DISABLED') return undefined;
  const { port, protocol } = listener.portMapping;
  const cert = certificate(tls.certificate);
  const verify = tls.validation ? validation(tls.validation) : {};
  const failure = typeof cert === 'string' ? cert : typeof verify === 'string' ? verify : undefined;
  if (failure !== undefined) {
    return `listener ${protocol}:${port} (TLS ${tls.mode}): ${failure}; the listener is left out rather than served without TLS`;
  }
  return {
    mode: tls.mode,
    transportSocket: transportSocket(TLS_TYPE.downstream, {
      common_tls_context: { ...alpn(protocol, 'downstream'), ...(cert as EnvoyResource), ...(verify as EnvoyResource) },
      ...(tls.validation ? { require_client_certificate: true } : {}),
    }),
  };
}

/** A listener's filter chain with its TLS: STRICT, one TLS chain; PERMISSIVE, a TLS chain then the plaintext one. */
export function secureChains(chain: FilterChain, plan: ListenerTlsPlan): FilterChain[] {
  if (!plan) return [chain];
  if (plan.mode === 'STRICT') return [{ ...chain, transport_socket: plan.transportSocket }];
  return [
    {
      name: `${chain.name}_tls`,
      filter_chain_match: { ...chain.filter_chain_match, transport_protocol: 'tls' },
      filters: chain.filters,
      transport_socket: plan.transportSocket,
    },
    chain,
  ];
}

// --- client side -----------------------------------------------------------------------------

/**
 * The TLS client policy a node applies to one backend: the backend's own, else the node's
 * `backendDefaults`; none when it is not enforced (`enforce` defaults to true).
 */
export function clientPolicyTls(spec: VirtualNodeSpec, backend: VirtualServiceBackend): ClientPolicyTls | undefined {
  const tls = backend.clientPolicy?.tls ?? spec.backendDefaults?.clientPolicy?.tls;
  return tls && tls.enforce !== false ? tls : undefined;
}

/** Whether a client policy applies to connections to a target port (no `ports`: every port). */
export function policyCovers(policy: ClientPolicyTls, port: number): boolean {
  return !policy.ports?.length || policy.ports.includes(port);
}

/** The name the target's certificate must carry when a client policy lists no SANs (App Mesh's rule). */
function discoveryNames(spec: VirtualNodeSpec): string[] {
  const discovery = spec.serviceDiscovery;
  if (discovery?.dns) return [discovery.dns.hostname];
  if (discovery?.awsCloudMap) return [`${discovery.awsCloudMap.serviceName}.${discovery.awsCloudMap.namespaceName}`];
  return [];
}

/**
 * The transport socket every client gets to `listener` (no client policy): unverified TLS when the
 * listener requires or offers TLS, else none (plaintext).
 */
export function defaultUpstreamTls(listener: NodeListener): EnvoyResource | undefined {
  const mode = listener.tls?.mode;
  if (mode !== 'STRICT' && mode !== 'PERMISSIVE') return undefined;
  return transportSocket(TLS_TYPE.upstream, { common_tls_context: alpn(listener.portMapping.protocol, 'upstream') });
}

/**
 * The transport socket of an egress cluster to `listener` of the node `spec` under a client
 * policy: verified TLS, plus the client certificate. A string when the policy cannot be honoured.
 */
export function policyUpstreamTls(
  spec: VirtualNodeSpec,
  listener: NodeListener,
  policy: ClientPolicyTls,
): EnvoyResource | string {
  const cert = policy.certificate ? certificate(policy.certificate) : {};
  if (typeof cert === 'string') return `client policy: ${cert}`;
  const verify = validation(policy.validation, discoveryNames(spec));
  if (typeof verify === 'string') return `client policy: ${verify}`;
  return transportSocket(TLS_TYPE.upstream, {
    common_tls_context: { ...alpn(listener.portMapping.protocol, 'upstream'), ...cert, ...verify },
  });
}

/** The name of a cluster's TLS variant: `<base>_tls_<first 8 hex digits of SHA-256(transport socket JSON)>`. */
export function tlsVariantName(base: string, socket: EnvoyResource): string {
  return `${base}_tls_${createHash('sha256').update(JSON.stringify(socket)).digest('hex').slice(0, 8)}`;
}

/** A route (as `weightedRoute` builds it) with its cluster names mapped; the same object when none changes. */
export function renameRouteClusters(route: EnvoyResource, rename: (cluster: string) => string): EnvoyResource {
  const action = route['route'] as
    { cluster?: string; weighted_clusters?: { clusters: readonly { name: string; weight: number }[] } } | undefined;
  if (!action) return route;
  if (action.cluster !== undefined) {
    const cluster = rename(action.cluster);
    return cluster === action.cluster ? route : { ...route, route: { ...action, cluster } };
  }
  const weighted = action.weighted_clusters;
  if (!weighted || weighted.clusters.every((c) => rename(c.name) === c.name)) return route;
  return {
    ...route,
    route: {
      ...action,
      weighted_clusters: { ...weighted, clusters: weighted.clusters.map((c) => ({ ...c, name: rename(c.name) })) },
    },
  };
}
