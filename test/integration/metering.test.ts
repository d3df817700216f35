import { randomUUID } from 'node:crypto';
import { CreateMeshCommand, CreateVirtualGatewayCommand, CreateVirtualNodeCommand } from '@aws-sdk/client-app-mesh';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ApiRequestMeter } from '../../src/billing/metering/api-request-meter.js';
import { HOUR_MS } from '../../src/billing/metering/hours.js';
import { MeteringClock } from '../../src/billing/metering/metering-clock.js';
import { ResourceSampler } from '../../src/billing/metering/resource-sampler.js';
import { SessionLedgerRepository } from '../../src/billing/metering/session-ledger.repository.js';
import { SessionMeter } from '../../src/billing/metering/session-meter.js';
import { UsageRollup } from '../../src/billing/metering/usage-rollup.service.js';
import { MetricsService } from '../../src/platform/metrics/metrics.service.js';
import { PrismaService } from '../../src/platform/prisma/prisma.service.js';
import { TenantsService, type CreatedTenant } from '../../src/tenants/tenants.service.js';
import { ProxyTokenService } from '../../src/xds-fleet/identity/proxy-tokens.service.js';
import { XdsGrpcServer } from '../../src/xds-fleet/server/xds-grpc-server.service.js';
import { TYPE } from '../../src/xds-fleet/translator/envoy-types.js';
import { adsClient, openAds, type AdsStream } from '../support/ads-client.js';
import { eventually } from '../support/eventually.js';
import { freePort, spawnNode, waitFor200, type Spawned } from '../support/processes.js';
import { freePorts } from '../support/envoy.js';
import { call, startTestApp, type TestApp } from '../support/test-app.js';
import { testEnv } from '../support/test-config.js';
import { appMeshClient, createTenant } from '../support/tenant-builder.js';

const MIN = 60_000;
const ENVOY = { user_agent_name: 'envoy', user_agent_version: '1.36.2' };
const GRPC = { user_agent_name: 'gRPC Node Pure JS', user_agent_version: '1.14.0' };
const QUEUE_PREFIX = `{meter-${randomUUID().slice(0, 8)}}`;

/**
 * Metering end to end, against real PostgreSQL and Redis and real xDS sessions (the raw ADS
 * client): session time per virtual node across hour boundaries, Envoys and proxyless clients
 * apart; a shard SIGKILLed mid-session; the rollup run twice and killed half-way; late data as
 * adjustments; API requests by class; resource gauges; tenants never mixed.
 *
 * Metering time is the app's MeteringClock, moved by the test (the hours are in a random day of
 * 2030, after the real-time hours other test files meter, so this file's rollups come in order).
 * The tests run in order: each rolls up hours after the previous one's.
 */
