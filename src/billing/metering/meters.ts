/**
 * The meters, agreed with invoicing (src/billing/invoices): every UsageHour and UsageAdjustment
 * row names one of these, with its quantity in the meter's base unit.
 *
 * - `proxy_seconds`: seconds Envoys were connected; dimension = the virtual node's or virtual
 *   gateway's ARN.
 * - `grpc_client_seconds`: the same for proxyless gRPC clients.
 * - `api_read_requests`, `api_write_requests`: authenticated API requests; dimension "".
 * - `resource_hours`: resources held, sampled per hour; dimension = the kind (`mesh`,
 *   `virtualNode`, ...); quantity = the count held in that hour (one hour each).
 */
export const METERS = {
  proxySeconds: 'proxy_seconds',
  grpcClientSeconds: 'grpc_client_seconds',
  apiReadRequests: 'api_read_requests',
  apiWriteRequests: 'api_write_requests',
  resourceHours: 'resource_hours',
} as const;

export type Meter = (typeof METERS)[keyof typeof METERS];
export type SessionMeterName = typeof METERS.proxySeconds | typeof METERS.grpcClientSeconds;

/**
 * Which meter an xDS session runs on, from the user agent its node sent (`name/version`). Envoy
 * names itself `envoy`; the proxyless gRPC libraries name themselves `gRPC Go`, `gRPC Node Pure
 * JS`, `grpc-java-netty`, `gRPC C-core`...: a name starting with "grpc" (any case) is a proxyless
 * client. Anything else that speaks ADS to us takes Envoy's meter: it is served a full proxy's
 * configuration.
 */
export function sessionMeterOf(userAgent: string): SessionMeterName {
  return /^grpc/i.test(userAgent.trimStart()) ? METERS.grpcClientSeconds : METERS.proxySeconds;
}
