import type {
  GatewayRouteHostnameMatch,
  GatewayRouteSpec,
  GrpcGatewayRoute,
  HttpGatewayRoute,
  VirtualGatewayListener,
  VirtualGatewaySpec,
} from '../../meshes/api-model/generated/app-mesh-types.js';
import type { MeshSnapshot, SnapshotResource } from '../snapshot/mesh-snapshot.js';
import {
  arnMetadata,
  emptyResourceSet,
  type EnvoyResource,
  type FilterChain,
  type ResourceSet,
  TYPE,
} from './envoy-types.js';
import { accessLogs, httpConnectionManager, tlsInspector } from './listeners.js';
import { names } from './names.js';
import { compareRoutes } from './route-order.js';
import { grpcMatch, httpMatch } from './routes.js';
import type { VirtualNodeSpec } from './spec-types.js';
import { listenerTls, type ListenerTlsPlan, secureChains } from './tls.js';
import type { TranslationProblem } from './translation-problem.js';

/**
 * A virtual gateway's proxy: an Envoy of its own at the edge of the mesh, receiving traffic
 * addressed to it on its listener ports and sending it to virtual services.
 *
 * A gateway route only picks the target virtual service; when the service is provided by a
 * router, the router's routes then pick the weighted target. Envoy cannot chain two route tables
 * in one connection manager, so (like App Mesh) the gateway sends matched requests to itself:
 *
 *   client → lds_ingress_0.0.0.0_<port> (gateway routes: match, rewrite)
 *          → cds_ingress_<mesh>_<gw>_self_redirect_<proto>_<egress> (127.0.0.1:<egress>)
 *          → lds_egress_0.0.0.0_<egress> (the translator's own egress routes for the target services)
 *          → cds_egress_<mesh>_<node>_<proto>_<port>
 *
 * The egress part is built by the translator's node egress code (passed in as `egress`), so the
 * service resolution, router routes, retries, timeouts and clusters are the ones a virtual node
 * with those backends gets.
 *
 * A listener's `tls` is a node listener's (tls.ts): STRICT wraps its chain in TLS, PERMISSIVE adds a
 * TLS chain beside the plaintext one (told apart by the TLS inspector), `validation` requires a
 * client certificate. A certificate that cannot be had here (ACM) leaves the listener out.
 */

/** The translator's egress for one proxy and its backends, added to `set`. */
export type EgressBuilder = (
  proxy: SnapshotResource,
  spec: VirtualNodeSpec,
  logs: EnvoyResource[],
  set: ResourceSet,
) => void;

export type SnapshotGateway = MeshSnapshot['virtualGateways'][number];

/**
 * Which virtual service (and port) a request the gateway forwards is for. The egress hop picks its
 * virtual host by this header (RouteConfiguration.vhost_header) instead of by Host, so the Host
 * the upstream receives is free to be the target service's name (App Mesh's default) or the
 * client's own Host (`rewrite.hostname.defaultTargetHostname: DISABLED`). Every gateway route
 * overwrites it, so a client cannot choose a service by sending it; the egress hop removes it
 * before the request leaves the gateway.
 */
export const GATEWAY_TARGET_HEADER = 'x-meshplane-gateway-target';

const CONNECT_TIMEOUT = '1s';
/** App Mesh's default circuit breaker thresholds (newer accounts): effectively none. */
const UNLIMITED = 2147483647;
const LOOPBACK = '127.0.0.1';

type GatewayProtocol = VirtualGatewayListener['portMapping']['protocol'];
const ROUTE_MEMBER: Record<GatewayProtocol, 'httpRoute' | 'http2Route' | 'grpcRoute'> = {
  http: 'httpRoute',
  http2: 'http2Route',
  grpc: 'grpcRoute',
};

/** A gateway route that applies to one listener, with what it needs from its spec. */
interface ApplicableRoute {
  readonly route: SnapshotResource;
  readonly body: HttpGatewayRoute | GrpcGatewayRoute;
  readonly host: HostMatch;
  /** `<service>` or `<service>:<port>`: the egress virtual host the request is for. */
  readonly target: string;
}

