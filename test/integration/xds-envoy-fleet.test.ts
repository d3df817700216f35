import { DeleteRouteCommand, UpdateVirtualNodeCommand, type AppMeshClient } from '@aws-sdk/client-app-mesh';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { CreatedTenant } from '../../src/tenants/tenants.service.js';
import {
  countUpstreams,
  freePorts,
  sendHttp,
  startEnvoy,
  startUpstream,
  type RunningEnvoy,
  type Upstream,
} from '../support/envoy.js';
import { eventually } from '../support/eventually.js';
import { createShopMesh, mainRouteUpdate } from '../support/mesh-fixture.js';
import { spawnNode, waitFor200, type Spawned } from '../support/processes.js';
import { call, startTestApp, type TestApp } from '../support/test-app.js';
import { testEnv } from '../support/test-config.js';
import { appMeshClient, createTenant } from '../support/tenant-builder.js';

type Json = Record<string, any>;

/**
 * The whole path with real parts: the App Mesh API (real AWS SDK) commits, the worker compiles
 * through the reconcile queue, two xDS shard processes serve from Redis, and a real Envoy started
 * from the bootstrap endpoint routes real HTTP to local upstreams. Then the failures: a config
 * Envoy rejects (NACK), and a shard killed with SIGKILL.
 */
