/**
 * The meters usage is recorded under (the contract with metering, which writes `usage_hours` and
 * `usage_adjustments`), each with its base unit and the unit prices are quoted per. Quantities are
 * always kept in the base unit; `perPricedUnit` base units make one priced unit.
 */
export const METERS = {
  proxy_seconds: {
    unit: 'second',
    pricedPer: 'proxy-hour',
    perPricedUnit: 3600n,
    doc: 'Seconds Envoy proxies were connected; dimension: the virtual node or gateway ARN.',
  },
  grpc_client_seconds: {
    unit: 'second',
    pricedPer: 'client-hour',
    perPricedUnit: 3600n,
    doc: 'Seconds proxyless gRPC clients were connected; dimension: the virtual node ARN.',
  },
  api_read_requests: {
    unit: 'request',
    pricedPer: 'request',
    perPricedUnit: 1n,
    doc: 'API requests that only read (REST and GraphQL).',
  },
  api_write_requests: {
    unit: 'request',
    pricedPer: 'request',
    perPricedUnit: 1n,
    doc: 'API requests that change something.',
  },
  resource_hours: {
    unit: 'resource-hour',
    pricedPer: 'resource-hour',
    perPricedUnit: 1n,
    doc: 'Resources held, sampled each hour; dimension: the resource kind.',
  },
} as const;

export type MeterName = keyof typeof METERS;
/** In invoice order. */
export const METER_NAMES = Object.keys(METERS) as MeterName[];

export function isMeterName(value: string): value is MeterName {
  return Object.hasOwn(METERS, value);
}