type HostMatch =
  | { readonly kind: 'exact'; readonly value: string }
  | { readonly kind: 'suffix'; readonly value: string }
  | { readonly kind: 'any' };

/**
 * Returns the function the translator calls once per virtual gateway for its view
 * (`virtualGateway/<name>`). `problems` is the translation's list, appended to.
 */
export function gatewayTranslator(
  snapshot: MeshSnapshot,
  ports: { readonly egress: number },
  problems: TranslationProblem[],
  egress: EgressBuilder,
): (gateway: SnapshotGateway) => ResourceSet {
  return (gateway) => gatewayView(snapshot, ports.egress, problems, egress, gateway);
}

function gatewayView(
  snapshot: MeshSnapshot,
  egressPort: number,
  problems: TranslationProblem[],
  egress: EgressBuilder,
  gateway: SnapshotGateway,
): ResourceSet {
  const set = emptyResourceSet();
  const spec = gateway.spec as VirtualGatewaySpec;
  const logs = accessLogs(spec.logging?.accessLog, (message) => problems.push({ arn: gateway.arn, message }));
  const listeners = acceptedListeners(gateway, spec, egressPort, problems);
  const plans = listeners.map(({ listener, tls }) => ({ listener, tls, routes: applicableRoutes(gateway, listener) }));

  // The egress listener and routes for every service some gateway route targets.
  const services = [...new Set(plans.flatMap((p) => p.routes.map((r) => serviceOf(r.body))))];
  if (services.length > 0) {
    egress(
      gateway,
      {
        backends: services.map((virtualServiceName) => ({ virtualService: { virtualServiceName } })),
        // The gateway's client policy defaults are a node's backend defaults by another name.
        ...(spec.backendDefaults ? { backendDefaults: spec.backendDefaults } : {}),
      },
      logs,
      set,
    );
  }
  const reachable = localizeEgress(set, gateway.name, egressPort);

  const unreachable = new Set<string>();
  const multi = (spec.listeners ?? []).length > 1;
  for (const { listener, tls, routes } of plans) {
    const { port, protocol } = listener.portMapping;
    const clusterName = selfRedirectName(snapshot.meshName, gateway.name, protocol, port, egressPort, multi);
    const usable = routes.filter((r) => {
      if (reachable.has(r.target)) return true;
      if (!unreachable.has(r.route.arn)) {
        unreachable.add(r.route.arn);
        problems.push({
          arn: r.route.arn,
          message: `target virtual service ${describeTarget(r.body)} has no HTTP, HTTP/2 or gRPC port the gateway can route to`,
        });
      }
      return false;
    });
    const routeName = names.ingressRoutes(protocol, port);
    set.routes.set(routeName, routeConfiguration(routeName, gateway.arn, protocol, usable, clusterName));
    if (usable.length > 0)
      set.clusters.set(clusterName, selfRedirectCluster(clusterName, gateway.arn, listener, egressPort));
    const statPrefix = multi ? `ingress.${protocol}.${port}` : 'ingress';
    const listenerName = names.ingressListener(port);
    const chains: FilterChain[] = secureChains(
      { name: `ingress_${protocol}_${port}`, filters: [httpConnectionManager(statPrefix, routeName, logs)] },
      tls,
    );
    const inspectors = tlsInspector(chains);
    set.listeners.set(listenerName, {
      name: listenerName,
      // No original_dst: a gateway receives traffic addressed to it, not traffic redirected to it.
      address: { socket_address: { address: '0.0.0.0', port_value: port } },
      ...(inspectors.length ? { listener_filters: inspectors } : {}),
      filter_chains: chains,
      traffic_direction: 'INBOUND',
      metadata: arnMetadata(gateway.arn),
    });
  }
  return set;
}

