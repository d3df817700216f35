import { describe, expect, it } from 'vitest';
import { getAt, parsePath, setAt, specInput } from './access';
import { weightedTargets, withWeights } from './traffic';

describe('spec paths (the API field-path notation)', () => {
  it('parses names and indexes', () => {
    expect(parsePath('listeners[0].portMapping.port')).toEqual(['listeners', 0, 'portMapping', 'port']);
    expect(parsePath('httpRoute.action.weightedTargets[12].virtualNode')).toEqual([
      'httpRoute',
      'action',
      'weightedTargets',
      12,
      'virtualNode',
    ]);
  });

  it('reads and writes without touching the original, creating what is missing', () => {
    const spec = { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }] };
    const next = setAt(spec, 'listeners[0].portMapping.port', 9090);
    expect(getAt(next, 'listeners[0].portMapping')).toEqual({ port: 9090, protocol: 'http' });
    expect(spec.listeners[0]!.portMapping.port).toBe(8080);
    expect(setAt({}, 'serviceDiscovery.dns.hostname', 'a.local')).toEqual({
      serviceDiscovery: { dns: { hostname: 'a.local' } },
    });
    expect(getAt({}, 'a.b[3].c')).toBeUndefined();
  });

  it('removes an emptied member and the objects it leaves empty', () => {
    const spec = { provider: { virtualRouter: { virtualRouterName: 'r' } }, other: 1 };
    expect(setAt(spec, 'provider.virtualRouter.virtualRouterName', undefined)).toEqual({ other: 1 });
  });
});

describe('route weights', () => {
  const spec = {
    http2Route: {
      match: { prefix: '/' },
      action: {
        weightedTargets: [
          { virtualNode: 'a', weight: 90, port: 8080 },
          { virtualNode: 'b', weight: 10 },
        ],
      },
    },
  };

  it('reads the targets of whichever protocol the route uses', () => {
    expect(weightedTargets(spec).map((t) => t.virtualNode)).toEqual(['a', 'b']);
    expect(weightedTargets({})).toEqual([]);
  });

  it('replaces only the weights', () => {
    expect(withWeights(spec, [40, 60])).toEqual({
      http2Route: {
        match: { prefix: '/' },
        action: {
          weightedTargets: [
            { virtualNode: 'a', weight: 40, port: 8080 },
            { virtualNode: 'b', weight: 60 },
          ],
        },
      },
    });
  });
});

describe('specs as the typed input takes them', () => {
  it('spells hyphenated retry events with _ and leaves every other string alone', () => {
    const spec = {
      httpRoute: {
        match: { prefix: '/a-b' },
        retryPolicy: { httpRetryEvents: ['server-error', 'gateway-error'], tcpRetryEvents: ['connection-error'] },
      },
      grpcRoute: { retryPolicy: { grpcRetryEvents: ['deadline-exceeded', 'cancelled'] } },
    };
    expect(specInput(spec)).toEqual({
      spec: {
        httpRoute: {
          match: { prefix: '/a-b' },
          retryPolicy: { httpRetryEvents: ['server_error', 'gateway_error'], tcpRetryEvents: ['connection_error'] },
        },
        grpcRoute: { retryPolicy: { grpcRetryEvents: ['deadline_exceeded', 'cancelled'] } },
      },
    });
  });
});
