import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateMeshCommand,
  CreateRouteCommand,
  CreateVirtualNodeCommand,
  CreateVirtualRouterCommand,
  CreateVirtualServiceCommand,
  UpdateRouteCommand,
  type AppMeshClient,
} from '@aws-sdk/client-app-mesh';
import * as grpc from '@grpc/grpc-js';
import { register as registerXds } from '@grpc/grpc-js-xds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedTenant } from '../../src/tenants/tenants.service.js';
import { XdsGrpcServer } from '../../src/xds-fleet/server/xds-grpc-server.service.js';
import { TYPE } from '../../src/xds-fleet/translator/envoy-types.js';
import { call, startTestApp, type TestApp } from '../support/test-app.js';
import { appMeshClient, createTenant } from '../support/tenant-builder.js';

type Json = Record<string, any>;

const MESH = 'greet';
const SERVICE = `greeter.${MESH}.local`;
const ROUTER_PORT = 50051;
/** A generic unary method: raw bytes in, the answering server's name out (no .proto needed). */
const HELLO = '/meshtest.Greeter/Hello';
const passthrough = (b: Buffer) => b;
/**
 * grpc-js-xds reads GRPC_XDS_BOOTSTRAP once per process, for every channel; this channel option
 * (read by its resolver, resolver-xds.js) gives one channel its own bootstrap, hence its own
 * XdsClient, ADS stream and identity. Used for the second identity only.
 */
const BOOTSTRAP_CONFIG_OPTION = 'grpc.TEST_ONLY_DO_NOT_USE_IN_PROD.xds_bootstrap_config';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

function hello(client: grpc.Client, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) =>
    client.makeUnaryRequest(
      HELLO,
      passthrough,
      passthrough,
      Buffer.alloc(0),
      { deadline: Date.now() + timeoutMs },
      (err, reply) => (err ? reject(err) : resolve(reply!.toString('utf8'))),
    ),
  );
}

async function tally(client: grpc.Client, n: number): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const backend = await hello(client);
    counts[backend] = (counts[backend] ?? 0) + 1;
  }
  return counts;
}

/**
 * A real proxyless gRPC client (@grpc/grpc-js-xds), bootstrapped from this product's bootstrap
 * endpoint, makes real RPCs through `xds:///<virtual service>` to two real gRPC servers, with the
 * listener, routes, weighted clusters and endpoints served by this product's xDS server (api,
 * worker and xds roles in one process; the mesh built through the real AWS SDK). A route change
 * made through the SDK reaches the client; another identity without the backend cannot resolve
 * the service; the proxies API lists the client.
 */