/**
 * The listeners that become Envoy listeners, with their TLS. A listener's health check is not
 * translated: it describes how the gateway itself is checked (load balancer, container), not an
 * upstream.
 */
function acceptedListeners(
  gateway: SnapshotGateway,
  spec: VirtualGatewaySpec,
  egressPort: number,
  problems: TranslationProblem[],
): { readonly listener: VirtualGatewayListener; readonly tls: ListenerTlsPlan }[] {
  const seen = new Set<number>();
  return (spec.listeners ?? []).flatMap((listener) => {
    const { port } = listener.portMapping;
    const problem = (message: string) => {
      problems.push({ arn: gateway.arn, message: `listener on port ${port} is left out: ${message}` });
      return [];
    };
    if (port === egressPort) return problem(`the port is the proxy's own egress port ${egressPort}`);
    if (seen.has(port)) return problem('another listener uses the same port');
    seen.add(port);
    // Fail closed: TLS that cannot be honoured (ACM) leaves the listener out, never plaintext in its place.
    const tls = listenerTls(listener);
    if (typeof tls === 'string') {
      problems.push({ arn: gateway.arn, message: tls });
      return [];
    }
    return [{ listener, tls }];
  });
}

// --- gateway routes -------------------------------------------------------------------------

function serviceOf(body: HttpGatewayRoute | GrpcGatewayRoute): string {
  return body.action.target.virtualService.virtualServiceName;
}

function describeTarget(body: HttpGatewayRoute | GrpcGatewayRoute): string {
  const port = body.action.target.port;
  return port === undefined ? serviceOf(body) : `${serviceOf(body)} port ${port}`;
}

/**
 * The gateway routes of the listener's protocol whose match port (if any) is the listener's, in
 * match order: priority (0 first, unset last), then the longest path match (App Mesh: "a request
 * is matched to the route with the longest prefix"), then name.
 */
function applicableRoutes(gateway: SnapshotGateway, listener: VirtualGatewayListener): ApplicableRoute[] {
  const { port, protocol } = listener.portMapping;
  const member = ROUTE_MEMBER[protocol];
  const applicable: (ApplicableRoute & { priority: number })[] = [];
  for (const route of gateway.gatewayRoutes) {
    const spec = route.spec as GatewayRouteSpec;
    const body = spec[member];
    if (!body || (body.match.port !== undefined && body.match.port !== port)) continue;
    const target = body.action.target;
    applicable.push({
      route,
      body,
      host: hostMatch(body.match.hostname),
      target: target.port === undefined ? serviceOf(body) : `${serviceOf(body)}:${target.port}`,
      priority: spec.priority ?? 1001,
    });
  }
  return applicable.sort((a, b) =>
    compareRoutes(
      { name: a.route.name, priority: a.priority, match: a.body.match },
      { name: b.route.name, priority: b.priority, match: b.body.match },
    ),
  );
}

function hostMatch(hostname: GatewayRouteHostnameMatch | undefined): HostMatch {
  if (hostname?.exact !== undefined) return { kind: 'exact', value: hostname.exact.toLowerCase() };
  if (hostname?.suffix !== undefined) return { kind: 'suffix', value: hostname.suffix.toLowerCase() };
  return { kind: 'any' };
}

/**
 * Whether a route with hostname match `route` applies to every request Envoy sends to the virtual
 * host for `host`. Envoy picks one virtual host per request (exact domain, then the longest
 * wildcard suffix, then `*`) and looks no further; App Mesh had one table for all hostnames. So
 * each virtual host carries, in order, every route that can match its requests: its own, those of
 * shorter suffixes that contain it, and those without a hostname match.
 */
function appliesTo(route: HostMatch, host: HostMatch): boolean {
  if (route.kind === 'any') return true;
  if (host.kind === 'exact')
    return route.kind === 'exact'
      ? route.value === host.value
      : host.value.endsWith(route.value) && host.value.length > route.value.length;
  if (host.kind === 'suffix') return route.kind === 'suffix' && host.value.endsWith(route.value);
  return false;
}

