import { describe, expect, it } from 'vitest';
import { HOUR_MS, hourOf } from './hours.js';
import { METERS, sessionMeterOf } from './meters.js';

describe('hours', () => {
  it('names an instant by the start of its UTC hour', () => {
    const start = Date.parse('2030-01-01T10:00:00.000Z');
    expect(hourOf(start)).toBe(start);
    expect(hourOf(start + HOUR_MS - 1)).toBe(start);
    expect(hourOf(start + HOUR_MS)).toBe(start + HOUR_MS);
  });
});

describe('session meters', () => {
  it('meters Envoys as proxies and gRPC libraries as proxyless clients', () => {
    expect(sessionMeterOf('envoy/1.36.2')).toBe(METERS.proxySeconds);
    expect(sessionMeterOf('gRPC Node Pure JS/1.14.0')).toBe(METERS.grpcClientSeconds);
    expect(sessionMeterOf('gRPC Go/1.70.0')).toBe(METERS.grpcClientSeconds);
    expect(sessionMeterOf('grpc-java-netty/1.68.0')).toBe(METERS.grpcClientSeconds);
    // Anything else that asks for configuration is served as a proxy, and metered as one.
    expect(sessionMeterOf('/')).toBe(METERS.proxySeconds);
  });
});
