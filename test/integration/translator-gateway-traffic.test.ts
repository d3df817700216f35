import { connect } from 'node:http2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_TARGET_HEADER } from '../../src/xds-fleet/translator/gateway.js';
import { staticBootstrap } from '../../src/xds-fleet/translator/static-config.js';
import { translate } from '../../src/xds-fleet/translator/translate.js';
import {
  freePorts,
  sendHttp,
  sendHttps,
  testCertificate,
  startEnvoy,
  startUpstream,
  type RunningEnvoy,
  type Upstream,
  type UpstreamRequest,
} from '../support/envoy.js';
import { buildSnapshot } from '../support/snapshot-builder.js';

/** Sends one HTTP/1.1 request to the gateway with the given Host, as a client outside the mesh does. */
const send = (port: number, host: string, path = '/', headers: Record<string, string> = {}) =>
  sendHttp(port, host, path, { headers });

/** Sends one HTTP/2 (h2c, prior knowledge) GET to the gateway with the given authority. */
function sendH2(
  port: number,
  authority: string,
  path: string,
): Promise<{ status: number; upstream: string | undefined }> {
  return new Promise((resolve, reject) => {
    const session = connect(`http://${authority}`, { host: '127.0.0.1', port });
    session.on('error', reject);
    const req = session.request({ ':path': path, ':authority': authority });
    req.on('response', (headers) => {
      req.resume();
      req.on('end', () => {
        session.close();
        resolve({ status: Number(headers[':status']), upstream: headers['x-upstream'] as string | undefined });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

const cert = testCertificate;

/**
 * A virtual gateway's translated configuration in a real Envoy with real upstreams. The
 * upstreams stand in for the target nodes' applications (their DNS names resolve to 127.0.0.1):
 * gateway routes pick the virtual service by hostname and path, rewrite the request, and the
 * service's own routes (a router's) then pick the node, all inside the gateway's Envoy.
 */
describe('translated virtual gateway in a real Envoy', () => {
  let alpha: Upstream;
  let beta: Upstream;
  let gamma: Upstream;
  let gateway: RunningEnvoy;
  let gatewayPort: number;
  let h2Port: number;
  let egressPort: number;

  /** The request the upstream received last, after the test's request. */
  const received = (upstream: Upstream): UpstreamRequest => upstream.requests[upstream.requests.length - 1]!;

  beforeAll(async () => {
    [alpha, beta, gamma] = await Promise.all([startUpstream('alpha'), startUpstream('beta'), startUpstream('gamma')]);
    const node = (name: string, port: number) => ({
      name,
      spec: {
        listeners: [{ portMapping: { port, protocol: 'http' } }],
        serviceDiscovery: { dns: { hostname: '127.0.0.1' } },
      },
    });
    const target = (virtualServiceName: string) => ({ virtualService: { virtualServiceName } });
    let ingressPort: number;
    [gatewayPort, h2Port, ingressPort, egressPort] = (await freePorts(4)) as [number, number, number, number];
    const snapshot = buildSnapshot({
      mesh: { name: 'edge-traffic', spec: { egressFilter: { type: 'DROP_ALL' } } },
      virtualNodes: [node('alpha', alpha.port), node('beta', beta.port), node('gamma', gamma.port)],
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
                  action: { weightedTargets: [{ virtualNode: 'gamma', weight: 1 }] },
                },
              },
            },
            {
              name: 'default',
              spec: {
                priority: 2,
                httpRoute: {
                  match: { prefix: '/' },
                  action: { weightedTargets: [{ virtualNode: 'beta', weight: 1 }] },
                },
              },
            },
          ],
        },
      ],
      virtualServices: [
        { name: 'alpha.local', spec: { provider: { virtualNode: { virtualNodeName: 'alpha' } } } },
        { name: 'gamma.local', spec: { provider: { virtualNode: { virtualNodeName: 'gamma' } } } },
        { name: 'web.local', spec: { provider: { virtualRouter: { virtualRouterName: 'web' } } } },
      ],
      virtualGateways: [
        {
          name: 'edge',
          spec: {
            listeners: [
              { portMapping: { port: gatewayPort, protocol: 'http' } },
              { portMapping: { port: h2Port, protocol: 'http2' } },
            ],
          },
          gatewayRoutes: [
            {
              name: 'a-host',
              spec: {
                httpRoute: {
                  match: { prefix: '/', hostname: { exact: 'a.example.com' } },
                  action: { target: target('alpha.local') },
                },
              },
            },
            {
              name: 'b-host',
              spec: {
                httpRoute: {
                  match: { prefix: '/', hostname: { exact: 'b.example.com' } },
                  action: { target: target('web.local') },
                },
              },
            },
            {
              name: 'wild',
              spec: {
                priority: 5,
                httpRoute: {
                  match: { prefix: '/wild', hostname: { suffix: '.wild.example.com' } },
                  action: { target: target('gamma.local') },
                },
              },
            },
            {
              name: 'api',
              spec: {
                priority: 10,
                httpRoute: { match: { prefix: '/api' }, action: { target: { ...target('web.local'), port: 80 } } },
              },
            },
            {
              name: 'custom-prefix',
              spec: {
                priority: 10,
                httpRoute: {
                  match: { prefix: '/v1/' },
                  action: { target: target('alpha.local'), rewrite: { prefix: { value: '/internal/v1/' } } },
                },
              },
            },
            {
              name: 'keep',
              spec: {
                priority: 10,
                httpRoute: {
                  match: { prefix: '/keep/' },
                  action: {
                    target: target('alpha.local'),
                    rewrite: { prefix: { defaultPrefix: 'DISABLED' }, hostname: { defaultTargetHostname: 'DISABLED' } },
                  },
                },
              },
            },
            {
              name: 'h2-gamma',
              spec: {
                http2Route: { match: { prefix: '/h2/' }, action: { target: target('gamma.local') } },
              },
            },
            {
              name: 'old',
              spec: {
                priority: 10,
                httpRoute: {
                  match: { path: { exact: '/old' } },
                  action: { target: target('gamma.local'), rewrite: { path: { exact: '/new' } } },
                },
              },
            },
          ],
        },
      ],
    });
    const { views, problems } = translate(snapshot, { ingress: ingressPort, egress: egressPort });
    expect(problems).toEqual([]);
    gateway = await startEnvoy(staticBootstrap(views.get('virtualGateway/edge')!, { adminPort: 0 }), {
      protobuf: true,
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await Promise.all([alpha, beta, gamma].map((u) => u?.close()));
  });

  it('routes by hostname: a.example.com and b.example.com reach different services', async () => {
    expect(await send(gatewayPort, 'a.example.com', '/hello')).toEqual({ status: 200, upstream: 'alpha' });
    expect(received(alpha)).toMatchObject({ path: '/hello', headers: { host: 'alpha.local' } });
    expect(await send(gatewayPort, 'b.example.com', '/hello')).toEqual({ status: 200, upstream: 'beta' });
    expect(received(beta)).toMatchObject({ path: '/hello', headers: { host: 'web.local' } });
    // With the port in Host too.
    expect((await send(gatewayPort, `a.example.com:${gatewayPort}`, '/hello')).upstream).toBe('alpha');
  });

  it("lets the target service's router pick the node after the gateway route picked the service", async () => {
    expect((await send(gatewayPort, 'b.example.com', '/hello', { 'x-canary': 'yes' })).upstream).toBe('gamma');
  });

  it('sends matched requests through its own egress listener (the self redirect)', async () => {
    const stats = await gateway.stats();
    const selfRedirect = `cluster.cds_ingress_edge-traffic_edge_self_redirect_${gatewayPort}_http_${egressPort}.upstream_rq_total`;
    expect(stats[selfRedirect]).toBeGreaterThan(0);
    expect(stats['http.egress.http.direct.downstream_rq_total']).toBe(stats[selfRedirect]);
  });

  it('serves HTTP/2 gateway routes on an HTTP/2 listener, through an HTTP/2 self redirect', async () => {
    expect(await sendH2(h2Port, 'h2.example.com', '/h2/ping')).toEqual({ status: 200, upstream: 'gamma' });
    expect(received(gamma)).toMatchObject({ path: '/ping', headers: { host: 'gamma.local' } });
    // HTTP gateway routes belong to the HTTP listener only.
    expect((await sendH2(h2Port, 'a.example.com', '/hello')).status).toBe(404);
    const stats = await gateway.stats();
    expect(
      stats[
        `cluster.cds_ingress_edge-traffic_edge_self_redirect_${h2Port}_http2_${egressPort}.upstream_cx_http2_total`
      ],
    ).toBe(1);
  });

  it('routes by hostname suffix, falling through to routes without a hostname', async () => {
    expect(await send(gatewayPort, 'x.wild.example.com', '/wild/thing')).toEqual({ status: 200, upstream: 'gamma' });
    expect(received(gamma).path).toBe('/thing');
    expect(await send(gatewayPort, 'x.wild.example.com:443', '/api/items')).toEqual({ status: 200, upstream: 'beta' });
    expect(received(beta).path).toBe('/items');
  });

  it('rewrites the matched prefix to / by default, and to a given value', async () => {
    expect(await send(gatewayPort, 'elsewhere.example.org', '/api/items?x=1')).toEqual({
      status: 200,
      upstream: 'beta',
    });
    expect(received(beta)).toMatchObject({ path: '/items?x=1', headers: { host: 'web.local' } });
    await send(gatewayPort, 'elsewhere.example.org', '/api');
    expect(received(beta).path).toBe('/');
    expect(await send(gatewayPort, 'elsewhere.example.org', '/v1/users')).toEqual({ status: 200, upstream: 'alpha' });
    expect(received(alpha).path).toBe('/internal/v1/users');
  });

  it("keeps the path and the client's Host when the rewrites are disabled", async () => {
    expect(await send(gatewayPort, 'keep.example.org', '/keep/file.txt')).toEqual({ status: 200, upstream: 'alpha' });
    expect(received(alpha)).toMatchObject({ path: '/keep/file.txt', headers: { host: 'keep.example.org' } });
  });

  it('rewrites an exactly matched path, keeping the query string', async () => {
    expect(await send(gatewayPort, 'elsewhere.example.org', '/old?q=1')).toEqual({ status: 200, upstream: 'gamma' });
    expect(received(gamma).path).toBe('/new?q=1');
  });

  it('answers 404 for an unmatched host and path, reaching no upstream', async () => {
    const before = alpha.hits() + beta.hits() + gamma.hits();
    expect(await send(gatewayPort, 'elsewhere.example.org', '/nothing')).toEqual({ status: 404, upstream: undefined });
    // `*.wild.example.com` needs something before the suffix; `/wild` has no route without a hostname.
    expect(await send(gatewayPort, 'wild.example.com', '/wild')).toEqual({ status: 404, upstream: undefined });
    expect(alpha.hits() + beta.hits() + gamma.hits()).toBe(before);
  });

  it('does not let a client choose the service with the internal target header, nor see it upstream', async () => {
    const result = await send(gatewayPort, 'a.example.com', '/hello', { [GATEWAY_TARGET_HEADER]: 'gamma.local' });
    expect(result.upstream).toBe('alpha');
    expect(received(alpha).headers[GATEWAY_TARGET_HEADER]).toBeUndefined();
  });
});

/**
 * A gateway listener in STRICT TLS with mTLS validation (the test CA, client SAN
 * frontend.shop.local): clients outside the mesh reach the target service over HTTPS with a client
 * certificate, and are refused without one.
 */
describe('translated virtual gateway with an mTLS listener in a real Envoy', () => {
  let target: Upstream;
  let gateway: RunningEnvoy;
  let tlsPort: number;

  beforeAll(async () => {
    target = await startUpstream('secure');
    let ingressPort: number;
    let egressPort: number;
    [tlsPort, ingressPort, egressPort] = (await freePorts(3)) as [number, number, number];
    const snapshot = buildSnapshot({
      mesh: { name: 'edge-tls', spec: { egressFilter: { type: 'DROP_ALL' } } },
      virtualNodes: [
        {
          name: 'secure',
          spec: {
            listeners: [{ portMapping: { port: target.port, protocol: 'http' } }],
            serviceDiscovery: { dns: { hostname: '127.0.0.1' } },
          },
        },
      ],
      virtualServices: [{ name: 'secure.local', spec: { provider: { virtualNode: { virtualNodeName: 'secure' } } } }],
      virtualGateways: [
        {
          name: 'edge',
          spec: {
            listeners: [
              {
                portMapping: { port: tlsPort, protocol: 'http' },
                tls: {
                  mode: 'STRICT',
                  certificate: {
                    file: {
                      certificateChain: cert('test-catalog-server.crt'),
                      privateKey: cert('test-catalog-server.key'),
                    },
                  },
                  validation: {
                    trust: { file: { certificateChain: cert('test-ca.crt') } },
                    subjectAlternativeNames: { match: { exact: ['frontend.shop.local'] } },
                  },
                },
              },
            ],
          },
          gatewayRoutes: [
            {
              name: 'all',
              spec: {
                httpRoute: {
                  match: { prefix: '/' },
                  action: { target: { virtualService: { virtualServiceName: 'secure.local' } } },
                },
              },
            },
          ],
        },
      ],
    });
    const { views, problems } = translate(snapshot, { ingress: ingressPort, egress: egressPort });
    expect(problems).toEqual([]);
    gateway = await startEnvoy(staticBootstrap(views.get('virtualGateway/edge')!, { adminPort: 0 }), {
      protobuf: true,
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await target?.close();
  });

  it('carries an HTTPS request with the client certificate to the target service', async () => {
    const before = target.hits();
    expect(await sendHttps(tlsPort, 'shop.example.com', '/orders', true)).toEqual({ status: 200, upstream: 'secure' });
    expect(target.hits() - before).toBe(1);
    expect(target.requests[target.requests.length - 1]).toMatchObject({
      path: '/orders',
      headers: { host: 'secure.local' },
    });
  });

  it('rejects an HTTPS client without a client certificate, and plaintext, reaching no upstream', async () => {
    const before = target.hits();
    const noCert = `listener.0.0.0.0_${tlsPort}.ssl.fail_verify_no_cert`;
    const rejected = (await gateway.stats())[noCert] ?? 0;
    await expect(sendHttps(tlsPort, 'shop.example.com', '/orders', false)).rejects.toThrow();
    await expect(send(tlsPort, 'shop.example.com', '/orders')).rejects.toThrow();
    expect(target.hits() - before).toBe(0);
    expect((await gateway.stats())[noCert] ?? 0).toBeGreaterThan(rejected);
  });
});
