import { describe, expect, it } from 'vitest';
import { serverOptions, type HttpLimits } from './http-server-factory.js';

const defaults: HttpLimits = {
  httpHeadersTimeoutMs: 10_000,
  httpRequestTimeoutMs: 30_000,
  httpKeepAliveTimeoutMs: 72_000,
  httpSocketIdleTimeoutMs: 60_000,
  httpMaxConnectionsPerClient: 256,
};

describe('serverOptions', () => {
  it("gives Node the limits, and checks them every second instead of Node's 30 s", () => {
    expect(serverOptions(defaults)).toMatchObject({
      headersTimeout: 10_000,
      requestTimeout: 30_000,
      keepAliveTimeout: 72_000,
      connectionsCheckingInterval: 1000,
      requireHostHeader: false,
    });
  });

  it('caps the headers timeout at the request timeout (Node refuses a larger one)', () => {
    expect(serverOptions({ ...defaults, httpHeadersTimeoutMs: 60_000, httpRequestTimeoutMs: 20_000 })).toMatchObject({
      headersTimeout: 20_000,
      requestTimeout: 20_000,
    });
  });

  it('checks short bounds often enough to keep them', () => {
    expect(serverOptions({ ...defaults, httpHeadersTimeoutMs: 400 }).connectionsCheckingInterval).toBe(100);
    expect(serverOptions({ ...defaults, httpHeadersTimeoutMs: 1 }).connectionsCheckingInterval).toBe(25);
  });
});