/**
 * Envoy's domains for a hostname match. Exact: the name, with or without a port. Suffix: Envoy's
 * leading wildcard, which like App Mesh's suffix matches any host ending in it (not the suffix alone).
 * The route configuration ignores ports in host matching, so `*.example.com` also matches
 * `a.example.com:8443`.
 */
function domainsOf(host: HostMatch): string[] {
  if (host.kind === 'exact') return [host.value, `${host.value}:*`];
  if (host.kind === 'suffix') return [`*${host.value}`];
  return ['*'];
}

function routeConfiguration(
  name: string,
  arn: string,
  protocol: GatewayProtocol,
  routes: readonly ApplicableRoute[],
  cluster: string,
): EnvoyResource {
  const envoyRoutes = new Map(routes.map((r) => [r, envoyRoute(r, protocol, cluster)]));
  const hosts = new Map<string, HostMatch>();
  for (const { host } of routes) hosts.set(domainsOf(host)[0]!, host);
  const rank = (h: HostMatch) => (h.kind === 'exact' ? 0 : h.kind === 'suffix' ? 1 : 2);
  const ordered = [...hosts.values()].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      ('value' in b ? b.value.length : 0) - ('value' in a ? a.value.length : 0) ||
      (domainsOf(a)[0]! < domainsOf(b)[0]! ? -1 : 1),
  );
  return {
    name,
    virtual_hosts: ordered.map((host) => ({
      name: domainsOf(host)[0],
      domains: domainsOf(host),
      routes: routes.filter((r) => appliesTo(r.host, host)).map((r) => envoyRoutes.get(r)!),
    })),
    ignore_port_in_host_matching: true,
    validate_clusters: false,
    metadata: arnMetadata(arn),
  };
}

function envoyRoute(applicable: ApplicableRoute, protocol: GatewayProtocol, cluster: string): EnvoyResource {
  const { route, body, target } = applicable;
  const grpc = protocol === 'grpc';
  // Path, headers, query and method as a router route matches them; the hostname is the virtual host's.
  const match = grpc
    ? grpcMatch({ match: (body as GrpcGatewayRoute).match, action: { weightedTargets: [] } })
    : httpMatch({ match: (body as HttpGatewayRoute).match, action: { weightedTargets: [] } });
  const keepHost = body.action.rewrite?.hostname?.defaultTargetHostname === 'DISABLED';
  return {
    name: route.name,
    match,
    route: {
      cluster,
      // The egress hop's route (the router's, or App Mesh's 15 s default) times the request.
      timeout: '0s',
      // App Mesh: "by default the hostname will be rewritten to the target virtual service's name".
      ...(keepHost ? {} : { host_rewrite_literal: serviceOf(body) }),
      ...(grpc ? {} : pathRewrite(body as HttpGatewayRoute)),
    },
    request_headers_to_add: [
      {
        header: { key: GATEWAY_TARGET_HEADER, value: target.replaceAll('%', '%%') },
        append_action: 'OVERWRITE_IF_EXISTS_OR_ADD',
      },
    ],
    metadata: arnMetadata(route.arn),
  };
}

/**
 * App Mesh's path rewrites. A prefix match rewrites the matched prefix to `/` unless told
 * otherwise ("/chapter" on "/chapter/1" gives "/1"): `rewrite.prefix.value` replaces it with that
 * value, `defaultPrefix: DISABLED` keeps the path. `rewrite.path.exact` (with a path match)
 * replaces the whole path; the query string is kept.
 */