describe('Envoy on the xDS fleet (API → worker → two shards → Envoy)', () => {
  let app: TestApp;
  let tenant: CreatedTenant;
  let mesh: AppMeshClient;
  let blue: Upstream;
  let green: Upstream;
  let envoy: RunningEnvoy;
  const shards: Record<string, { proc: Spawned; port: number; http: number }> = {};
  let egressPort: number;
  let ingressPort: number;

  const get = async (path: string) =>
    (await call(app.baseUrl, 'GET', path, { authorization: `Bearer ${tenant.apiToken.token}` })).body as Json;
  const upstreams = (n: number) => countUpstreams(egressPort, 'api.shop.local:8080', n);
  const setWeights = (weights: Record<string, number>) => mesh.send(mainRouteUpdate(weights));

  beforeAll(async () => {
    const env = testEnv({ RECONCILE_DEBOUNCE_MS: '20' });
    app = await startTestApp(['api', 'worker'], env);
    [blue, green] = await Promise.all([startUpstream('blue'), startUpstream('green')]);
    tenant = await createTenant(app);
    mesh = appMeshClient(app, tenant.accessKey);
    await createShopMesh(mesh, {
      nodes: { blue: { host: '127.0.0.1', port: blue.port }, green: { host: '127.0.0.1', port: green.port } },
      weights: { blue: 1, green: 1 },
    });
    const [portA, httpA, portB, httpB, admin, ingress, egress] = await freePorts(7);
    egressPort = egress!;
    ingressPort = ingress!;
    for (const [id, port, http] of [
      ['shard-a', portA!, httpA!],
      ['shard-b', portB!, httpB!],
    ] as const) {
      const proc = spawnNode('dist/main.xds.js', [], {
        ...env,
        XDS_PORT: String(port),
        XDS_HTTP_PORT: String(http),
        XDS_SHARD_ID: id,
      });
      shards[id] = { proc, port, http };
    }
    await Promise.all(Object.values(shards).map((s) => waitFor200(`http://127.0.0.1:${s.http}/readyz`, s.proc)));

    const query = `xdsHost=127.0.0.1&xdsPort=${portA}&adminPort=${admin}&ingressPort=${ingress}&egressPort=${egress}`;
    const res = await call(app.baseUrl, 'GET', `/v1/meshes/shop/virtualNodes/web/bootstrap?${query}`, {
      authorization: `Bearer ${tenant.apiToken.token}`,
    });
    expect(res.status).toBe(200);
    const bootstrap = parse(res.body as string) as Json;
    // Both shards behind the xDS address, as an L4 load balancer would put them.
    const xds = bootstrap['static_resources']['clusters'].find((c: Json) => c['name'] === 'xds_cluster');
    xds['load_assignment']['endpoints'][0]['lb_endpoints'] = [portA, portB].map((port_value) => ({
      endpoint: { address: { socket_address: { address: '127.0.0.1', port_value } } },
    }));
    envoy = await startEnvoy(bootstrap, { readyTimeoutMs: 30_000 });
  }, 90_000);

  afterAll(async () => {
    await envoy?.stop();
    for (const s of Object.values(shards)) s.proc.child.kill('SIGKILL');
    await Promise.all([blue?.close(), green?.close()]);
    await app?.close();
  });

  it('routes by the weights of the route, through the egress port with the virtual service as Host', async () => {
    const seen = await upstreams(60);
    expect(seen['blue']).toBeGreaterThanOrEqual(15);
    expect(seen['green']).toBeGreaterThanOrEqual(15);
    expect((seen['blue'] ?? 0) + (seen['green'] ?? 0)).toBe(60);
  });

  it('shows the Envoy in the proxies API, in sync, and the mesh status as landed', async () => {
    const status = await eventually('mesh in sync', 5_000, async () => {
      const s = await get('/v1/meshes/shop/status');
      return s['inSync'] ? s : undefined;
    });
    expect(status['proxies']).toMatchObject({ connected: 1, inSync: 1, withNack: 0 });
    const [proxy] = status['proxyDetails'] as Json[];
    expect(proxy).toMatchObject({
      kind: 'virtualNode',
      name: 'web',
      nodeId: expect.stringContaining(':mesh/shop/virtualNode/web'),
    });
    expect(proxy!['userAgent']).toMatch(/^envoy\//);
    expect(Object.keys(proxy!['acked'])).toEqual(
      expect.arrayContaining([
        'type.googleapis.com/envoy.config.cluster.v3.Cluster',
        'type.googleapis.com/envoy.config.listener.v3.Listener',
      ]),
    );
  });

  it('follows a weight change to 0/100 within 2 s', async () => {
    const started = Date.now();
    await setWeights({ blue: 0, green: 1 });
    await eventually('all traffic on green', 2_000, async () => {
      const seen = await upstreams(10);
      return seen['green'] === 10 ? seen : undefined;
    });
    expect(Date.now() - started).toBeLessThan(2_000);
    const seen = await upstreams(30);
    expect(seen).toEqual({ green: 30 });
  });

  it('reports a configuration Envoy rejects, with its error, while traffic keeps flowing', async () => {
    // A TLS certificate file that does not exist: valid for the API, rejected by Envoy when it loads the listener.
    await mesh.send(
      new UpdateVirtualNodeCommand({
        meshName: 'shop',
        virtualNodeName: 'web',
        spec: {
          listeners: [
            {
              portMapping: { port: 9080, protocol: 'http' },
              tls: {
                mode: 'STRICT',
                certificate: {
                  file: { certificateChain: '/nonexistent/cert.pem', privateKey: '/nonexistent/key.pem' },
                },
              },
            },
          ],
          serviceDiscovery: { dns: { hostname: 'web.local' } },
          backends: [{ virtualService: { virtualServiceName: 'api.shop.local' } }],
        },
      }),
    );
    const nack = await eventually('NACK in the proxies API', 10_000, async () => {
      const { proxies } = await get('/v1/meshes/shop/proxies');
      return (proxies as Json[]).find((p) => p['lastNack'])?.['lastNack'] as Json | undefined;
    });
    expect(nack['typeUrl']).toBe('type.googleapis.com/envoy.config.listener.v3.Listener');
    expect(nack['message']).toMatch(/lds_ingress_.*\/nonexistent\//);
    expect(nack['resources']).toContainEqual(expect.objectContaining({ name: `lds_ingress_0.0.0.0_${ingressPort}` }));
    const status = await get('/v1/meshes/shop/status');
    expect(status['inSync']).toBe(false);
    expect(status['proxies']['withNack']).toBe(1);
    expect(await upstreams(10)).toEqual({ green: 10 });

    // Fixing the configuration brings the proxy back in sync.
    await mesh.send(
      new UpdateVirtualNodeCommand({
        meshName: 'shop',
        virtualNodeName: 'web',
        spec: {
          listeners: [{ portMapping: { port: 9080, protocol: 'http' } }],
          serviceDiscovery: { dns: { hostname: 'web.local' } },
          backends: [{ virtualService: { virtualServiceName: 'api.shop.local' } }],
        },
      }),
    );
    await eventually('back in sync', 10_000, async () =>
      (await get('/v1/meshes/shop/status'))['inSync'] ? true : undefined,
    );
  });

  it('keeps routing when its shard is SIGKILLed, reconnects to the other shard, and gets later changes', async () => {
    const { proxies } = await get('/v1/meshes/shop/proxies');
    const first = (proxies as Json[])[0]!['shard'] as string;
    const other = first === 'shard-a' ? 'shard-b' : 'shard-a';
    shards[first]!.proc.child.kill('SIGKILL');
    await shards[first]!.proc.exited;
    expect(await upstreams(20)).toEqual({ green: 20 });

    await eventually(`Envoy on ${other}`, 20_000, async () => {
      const now = (await get('/v1/meshes/shop/proxies'))['proxies'] as Json[];
      return now.some((p) => p['shard'] === other && p['syncedVersion']) ? true : undefined;
    });
    await setWeights({ blue: 1, green: 0 });
    await eventually('all traffic on blue', 5_000, async () => {
      const seen = await upstreams(10);
      return seen['blue'] === 10 ? seen : undefined;
    });
  });

  it('stops matching a deleted route', async () => {
    await mesh.send(new DeleteRouteCommand({ meshName: 'shop', virtualRouterName: 'api-router', routeName: 'main' }));
    await eventually('no route', 5_000, async () => {
      const res = await sendHttp(egressPort, 'api.shop.local:8080', '/');
      return res.status === 404 ? res : undefined;
    });
  });
});
