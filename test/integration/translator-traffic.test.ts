import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staticBootstrap } from '../../src/xds-fleet/translator/static-config.js';
import { translate } from '../../src/xds-fleet/translator/translate.js';
import {
  freePorts,
  sendHttp as send,
  startEnvoy,
  startUpstream,
  type RunningEnvoy,
  type Upstream,
} from '../support/envoy.js';
import { buildSnapshot } from '../support/snapshot-builder.js';

/**
 * The translator's output running in a real Envoy with real upstreams: requests go where the
 * mesh model says. The upstreams stand in for the target nodes' applications (their DNS names
 * resolve to 127.0.0.1), and the client sends to its egress port directly with the service name
 * as Host, as an application without iptables does.
 */
describe('translated configuration in a real Envoy', () => {
  let blue: Upstream;
  let green: Upstream;
  let flaky: Upstream;
  let slow: Upstream;
  let client: RunningEnvoy;
  let ingress: RunningEnvoy;
  let egressPort: number;
  let ingressPort: number;

  beforeAll(async () => {
    blue = await startUpstream('blue');
    green = await startUpstream('green');
    // Fails twice with 503, then answers: App Mesh's default retry policy (2 retries on 503) hides it.
    flaky = await startUpstream('flaky', { status: (_req, hit) => (hit % 3 === 0 ? 200 : 503) });
    // Answers every request after 1 s: longer than the short route timeout, well within the default 15 s.
    slow = await startUpstream('slow', { delayMs: 1000 });
    const node = (name: string, port: number) => ({
      name,
      spec: {
        listeners: [{ portMapping: { port, protocol: 'http' } }],
        serviceDiscovery: { dns: { hostname: '127.0.0.1' } },
      },
    });
    const snapshot = buildSnapshot({
      mesh: { name: 'traffic', spec: { egressFilter: { type: 'DROP_ALL' } } },
      virtualNodes: [
        node('blue', blue.port),
        node('green', green.port),
        node('flaky', flaky.port),
        node('slow', slow.port),
        {
          name: 'client',
          spec: {
            backends: [
              { virtualService: { virtualServiceName: 'web.local' } },
              { virtualService: { virtualServiceName: 'flaky.local' } },
              { virtualService: { virtualServiceName: 'slow.local' } },
            ],
          },
        },
      ],
      virtualRouters: [
        {
          name: 'web',
          spec: { listeners: [{ portMapping: { port: 80, protocol: 'http' } }] },
          routes: [
            {
              name: 'canary',
              spec: {
                priority: 1,
                httpRoute: {
                  match: { prefix: '/', headers: [{ name: 'x-canary', match: { exact: 'yes' } }] },
                  action: { weightedTargets: [{ virtualNode: 'green', weight: 1 }] },
                },
              },
            },
            {
              name: 'items',
              spec: {
                priority: 2,
                httpRoute: {
                  match: {
                    path: { exact: '/items' },
                    method: 'POST',
                    queryParameters: [{ name: 'dry', match: { exact: '1' } }],
                  },
                  action: { weightedTargets: [{ virtualNode: 'green', weight: 1 }] },
                },
              },
            },
            {
              name: 'split',
              spec: {
                priority: 3,
                httpRoute: {
                  match: { prefix: '/' },
                  action: {
                    weightedTargets: [
                      { virtualNode: 'blue', weight: 80 },
                      { virtualNode: 'green', weight: 20 },
                    ],
                  },
                },
              },
            },
          ],
        },
        {
          name: 'slow',
          spec: { listeners: [{ portMapping: { port: 80, protocol: 'http' } }] },
          routes: [
            {
              name: 'short',
              spec: {
                priority: 1,
                httpRoute: {
                  match: { prefix: '/short' },
                  action: { weightedTargets: [{ virtualNode: 'slow', weight: 1 }] },
                  timeout: { perRequest: { value: 200, unit: 'ms' } },
                  // No retries: one attempt, cut off by the per-request timeout.
                  retryPolicy: {
                    maxRetries: 0,
                    perRetryTimeout: { value: 200, unit: 'ms' },
                    httpRetryEvents: ['server-error'],
                  },
                },
              },
            },
            {
              name: 'patient',
              spec: {
                priority: 2,
                httpRoute: {
                  match: { prefix: '/' },
                  action: { weightedTargets: [{ virtualNode: 'slow', weight: 1 }] },
                },
              },
            },
          ],
        },
      ],
      virtualServices: [
        { name: 'web.local', spec: { provider: { virtualRouter: { virtualRouterName: 'web' } } } },
        { name: 'flaky.local', spec: { provider: { virtualNode: { virtualNodeName: 'flaky' } } } },
        { name: 'slow.local', spec: { provider: { virtualRouter: { virtualRouterName: 'slow' } } } },
      ],
    });
    [egressPort, ingressPort] = (await freePorts(2)) as [number, number];
    const { views, problems } = translate(snapshot, { ingress: ingressPort, egress: egressPort });
    expect(problems).toEqual([]);
    [client, ingress] = await Promise.all([
      startEnvoy(staticBootstrap(views.get('virtualNode/client')!, { adminPort: 0 }), { protobuf: true }),
      startEnvoy(staticBootstrap(views.get('virtualNode/blue')!, { adminPort: 0 }), { protobuf: true }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([client?.stop(), ingress?.stop()]);
    await Promise.all([blue, green, flaky, slow].map((u) => u?.close()));
  });

  it('splits traffic by the route weights (80/20, within tolerance)', async () => {
    const results = [];
    for (let i = 0; i < 200; i++) results.push(await send(egressPort, 'web.local'));
    expect(results.every((r) => r.status === 200)).toBe(true);
    const toBlue = results.filter((r) => r.upstream === 'blue').length;
    // 200 draws at p = 0.8: mean 160, standard deviation ~5.7; 6 sigma either side.
    expect(toBlue).toBeGreaterThan(125);
    expect(toBlue).toBeLessThan(195);
  });

  it('routes by Host with or without the port', async () => {
    expect((await send(egressPort, 'web.local:80', '/', { headers: { 'x-canary': 'yes' } })).upstream).toBe('green');
    expect((await send(egressPort, 'web.local', '/', { headers: { 'x-canary': 'yes' } })).upstream).toBe('green');
  });

  it('matches on path, method and query parameter, in priority order', async () => {
    for (let i = 0; i < 10; i++)
      expect((await send(egressPort, 'web.local', '/items?dry=1', { method: 'POST' })).upstream).toBe('green');
    // Without the query parameter, the request falls through to the weighted split.
    const fallThrough = await Promise.all(
      Array.from({ length: 20 }, () => send(egressPort, 'web.local', '/items', { method: 'POST' })),
    );
    expect(fallThrough.some((r) => r.upstream === 'blue')).toBe(true);
  });

  it("retries 503s with App Mesh's default retry policy", async () => {
    const before = flaky.hits();
    const result = await send(egressPort, 'flaky.local');
    expect(result).toEqual({ status: 200, upstream: 'flaky' });
    expect(flaky.hits() - before).toBe(3);
  });

  it("answers 504 once a route's per-request timeout passes, without waiting for a slow upstream", async () => {
    const before = slow.hits();
    const started = performance.now();
    const result = await send(egressPort, 'slow.local', '/short');
    const elapsed = performance.now() - started;
    expect(result).toEqual({ status: 504, upstream: undefined });
    // The route's 200 ms, not the upstream's 1 s (a wide margin: behaviour, not performance).
    expect(elapsed).toBeLessThan(900);
    expect(slow.hits() - before).toBe(1); // maxRetries 0: a single attempt
  });

  it("waits for the same slow upstream on a route without the short timeout (App Mesh's 15 s default)", async () => {
    const started = performance.now();
    expect(await send(egressPort, 'slow.local', '/other')).toEqual({ status: 200, upstream: 'slow' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('blocks a host outside the mesh under DROP_ALL', async () => {
    const result = await send(egressPort, 'example.com');
    expect(result.status).toBe(404);
    expect(result.upstream).toBeUndefined();
  });

  it("delivers traffic addressed to a node's ingress port to its local application", async () => {
    const before = blue.hits();
    expect(await send(ingressPort, 'anything')).toEqual({ status: 200, upstream: 'blue' });
    expect(blue.hits() - before).toBe(1);
  });
});
