import { arnMetadata, duration, type EnvoyResource } from './envoy-types.js';
import type { GrpcRouteSpec, HeaderMatch, HttpRouteSpec, Protocol, RetryPolicy } from './spec-types.js';

/** App Mesh's request timeout when a route sets none. */
const DEFAULT_TIMEOUT = '15s';

/** The cluster each weighted target resolves to, with its weight. */
export interface ClusterWeight {
  readonly cluster: string;
  readonly weight: number;
}

const HTTP_RETRY_ON: Record<string, string> = {
  'server-error': '5xx',
  'gateway-error': 'gateway-error',
  'client-error': 'retriable-4xx',
  'stream-error': 'refused-stream',
};

/**
 * App Mesh's retry policy as Envoy's. Without one, App Mesh retried twice on connection failures,
 * resets and 503 (gRPC: UNAVAILABLE); that default is kept, so behaviour matches what users had.
 */
export function retryPolicy(
  protocol: Protocol,
  policy: (RetryPolicy & { grpcRetryEvents?: readonly string[] }) | undefined,
): EnvoyResource {
  if (!policy) {
    return protocol === 'grpc'
      ? { retry_on: 'unavailable,connect-failure,refused-stream,reset', num_retries: 2 }
      : {
          retry_on: 'connect-failure,refused-stream,reset,retriable-status-codes',
          retriable_status_codes: [503],
          num_retries: 2,
        };
  }
  const events = [
    ...(policy.httpRetryEvents ?? []).map((e) => HTTP_RETRY_ON[e] ?? e),
    ...(policy.tcpRetryEvents ?? []).map((e) => (e === 'connection-error' ? 'connect-failure' : e)),
    ...(policy.grpcRetryEvents ?? []),
  ];
  return {
    retry_on: [...new Set(events)].join(',') || 'connect-failure',
    num_retries: policy.maxRetries,
    ...(duration(policy.perRetryTimeout) ? { per_try_timeout: duration(policy.perRetryTimeout) } : {}),
  };
}

function headerMatcher(name: string, match: HeaderMatch | undefined, invert: boolean | undefined): EnvoyResource {
  const string_match =
    match?.exact !== undefined
      ? { exact: match.exact }
      : match?.prefix !== undefined
        ? { prefix: match.prefix }
        : match?.suffix !== undefined
          ? { suffix: match.suffix }
          : match?.regex !== undefined
            ? { safe_regex: { regex: match.regex } }
            : undefined;
  return {
    name,
    ...(string_match ? { string_match } : {}),
    ...(match?.range ? { range_match: { start: match.range.start, end: match.range.end } } : {}),
    ...(!match ? { present_match: true } : {}),
    ...(invert ? { invert_match: true } : {}),
  };
}

/** An HTTP or HTTP/2 route's match as an Envoy RouteMatch. */
export function httpMatch(spec: HttpRouteSpec): EnvoyResource {
  const m = spec.match;
  const path =
    m.path?.exact !== undefined
      ? { path: m.path.exact }
      : m.path?.regex !== undefined
        ? { safe_regex: { regex: m.path.regex } }
        : { prefix: m.prefix ?? '/' };
  const headers = [
    ...(m.headers ?? []).map((h) => headerMatcher(h.name, h.match, h.invert)),
    ...(m.method ? [headerMatcher(':method', { exact: m.method }, false)] : []),
    ...(m.scheme ? [headerMatcher(':scheme', { exact: m.scheme }, false)] : []),
  ];
  const query = (m.queryParameters ?? []).map((q) => ({
    name: q.name,
    ...(q.match?.exact !== undefined ? { string_match: { exact: q.match.exact } } : { present_match: true }),
  }));
  return { ...path, ...(headers.length ? { headers } : {}), ...(query.length ? { query_parameters: query } : {}) };
}

/** A gRPC route's match: service and method become the request path `/<service>/<method>`. */
export function grpcMatch(spec: GrpcRouteSpec): EnvoyResource {
  const m = spec.match;
  const path =
    m.serviceName === undefined
      ? { prefix: '/' }
      : m.methodName === undefined
        ? { prefix: `/${m.serviceName}/` }
        : { path: `/${m.serviceName}/${m.methodName}` };
  const headers = (m.metadata ?? []).map((h) => headerMatcher(h.name, h.match, h.invert));
  return { ...path, ...(headers.length ? { headers } : {}) };
}

/** A route to weighted clusters, with App Mesh's timeout and retry semantics. */
export function weightedRoute(
  name: string,
  arn: string,
  match: EnvoyResource,
  targets: readonly ClusterWeight[],
  protocol: Protocol,
  options: {
    retry?: RetryPolicy & { grpcRetryEvents?: readonly string[] };
    timeout?: { perRequest?: { value?: number; unit?: 's' | 'ms' }; idle?: { value?: number; unit?: 's' | 'ms' } };
  },
): EnvoyResource {
  const live = targets.filter((t) => t.weight > 0);
  const action =
    live.length === 1
      ? { cluster: live[0]!.cluster }
      : { weighted_clusters: { clusters: live.map((t) => ({ name: t.cluster, weight: t.weight })) } };
  const idle = duration(options.timeout?.idle);
  return {
    name,
    match,
    route: {
      ...action,
      timeout: duration(options.timeout?.perRequest) ?? DEFAULT_TIMEOUT,
      ...(idle ? { idle_timeout: idle } : {}),
      retry_policy: retryPolicy(protocol, options.retry),
    },
    metadata: arnMetadata(arn),
  };
}