describe('metering', () => {
  let app: TestApp;
  let prisma: PrismaService;
  let alice: CreatedTenant;
  let bob: CreatedTenant;
  let client: grpc.Client;
  let now = 0;
  const streams: AdsStream[] = [];
  const spawned: Spawned[] = [];
  /** 00:00 of a random day in 2030 (UTC): this run's hours are its own, also in Redis. */
  const day = Date.parse('2030-01-01T00:00:00Z') + Math.floor(Math.random() * 360) * 24 * HOUR_MS;
  const at = (hhmm: string) => day + Number(hhmm.slice(0, 2)) * HOUR_MS + Number(hhmm.slice(3, 5)) * MIN;

  const tenantIdOf = async (t: CreatedTenant) => (await app.app.get(TenantsService).scopeOf(t.accountId)).tenantId;
  const token = async (t: CreatedTenant, name: string, kind: 'virtualNode' | 'virtualGateway' = 'virtualNode') =>
    (
      await app.app
        .get(ProxyTokenService)
        .issue(await app.app.get(TenantsService).scopeOf(t.accountId), 'shop', kind, name)
    ).token;
  const arn = (t: CreatedTenant, node: string, kind = 'virtualNode') =>
    `arn:aws:appmesh:${app.config.region}:${t.accountId}:mesh/shop/${kind}/${node}`;

  /** A session of `node` admitted and served (its first response received), its start written. */
  async function connect(
    t: CreatedTenant,
    node: string,
    agent: Record<string, string>,
    port = app.app.get(XdsGrpcServer).port!,
    kind: 'virtualNode' | 'virtualGateway' = 'virtualNode',
  ): Promise<AdsStream> {
    const c = port === app.app.get(XdsGrpcServer).port ? client : adsClient(port);
    const stream = openAds(c, 'sotw', await token(t, node, kind));
    streams.push(stream);
    stream.send({ node: { id: `mesh/shop/${kind}/${node}`, cluster: node, ...agent }, type_url: TYPE.cluster });
    await stream.next(15_000);
    return stream;
  }

  /** Closes the stream and waits until its end is written (at the clock's time, which stays put meanwhile). */
  async function disconnect(t: CreatedTenant, stream: AdsStream): Promise<void> {
    const tenantId = await tenantIdOf(t);
    const where = { tenantId, closedAt: new Date(now) };
    const ended = await prisma.meteredSession.count({ where });
    stream.close();
    await eventually('the session end written', 10_000, async () =>
      (await prisma.meteredSession.count({ where })) > ended ? true : undefined,
    );
  }

  /** Buckets and adjustments of a tenant, as `hh:mm meter dimension` → quantity. */
  async function usage(t: CreatedTenant, table: 'buckets' | 'adjustments' | 'both' = 'both') {
    const tenantId = await tenantIdOf(t);
    const rows = [
      ...(table === 'adjustments' ? [] : await prisma.usageHour.findMany({ where: { tenantId } })),
      ...(table === 'buckets' ? [] : await prisma.usageAdjustment.findMany({ where: { tenantId } })),
    ];
    const out: Record<string, number> = {};
    for (const r of rows) {
      if (r.hour.getTime() < day) continue; // real-time hours of the shard test
      const hh = String((r.hour.getTime() - day) / HOUR_MS).padStart(2, '0');
      const key = `${hh}:00 ${r.meter} ${r.dimension}`;
      out[key] = (out[key] ?? 0) + Number(r.quantity);
    }
    return out;
  }

  const setClock = (ms: number) => (now = ms);
  const rollupAt = (ms: number, afterBatch?: (hour: number, batches: number) => void) =>
    app.app.get(UsageRollup).run({ now: ms, ...(afterBatch ? { afterBatch } : {}) });

  beforeAll(async () => {
    app = await startTestApp(['api', 'worker', 'xds'], {
      RECONCILE_DEBOUNCE_MS: '10',
      METERING_FLUSH_INTERVAL_MS: '100',
      METERING_HEARTBEAT_MS: '200',
      METERING_API_FLUSH_MS: '100',
      METERING_ROLLUP_INTERVAL_MS: '3600000',
      METERING_SAMPLE_INTERVAL_MS: '1800000',
      // Queues of its own: no other test file's worker runs this app's jobs (with its clock).
      QUEUE_PREFIX: QUEUE_PREFIX,
    });
    prisma = app.app.get(PrismaService);
    [alice, bob] = await Promise.all([createTenant(app), createTenant(app)]);
    for (const t of [alice, bob]) {
      const mesh = appMeshClient(app, t.accessKey);
      await mesh.send(new CreateMeshCommand({ meshName: 'shop' }));
      for (const name of ['web', 'api'])
        await mesh.send(
          new CreateVirtualNodeCommand({
            meshName: 'shop',
            virtualNodeName: name,
            spec: {
              listeners: [{ portMapping: { port: 8080, protocol: 'http' } }],
              serviceDiscovery: { dns: { hostname: `${name}.shop.local` } },
            },
          }),
        );
      await mesh.send(
        new CreateVirtualGatewayCommand({
          meshName: 'shop',
          virtualGatewayName: 'edge',
          spec: { listeners: [{ portMapping: { port: 8443, protocol: 'http' } }] },
        }),
      );
    }
    client = adsClient(app.app.get(XdsGrpcServer).port!);
  });

  afterAll(async () => {
    vi.restoreAllMocks();
    for (const s of streams) s.close();
    client?.close();
    for (const p of spawned) p.child.kill('SIGKILL');
    await app?.close();
  });

  it('ends the sessions of a SIGKILLed shard at its last heartbeat, not when the rollup finds it dead', async () => {
    const [xdsPort, httpPort] = (await freePorts(2)) as [number, number];
    const shard = spawnNode('dist/main.xds.js', [], {
      ...testEnv({ MESH_MASTER_KEY: app.config.masterKey, MESH_ADMIN_TOKEN: app.config.adminToken }),
      QUEUE_PREFIX,
      XDS_PORT: String(xdsPort),
      XDS_HTTP_PORT: String(httpPort),
      METERING_FLUSH_INTERVAL_MS: '100',
      METERING_HEARTBEAT_MS: '300',
    });
    spawned.push(shard);
    await waitFor200(`http://127.0.0.1:${httpPort}/readyz`, shard);
    await connect(alice, 'api', ENVOY, xdsPort);
    const tenantId = await tenantIdOf(alice);
    const session = await eventually(
      'the session written by the shard',
      10_000,
      async () => (await prisma.meteredSession.findFirst({ where: { tenantId, closedAt: null } })) ?? undefined,
    );
    const run = () => prisma.meteringShardRun.findUniqueOrThrow({ where: { id: session.shardRunId } });
    const firstBeat = (await run()).lastSeenAt.getTime();
    await eventually('a later heartbeat', 10_000, async () =>
      (await run()).lastSeenAt.getTime() > firstBeat + 500 ? true : undefined,
    );
    shard.child.kill('SIGKILL');
    await shard.exited;
    const killedAt = Date.now();
    const lastBeat = (await run()).lastSeenAt.getTime();

    // Found dead long after: the rollup runs as if two hours had passed.
    const outcome = await rollupAt(killedAt + 2 * HOUR_MS);
    expect(outcome.deadSessions).toBeGreaterThanOrEqual(1);
    const ended = await prisma.meteredSession.findUniqueOrThrow({ where: { id: session.id } });
    expect(ended.closedAt?.getTime()).toBe(lastBeat);
    expect(lastBeat).toBeLessThanOrEqual(killedAt);
    expect(lastBeat).toBeGreaterThan(killedAt - 2_000);

    // Billed exactly from connect to last heartbeat, per hour (a session may straddle one).
    const connected = ended.connectedAt.getTime();
    const expected: Record<number, number> = {};
    for (let h = Math.floor(connected / HOUR_MS) * HOUR_MS; h < lastBeat; h += HOUR_MS)
      expected[h] = Math.round((Math.min(lastBeat, h + HOUR_MS) - Math.max(connected, h)) / 1000);
    const billed: Record<number, number> = {};
    for (const table of [prisma.usageHour, prisma.usageAdjustment] as const) {
      const rows = await (table as typeof prisma.usageHour).findMany({
        where: { tenantId, meter: 'proxy_seconds', dimension: arn(alice, 'api') },
      });
      for (const r of rows) billed[r.hour.getTime()] = (billed[r.hour.getTime()] ?? 0) + Number(r.quantity);
    }
    expect(billed).toEqual(Object.fromEntries(Object.entries(expected).filter(([, q]) => q > 0)));
  });

  it('meters sessions across hour boundaries per virtual node and gateway, Envoys and proxyless clients apart, tenants apart', async () => {
    vi.spyOn(app.app.get(MeteringClock), 'now').mockImplementation(() => now);
    const meter = app.app.get(SessionMeter);
    setClock(at('10:50'));
    const envoy = await connect(alice, 'web', ENVOY);
    const grpcClient = await connect(alice, 'web', GRPC);
    const open = await connect(alice, 'api', ENVOY);
    const gateway = await connect(alice, 'edge', ENVOY, app.app.get(XdsGrpcServer).port!, 'virtualGateway');
    const bobs = await connect(bob, 'web', ENVOY);
    await meter.flush();

    setClock(at('11:10'));
    await disconnect(alice, envoy);
    await disconnect(alice, gateway);
    await disconnect(bob, bobs);
    setClock(at('11:20'));
    await disconnect(alice, grpcClient);

    // Still open at the rollup (its shard heartbeating): metered to the end of each hour.
    setClock(at('12:02'));
    await meter.flush(true);
    const outcome = await rollupAt(at('12:02') + 30_000);
    expect(outcome.hours.filter((h) => h >= day)).toEqual([at('10:00'), at('11:00')]);

    expect(await usage(alice)).toEqual({
      [`10:00 proxy_seconds ${arn(alice, 'web')}`]: 600,
      [`11:00 proxy_seconds ${arn(alice, 'web')}`]: 600,
      [`10:00 grpc_client_seconds ${arn(alice, 'web')}`]: 600,
      [`11:00 grpc_client_seconds ${arn(alice, 'web')}`]: 1200,
      [`10:00 proxy_seconds ${arn(alice, 'api')}`]: 600,
      [`11:00 proxy_seconds ${arn(alice, 'api')}`]: 3600,
      [`10:00 proxy_seconds ${arn(alice, 'edge', 'virtualGateway')}`]: 600,
      [`11:00 proxy_seconds ${arn(alice, 'edge', 'virtualGateway')}`]: 600,
    });
    // Same names, another account: its own buckets, its own ARNs, nothing of alice's.
    expect(await usage(bob)).toEqual({
      [`10:00 proxy_seconds ${arn(bob, 'web')}`]: 600,
      [`11:00 proxy_seconds ${arn(bob, 'web')}`]: 600,
    });
    await disconnect(alice, open);
  });

  it('gives the same buckets when the rollup runs twice, or dies half-way and runs again', async () => {
    // 300 tenants with one closed session each in 14:00: two transactions of tenants.
    const hour = at('14:00');
    const run = randomUUID();
    const tenants = Array.from({ length: 300 }, (_, i) => ({
      id: randomUUID(),
      accountId: String(900_000_000_000 + Math.floor(Math.random() * 99_999_000_000) + i),
      name: `meter-${randomUUID().slice(0, 13)}`,
      plan: 'standard',
    }));
    await prisma.tenant.createMany({ data: tenants });
    await prisma.meteredSession.createMany({
      data: tenants.map((t, i) => ({
        id: randomUUID(),
        tenantId: t.id,
        shardRunId: run,
        meter: 'proxy_seconds',
        dimension: `arn:aws:appmesh:${app.config.region}:${t.accountId}:mesh/m/virtualNode/n`,
        connectedAt: new Date(hour + 5 * MIN),
        closedAt: new Date(hour + 5 * MIN + (i + 1) * 1000),
      })),
    });
    const ids = tenants.map((t) => t.id);
    const buckets = async () =>
      (await prisma.usageHour.findMany({ where: { tenantId: { in: ids }, hour: new Date(hour) } }))
        .map((r) => `${r.tenantId} ${r.meter} ${r.quantity} ${r.createdAt.toISOString()}`)
        .sort();

    // Killed after the first transaction of 14:00: some tenants have their hour, the cursor stays before it.
    await expect(
      rollupAt(hour + HOUR_MS + 3 * MIN, (rolling) => {
        if (rolling === hour) throw new Error('killed');
      }),
    ).rejects.toThrow('killed');
    const half = await buckets();
    expect(half.length).toBeGreaterThan(0);
    expect(half.length).toBeLessThan(300);
    const cursor = await prisma.meteringCursor.findUniqueOrThrow({ where: { name: 'rollup' } });
    expect(cursor.at.getTime()).toBeLessThanOrEqual(hour);

    const resumed = await rollupAt(hour + HOUR_MS + 3 * MIN);
    expect(resumed.hours).toEqual([hour]);
    const all = await buckets();
    expect(all).toHaveLength(300);
    // The tenants written before the crash are untouched (same rows, same creation time).
    for (const row of half) expect(all).toContain(row);
    const quantities = await prisma.usageHour.findMany({ where: { tenantId: { in: ids } } });
    expect(quantities.map((q) => Number(q.quantity)).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 300 }, (_, i) => i + 1),
    );

    // Again: nothing to roll up, nothing written, nothing adjusted.
    const again = await rollupAt(hour + HOUR_MS + 3 * MIN);
    expect(again.hours).toEqual([]);
    expect(again.buckets).toBe(0);
    expect(await buckets()).toEqual(all);
    expect(await prisma.usageAdjustment.count({ where: { tenantId: { in: ids } } })).toBe(0);
  });

  it('corrects an hour already rolled up with an adjustment when a session ends late, never by rewriting the bucket', async () => {
    const meter = app.app.get(SessionMeter);
    setClock(at('16:30'));
    const stream = await connect(bob, 'api', ENVOY);
    await meter.flush(true);

    // The shard writes nothing more (cut off from PostgreSQL): at 17:02 the rollup takes its
    // session for ended at its last heartbeat, 16:30, and bills nothing for it.
    await rollupAt(at('17:02') + 30_000);
    const before = await prisma.usageHour.findMany({ where: { tenantId: await tenantIdOf(bob) } });
    expect((await usage(bob))[`16:00 proxy_seconds ${arn(bob, 'api')}`]).toBeUndefined();

    // The shard is back and the proxy leaves at 17:10: the real end overrides the guess, and the
    // rolled-up hour is corrected by the difference: 16:30 to 17:00.
    setClock(at('17:10'));
    await disconnect(bob, stream);
    await rollupAt(at('17:10') + 30_000);
    expect(await usage(bob, 'adjustments')).toEqual({ [`16:00 proxy_seconds ${arn(bob, 'api')}`]: 1800 });
    const adjustment = await prisma.usageAdjustment.findFirstOrThrow({ where: { tenantId: await tenantIdOf(bob) } });
    expect(adjustment.reason).toMatch(/after the hour was rolled up/);
    expect(await prisma.usageHour.findMany({ where: { tenantId: await tenantIdOf(bob) } })).toEqual(before);

    // Corrected once: running again adds nothing.
    await rollupAt(at('17:20'));
    expect(await usage(bob, 'adjustments')).toEqual({ [`16:00 proxy_seconds ${arn(bob, 'api')}`]: 1800 });
  });

  it('counts API requests per tenant by class (REST by method, GraphQL by operation), late ones as adjustments', async () => {
    setClock(at('18:10'));
    const get = (t: CreatedTenant, path: string) =>
      call(app.baseUrl, 'GET', path, { authorization: `Bearer ${t.apiToken.token}` });
    const graphql = (t: CreatedTenant, query: string) =>
      call(app.baseUrl, 'POST', '/graphql', { authorization: `Bearer ${t.apiToken.token}` }, { query });
    for (let i = 0; i < 3; i++) expect((await get(alice, '/v1/meshes/shop/proxies')).status).toBe(200);
    await appMeshClient(app, alice.accessKey).send(new CreateMeshCommand({ meshName: 'second' }));
    expect((await graphql(alice, '{ meshes { nodes { name } } }')).status).toBe(200);
    const created = await graphql(alice, 'mutation { createMesh(input: { meshName: "third" }) { name } }');
    expect(created.body.errors).toBeUndefined();
    // Bob reads once; an unauthenticated request counts for nobody.
    expect((await get(bob, '/v1/meshes/shop/proxies')).status).toBe(200);
    expect((await call(app.baseUrl, 'GET', '/v1/meshes/shop/proxies')).status).toBe(401);
    await app.app.get(ApiRequestMeter).flush();

    await rollupAt(at('19:02') + 30_000);
    const read = (u: Record<string, number>) => u['18:00 api_read_requests '];
    const write = (u: Record<string, number>) => u['18:00 api_write_requests '];
    expect([read(await usage(alice)), write(await usage(alice))]).toEqual([4, 2]);
    expect([read(await usage(bob)), write(await usage(bob))]).toEqual([1, undefined]);

    // A replica that flushes after the rollup (requests made at 18:59): an adjustment, upwards.
    setClock(at('18:59'));
    await get(alice, '/v1/meshes/shop/proxies');
    await get(alice, '/v1/meshes/shop/proxies');
    await app.app.get(ApiRequestMeter).flush();
    await rollupAt(at('19:10'));
    expect(read(await usage(alice, 'buckets'))).toBe(4);
    expect(read(await usage(alice, 'adjustments'))).toBe(2);
    expect(read(await usage(alice))).toBe(6);
  });

  it("samples the resources each tenant holds into hourly gauges, the hour's largest sample", async () => {
    const sampler = app.app.get(ResourceSampler);
    await sampler.sample(at('20:05'));
    setClock(at('20:10'));
    await appMeshClient(app, bob.accessKey).send(
      new CreateVirtualNodeCommand({
        meshName: 'shop',
        virtualNodeName: 'extra',
        spec: { serviceDiscovery: { dns: { hostname: 'extra.shop.local' } } },
      }),
    );
    await sampler.sample(at('20:35'));
    await rollupAt(at('21:02') + 30_000);
    const gauges = (u: Record<string, number>) =>
      Object.fromEntries(Object.entries(u).filter(([k]) => k.startsWith('20:00 resource_hours')));
    // Alice: three meshes (shop, second, third), shop's two nodes and its gateway.
    expect(gauges(await usage(alice))).toEqual({
      '20:00 resource_hours mesh': 3,
      '20:00 resource_hours virtualNode': 2,
      '20:00 resource_hours virtualGateway': 1,
    });
    expect(gauges(await usage(bob))).toEqual({
      '20:00 resource_hours mesh': 1,
      '20:00 resource_hours virtualNode': 3,
      '20:00 resource_hours virtualGateway': 1,
    });
  });

  it('keeps starts and ends through failed writes and writes them with their own times once PostgreSQL answers', async () => {
    const meter = app.app.get(SessionMeter);
    const ledger = app.app.get(SessionLedgerRepository);
    setClock(at('22:00'));
    await meter.flush(true);
    // The shard cannot reach PostgreSQL (fault seam: its writes fail) while a proxy comes and goes.
    const failing = vi.spyOn(ledger, 'writeAcrossAllTenants').mockRejectedValue(new Error('connection terminated'));
    setClock(at('22:10'));
    const stream = await connect(alice, 'web', GRPC);
    setClock(at('22:40'));
    stream.close();
    await eventually('the end recorded and its write refused', 10_000, async () =>
      failing.mock.calls.some(([, starts]) => starts.some((s) => s.closedAt === at('22:40'))) ? true : undefined,
    );
    failing.mockRestore();
    await meter.flush();
    await rollupAt(at('23:02') + 30_000);
    expect((await usage(alice))[`22:00 grpc_client_seconds ${arn(alice, 'web')}`]).toBe(1800);
  });

  it('exposes the metering lag and the rollup duration on /metrics', async () => {
    setClock(at('23:30'));
    const metrics = await app.app.get(MetricsService).registry.metrics();
    // The last hour rolled up ended at 23:00, half an hour ago on the metering clock.
    expect(metrics).toMatch(/^meshplane_metering_lag_seconds 1800$/m);
    expect(metrics).toMatch(/^meshplane_metering_rollup_duration_seconds_count\{stage="hour"\} [1-9]/m);
  });
});