function pathRewrite(body: HttpGatewayRoute): EnvoyResource {
  const { match, action } = body;
  const exact = action.rewrite?.path?.exact;
  if (exact !== undefined)
    return { regex_rewrite: { pattern: { regex: '^.*$' }, substitution: exact.replaceAll('\\', '\\\\') } };
  if (match.prefix === undefined) return {};
  const prefix = action.rewrite?.prefix;
  if (prefix?.value !== undefined) return { prefix_rewrite: prefix.value };
  if (prefix?.defaultPrefix === 'DISABLED' || match.prefix === '/') return {};
  if (match.prefix.endsWith('/')) return { prefix_rewrite: '/' };
  // Without a trailing slash, a plain prefix_rewrite would turn "/chapter/1" into "//1".
  return { regex_rewrite: { pattern: { regex: `^${escapeRegex(match.prefix)}/?` }, substitution: '/' } };
}

function escapeRegex(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// --- the self redirect ----------------------------------------------------------------------

/** App Mesh's name: `…_self_redirect_<proto>_15001`, with the listener port when there are several listeners. */
function selfRedirectName(
  mesh: string,
  gateway: string,
  protocol: string,
  listenerPort: number,
  egressPort: number,
  multi: boolean,
): string {
  return `cds_ingress_${mesh}_${gateway}_self_redirect_${multi ? `${listenerPort}_` : ''}${protocol}_${egressPort}`;
}

/**
 * The gateway's own egress listener, as a cluster. The listener's connection pool is applied
 * here, as circuit breakers, where App Mesh applied it (not on the shared egress clusters, which
 * the mesh's virtual nodes use as well). Without a pool the thresholds are App Mesh's defaults
 * (unlimited), so the extra hop adds no limit of its own (Envoy's defaults would cap the whole
 * gateway at 1024 requests in flight).
 */
function selfRedirectCluster(
  name: string,
  arn: string,
  listener: VirtualGatewayListener,
  egressPort: number,
): EnvoyResource {
  const pool = listener.connectionPool;
  const thresholds = {
    max_connections: pool?.http?.maxConnections ?? UNLIMITED,
    max_pending_requests: pool?.http?.maxPendingRequests ?? UNLIMITED,
    max_requests: pool?.http2?.maxRequests ?? pool?.grpc?.maxRequests ?? UNLIMITED,
  };
  const http2 = listener.portMapping.protocol !== 'http';
  return {
    name,
    type: 'STATIC',
    connect_timeout: CONNECT_TIMEOUT,
    load_assignment: {
      cluster_name: name,
      endpoints: [
        {
          lb_endpoints: [{ endpoint: { address: { socket_address: { address: LOOPBACK, port_value: egressPort } } } }],
        },
      ],
    },
    circuit_breakers: { thresholds: [thresholds] },
    ...(http2
      ? {
          typed_extension_protocol_options: {
            'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
              '@type': TYPE.httpProtocolOptions,
              explicit_http_config: { http2_protocol_options: {} },
            },
          },
        }
      : {}),
    metadata: arnMetadata(arn),
  };
}

/**
 * Adapts the egress the translator built for the gateway to the self redirect, and returns the
 * `<service>` / `<service>:<port>` names it can route. Only the gateway itself sends to it, so it
 * listens on loopback; its Host-routed configuration picks the virtual host by
 * GATEWAY_TARGET_HEADER and removes that header before the request leaves.
 */
function localizeEgress(set: ResourceSet, gateway: string, egressPort: number): Set<string> {
  const listenerName = names.egressListener(egressPort);
  const listener = set.listeners.get(listenerName);
  if (listener)
    set.listeners.set(listenerName, {
      ...listener,
      address: { socket_address: { address: LOOPBACK, port_value: egressPort } },
    });
  const routeName = names.egressExplicitRoutes(gateway, egressPort);
  const routes = set.routes.get(routeName);
  if (!routes) return new Set();
  set.routes.set(routeName, {
    ...routes,
    vhost_header: GATEWAY_TARGET_HEADER,
    request_headers_to_remove: [GATEWAY_TARGET_HEADER],
  });
  const hosts = (routes['virtual_hosts'] as readonly { domains: readonly string[] }[] | undefined) ?? [];
  return new Set(hosts.flatMap((h) => h.domains));
}