describe('proxyless gRPC client served by the xDS fleet', () => {
  let app: TestApp;
  let tenant: CreatedTenant;
  let sdk: AppMeshClient;
  let xdsPort: number;
  let dir: string;
  const servers: grpc.Server[] = [];
  const ports: Record<string, number> = {};
  const clients: grpc.Client[] = [];

  const api = (method: string, path: string, body?: unknown) =>
    call(app.baseUrl, method, path, { authorization: `Bearer ${tenant.apiToken.token}` }, body);
  const bootstrapOf = async (node: string): Promise<Json> => {
    const res = await api(
      'GET',
      `/v1/meshes/${MESH}/virtualNodes/${node}/bootstrap?format=grpc&xdsHost=127.0.0.1&xdsPort=${xdsPort}`,
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as Json;
  };
  const channel = (target: string, options: grpc.ChannelOptions = {}) => {
    const c = new grpc.Client(target, grpc.credentials.createInsecure(), options);
    clients.push(c);
    return c;
  };
  /** Waits until the worker has compiled (and published) every committed change of the mesh. */
  const compiled = () =>
    until(
      'the mesh to be compiled',
      async () => {
        const res = await api('GET', `/v1/meshes/${MESH}/status`);
        const s = res.body as Json;
        return res.status === 200 && s['compiledVersion'] && BigInt(s['compiledGeneration']) >= BigInt(s['generation'])
          ? s
          : undefined;
      },
      20_000,
    );

  async function startServer(name: string): Promise<number> {
    const server = new grpc.Server();
    server.addService(
      {
        Hello: {
          path: HELLO,
          requestStream: false,
          responseStream: false,
          requestSerialize: passthrough,
          requestDeserialize: passthrough,
          responseSerialize: passthrough,
          responseDeserialize: passthrough,
        },
      },
      { Hello: (_call: unknown, cb: grpc.sendUnaryData<Buffer>) => cb(null, Buffer.from(name)) },
    );
    servers.push(server);
    return new Promise<number>((done, fail) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) =>
        err ? fail(err) : done(port),
      ),
    );
  }

  const route = (weights: { blue: number; green: number }) => ({
    grpcRoute: {
      match: { serviceName: 'meshtest.Greeter' },
      action: {
        weightedTargets: [
          { virtualNode: 'blue', weight: weights.blue },
          { virtualNode: 'green', weight: weights.green },
        ],
      },
    },
  });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'meshplane-proxyless-grpc-'));
    ports['blue'] = await startServer('blue');
    ports['green'] = await startServer('green');

    app = await startTestApp(['api', 'worker', 'xds'], { RECONCILE_DEBOUNCE_MS: '10' });
    xdsPort = app.app.get(XdsGrpcServer).port!;
    tenant = await createTenant(app);
    sdk = appMeshClient(app, tenant.accessKey);

    await sdk.send(new CreateMeshCommand({ meshName: MESH }));
    for (const name of ['blue', 'green']) {
      await sdk.send(
        new CreateVirtualNodeCommand({
          meshName: MESH,
          virtualNodeName: name,
          spec: {
            listeners: [{ portMapping: { port: ports[name]!, protocol: 'grpc' } }],
            serviceDiscovery: { dns: { hostname: '127.0.0.1' } },
          },
        }),
      );
    }
    await sdk.send(
      new CreateVirtualRouterCommand({
        meshName: MESH,
        virtualRouterName: 'greeter',
        spec: { listeners: [{ portMapping: { port: ROUTER_PORT, protocol: 'grpc' } }] },
      }),
    );
    await sdk.send(
      new CreateRouteCommand({
        meshName: MESH,
        virtualRouterName: 'greeter',
        routeName: 'split',
        spec: route({ blue: 50, green: 50 }),
      }),
    );
    await sdk.send(
      new CreateVirtualServiceCommand({
        meshName: MESH,
        virtualServiceName: SERVICE,
        spec: { provider: { virtualRouter: { virtualRouterName: 'greeter' } } },
      }),
    );
    await sdk.send(
      new CreateVirtualNodeCommand({
        meshName: MESH,
        virtualNodeName: 'client',
        spec: {
          listeners: [{ portMapping: { port: 8080, protocol: 'grpc' } }],
          serviceDiscovery: { dns: { hostname: 'client.local' } },
          backends: [{ virtualService: { virtualServiceName: SERVICE } }],
        },
      }),
    );
    await compiled();

    // The process-wide bootstrap, as an application would use it: a file named by GRPC_XDS_BOOTSTRAP.
    const bootstrap = await bootstrapOf('client');
    const file = join(dir, 'client-bootstrap.json');
    writeFileSync(file, JSON.stringify(bootstrap), { mode: 0o600 });
    delete process.env['GRPC_XDS_BOOTSTRAP_CONFIG'];
    process.env['GRPC_XDS_BOOTSTRAP'] = file;
    registerXds();
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    for (const s of servers) s.forceShutdown();
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('splits real RPCs across blue and green by the route weights (50/50)', async () => {
    const greeter = channel(`xds:///${SERVICE}`);
    const counts = await tally(greeter, 100);
    expect(Object.keys(counts).sort()).toEqual(['blue', 'green']);
    // 100 draws at p = 0.5: mean 50, standard deviation 5; 20 is 6 sigma away.
    expect(counts['blue']).toBeGreaterThanOrEqual(20);
    expect(counts['green']).toBeGreaterThanOrEqual(20);
  });

  it('serves the target with the router port (xds:///<service>:<port>) too', async () => {
    const greeter = channel(`xds:///${SERVICE}:${ROUTER_PORT}`);
    const counts = await tally(greeter, 40);
    expect(Object.keys(counts).sort()).toEqual(['blue', 'green']);
  });

  it('moves all RPCs to green within seconds of a route update through the SDK', async () => {
    const greeter = channel(`xds:///${SERVICE}`);
    expect(['blue', 'green']).toContain(await hello(greeter));
    await sdk.send(
      new UpdateRouteCommand({
        meshName: MESH,
        virtualRouterName: 'greeter',
        routeName: 'split',
        spec: route({ blue: 0, green: 100 }),
      }),
    );
    const started = Date.now();
    await until(
      'every RPC to go to green',
      async () => {
        const counts = await tally(greeter, 20);
        return counts['blue'] === undefined ? counts : undefined;
      },
      10_000,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await tally(greeter, 50)).toEqual({ green: 50 });
    // A new channel of the same client sees the new route from its first RPC.
    expect(await tally(channel(`xds:///${SERVICE}`), 10)).toEqual({ green: 10 });
  });

  it('lists the gRPC client in the proxies API, with its gRPC user agent', async () => {
    const proxies = await until('the client in the proxies API', async () => {
      const res = await api('GET', `/v1/meshes/${MESH}/proxies`);
      expect(res.status).toBe(200);
      const list = (res.body as Json)['proxies'] as Json[];
      return list.some((p) => p['name'] === 'client') ? list : undefined;
    });
    const mine = proxies.filter((p) => p['name'] === 'client');
    // One ADS stream per process-wide XdsClient, shared by every channel of the bootstrap.
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      kind: 'virtualNode',
      nodeId: `arn:aws:appmesh:${app.config.region}:${tenant.accountId}:mesh/${MESH}/virtualNode/client`,
      cluster: 'client',
      locality: { zone: 'default' },
      protocol: 'sotw',
    });
    expect(mine[0]!['userAgent']).toMatch(/^gRPC Node/);
    // The token is never shown back.
    expect(JSON.stringify(mine[0])).not.toContain('mpx_');
    // It ACKs everything it is sent and comes to hold the mesh's latest compile (the 0/100 route).
    const synced = await until('the client to be in sync', async () => {
      const res = await api('GET', `/v1/meshes/${MESH}/proxies`);
      const me = ((res.body as Json)['proxies'] as Json[]).find((p) => p['name'] === 'client');
      return me?.['inSync'] === true ? me : undefined;
    });
    expect(synced['lastNack']).toBeUndefined();
    expect(Object.keys(synced['acked']).sort()).toEqual(
      [TYPE.cluster, TYPE.clusterLoadAssignment, TYPE.listener, TYPE.routeConfiguration].sort(),
    );
  });

  it('does not let an identity without the backend resolve the service', async () => {
    // The per-channel bootstrap works: another bootstrap of `client` (its own token, XdsClient and
    // ADS stream) resolves the service.
    const again = channel(`xds:///${SERVICE}`, {
      [BOOTSTRAP_CONFIG_OPTION]: JSON.stringify(await bootstrapOf('client')),
    });
    expect(['blue', 'green']).toContain(await hello(again));

    // blue's own token and node.id (blue has no backends): authenticated, but its view lacks the service.
    const outsider = channel(`xds:///${SERVICE}`, {
      [BOOTSTRAP_CONFIG_OPTION]: JSON.stringify(await bootstrapOf('blue')),
    });
    // The RPC waits for name resolution, which never completes: the server answers the Listener
    // request without the Listener. grpc-js-xds 1.14 then declares the Listener missing after its
    // 15 s resource timer (channel in TRANSIENT_FAILURE, "LDS resource does not exist"), yet an RPC
    // already queued for name resolution still ends only at its deadline (measured).
    const failure = await hello(outsider, 3_000).then(
      (reply) => new Error(`resolved the service and reached ${reply}`),
      (err: grpc.ServiceError) => err,
    );
    expect([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED]).toContain((failure as grpc.ServiceError).code);
    await until(
      'the outsider channel to give up on the Listener',
      async () =>
        outsider.getChannel().getConnectivityState(true) === grpc.connectivityState.TRANSIENT_FAILURE
          ? true
          : undefined,
      20_000,
    );

    // It was not refused at the door: blue's stream is connected, ACKed what it was sent (nothing), NACKed nothing.
    const res = await api('GET', `/v1/meshes/${MESH}/proxies`);
    const blues = ((res.body as Json)['proxies'] as Json[]).filter((p) => p['name'] === 'blue');
    expect(blues).toHaveLength(1);
    expect(blues[0]!['userAgent']).toMatch(/^gRPC Node/);
    expect(blues[0]!['acked']).toHaveProperty([TYPE.listener]);
    expect(blues[0]!['acked']).not.toHaveProperty([TYPE.routeConfiguration]);
    expect(blues[0]!['lastNack']).toBeUndefined();
    // ...while the client identity, in the same process, still resolves it.
    expect(['blue', 'green']).toContain(await hello(channel(`xds:///${SERVICE}`)));
  }, 45_000);
});
