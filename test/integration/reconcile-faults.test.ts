import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateVirtualNodeCommand,
  DescribeRouteCommand,
  ListVirtualNodesCommand,
  type AppMeshClient,
} from '@aws-sdk/client-app-mesh';
import type * as grpc from '@grpc/grpc-js';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PrismaService } from '../../src/platform/prisma/prisma.service.js';
import { TenantsService, type CreatedTenant } from '../../src/tenants/tenants.service.js';
import { ProxyTokenService } from '../../src/xds-fleet/identity/proxy-tokens.service.js';
import { TYPE } from '../../src/xds-fleet/translator/envoy-types.js';
import { adsClient, openAds } from '../support/ads-client.js';
import {
  countUpstreams,
  freePorts,
  sendHttp,
  startEnvoy,
  startUpstream,
  type RunningEnvoy,
  type Upstream,
} from '../support/envoy.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { eventually } from '../support/eventually.js';
import { createShopMesh, mainRouteUpdate } from '../support/mesh-fixture.js';
import { spawnNode, waitFor200, type Spawned } from '../support/processes.js';
import { call, startTestApp, type TestApp } from '../support/test-app.js';
import { testEnv } from '../support/test-config.js';
import { appMeshClient, createTenant } from '../support/tenant-builder.js';

type Json = Record<string, any>;

/** Timings of each fault, printed at the end (they are the point of these tests). */
const timings: string[] = [];
const note = (line: string) => timings.push(line);

/**
 * Fault tests of the reconcile pipeline, every part real and in its own process as in production:
 * the api role in-process, the worker and one xDS shard as child processes (dist/), a real Envoy
 * from the bootstrap endpoint routing real HTTP, real PostgreSQL and Redis. Every process reaches
 * Redis, and PostgreSQL, through TCP proxies the tests cut (a dependency down) or pause (a
 * dependency that stops answering): the api and the shard share one PostgreSQL proxy, the worker
 * has its own, so one test can freeze the worker alone.
 */
describe('reconcile pipeline under faults (worker crash, Redis outage, PostgreSQL outage)', () => {
  const redisTarget = new URL(process.env['REDIS_URL']!);
  const dbTarget = new URL(process.env['DATABASE_URL']!);
  const prefix = `test-faults-${randomBytes(4).toString('hex')}`;
  let redisProxy: FaultProxy;
  let dbProxy: FaultProxy;
  let workerDbProxy: FaultProxy;
  let env: NodeJS.ProcessEnv;
  let api: TestApp;
  const workers: Spawned[] = [];
  let shard: Spawned;
  let shardPort: number;
  let tenant: CreatedTenant;
  let mesh: AppMeshClient;
  let meshId: string;
  let blue: Upstream;
  let green: Upstream;
  let envoy: RunningEnvoy;
  let egressPort: number;
  let inspector: Redis;
  let queue: Queue;
  let grpcClient: grpc.Client;

  const get = async (path: string) =>
    call(api.baseUrl, 'GET', path, { authorization: `Bearer ${tenant.apiToken.token}` });
  const meshStatus = async () => {
    const res = await get('/v1/meshes/shop/status');
    if (res.status !== 200) throw new Error(`status ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body as Json;
  };
  /** The status once every committed change is compiled and every connected proxy holds it. */
  const converged = (what: string, timeoutMs: number) =>
    eventually(what, timeoutMs, async () => {
      const s = await meshStatus();
      return s['generation'] === s['compiledGeneration'] && s['inSync'] && s['proxies']['connected'] >= 1
        ? s
        : undefined;
    });
  const upstreams = (n: number) => countUpstreams(egressPort, 'api.shop.local:8080', n);
  const allTrafficOn = (name: string, timeoutMs: number) =>
    eventually(`all traffic on ${name}`, timeoutMs, async () => {
      const seen = await upstreams(10);
      return seen[name] === 10 ? seen : undefined;
    });
  const startWorker = async (): Promise<Spawned> => {
    const [http] = await freePorts(1);
    const worker = spawnNode('dist/main.worker.js', [], {
      ...env,
      DATABASE_URL: workerDbProxy.url(dbTarget.toString()),
      WORKER_HTTP_PORT: String(http),
    });
    workers.push(worker);
    await waitFor200(`http://127.0.0.1:${http}/readyz`, worker);
    return worker;
  };
  const tokenForWeb = async () =>
    (
      await api.app
        .get(ProxyTokenService)
        .issue(await api.app.get(TenantsService).scopeOf(tenant.accountId), 'shop', 'virtualNode', 'web')
    ).token;
  /** A new raw ADS stream as node `web`: its first CDS response, or how the stream ended. */
  const rawCds = async (token: string): Promise<{ clusters: string[] } | { code: number; details: string }> => {
    const stream = openAds(grpcClient, 'sotw', token);
    try {
      stream.send({ node: { id: 'mesh/shop/virtualNode/web', cluster: 'web', metadata: {} }, type_url: TYPE.cluster });
      let response: Json;
      try {
        response = await stream.next(10_000);
      } catch (err) {
        // The stream ended before answering: report its status.
        const ended = await Promise.race([stream.status, sleep(1_000).then(() => undefined)]);
        if (!ended) throw err;
        return { code: ended.code, details: ended.details };
      }
      return { clusters: (response['resources'] as Json[]).map((r) => r['name'] as string).sort() };
    } finally {
      stream.close();
    }
  };

  beforeAll(async () => {
    [redisProxy, dbProxy, workerDbProxy] = await Promise.all([
      startFaultProxy({ host: redisTarget.hostname, port: Number(redisTarget.port || 6379) }),
      startFaultProxy({ host: dbTarget.hostname, port: Number(dbTarget.port || 5432) }),
      startFaultProxy({ host: dbTarget.hostname, port: Number(dbTarget.port || 5432) }),
    ]);
    env = testEnv({
      REDIS_URL: redisProxy.url(redisTarget.toString()),
      DATABASE_URL: dbProxy.url(dbTarget.toString()),
      QUEUE_PREFIX: prefix,
      RECONCILE_DEBOUNCE_MS: '20',
      // The sweep is the safety net these tests exercise: every second keeps them fast.
      RECONCILE_SWEEP_INTERVAL_MS: '1000',
    });
    inspector = new Redis(redisTarget.toString(), { maxRetriesPerRequest: null });
    queue = new Queue('reconcile', { connection: inspector, prefix });

    const [xdsPort, xdsHttp, admin, ingress, egress] = await freePorts(5);
    shardPort = xdsPort!;
    egressPort = egress!;
    shard = spawnNode('dist/main.xds.js', [], {
      ...env,
      XDS_PORT: String(xdsPort),
      XDS_HTTP_PORT: String(xdsHttp),
      XDS_SHARD_ID: `faults-${prefix}`,
    });
    [api] = await Promise.all([
      startTestApp(['api'], env),
      startWorker(),
      waitFor200(`http://127.0.0.1:${xdsHttp}/readyz`, shard),
    ]);
    [blue, green] = await Promise.all([startUpstream('blue'), startUpstream('green')]);
    tenant = await createTenant(api);
    mesh = appMeshClient(api, tenant.accessKey);
    await createShopMesh(mesh, {
      nodes: { blue: { host: '127.0.0.1', port: blue.port }, green: { host: '127.0.0.1', port: green.port } },
      weights: { blue: 1, green: 0 },
    });
    meshId = (
      await api.app
        .get(PrismaService)
        .mesh.findFirstOrThrow({ where: { name: 'shop', tenant: { accountId: tenant.accountId } } })
    ).id;

    const query = `xdsHost=127.0.0.1&xdsPort=${xdsPort}&adminPort=${admin}&ingressPort=${ingress}&egressPort=${egress}`;
    const res = await get(`/v1/meshes/shop/virtualNodes/web/bootstrap?${query}`);
    expect(res.status).toBe(200);
    envoy = await startEnvoy(parse(res.body as string) as Json, { readyTimeoutMs: 30_000 });
    grpcClient = adsClient(shardPort);
    await allTrafficOn('blue', 15_000);
    await converged('initial convergence', 10_000);
  }, 60_000);

  afterAll(async () => {
    grpcClient?.close();
    await envoy?.stop();
    for (const p of [...workers, shard]) p?.child.kill('SIGKILL');
    await queue?.obliterate({ force: true }).catch(() => undefined);
    await queue?.close();
    inspector?.disconnect();
    await api?.close();
    await Promise.all([redisProxy?.close(), dbProxy?.close(), workerDbProxy?.close()]);
    await Promise.all([blue?.close(), green?.close()]);
    console.log(`fault timings:\n  ${timings.join('\n  ')}`);
  });

  it('a worker SIGKILLed in the middle of a compile: the next worker runs the job again and the change reaches Envoy', async () => {
    // Freeze the worker's database path: the compile of the next change starts (the job is
    // active, the worker holds its lock) and hangs on its first read of the mesh.
    workerDbProxy.pause();
    await mesh.send(mainRouteUpdate({ blue: 0, green: 1 }));
    const committed = await meshStatus();
    const job = await eventually('the reconcile job active on the worker', 5_000, async () => {
      const active = await queue.getJobs(['active']);
      return active.find((j) => j.name === 'reconcile' && j.data.meshId === meshId);
    });
    const frozen = await meshStatus();
    expect(BigInt(frozen['compiledGeneration'])).toBeLessThan(BigInt(committed['generation']));

    const [worker] = workers;
    worker!.child.kill('SIGKILL');
    await worker!.exited;
    const killedAt = Date.now();
    workerDbProxy.resume();
    // The dead worker's job is still active in Redis, its lock not yet expired; nothing compiles it.
    expect(await (await queue.getJob(job.id!))!.getState()).toBe('active');
    expect(await upstreams(10)).toEqual({ blue: 10 });

    await startWorker();
    const workerUpAt = Date.now();
    const landed = await converged('the change compiled and in sync after the crash', 30_000);
    const landedAt = Date.now();
    expect(BigInt(landed['generation'])).toBeGreaterThanOrEqual(BigInt(committed['generation']));
    await allTrafficOn('green', 5_000);

    // Which mechanism: the very job the dead worker held, moved back to wait by the new worker's
    // stalled-job check once its lock expired, then completed; not a new job from the sweep.
    const recovered = (await queue.getJob(job.id!))!;
    expect(await recovered.getState()).toBe('completed');
    expect(recovered.stalledCounter).toBe(1);
    expect(recovered.attemptsStarted).toBe(2); // started by the dead worker, then by the new one
    expect(recovered.attemptsMade).toBe(1); // a stall is not a failed attempt
    expect(recovered.returnvalue).toMatchObject({ status: 'published', generation: committed['generation'] });
    note(
      `worker SIGKILL mid-compile (job ${job.id} active, worker frozen on its DB read): new worker ready ${workerUpAt - killedAt} ms after the kill; ` +
        `change compiled and in sync ${landedAt - killedAt} ms after the kill, by BullMQ stalled-job recovery of the same job (stalledCounter ${recovered.stalledCounter}, lock 10 s + stalled check every 5 s)`,
    );
  }, 60_000);

  it('Redis down for 10 s while App Mesh writes continue: every write succeeds, and the mesh converges once Redis is back', async () => {
    await converged('converged before the cut', 10_000);
    const failuresBefore = await enqueueFailures();
    const OUTAGE_MS = 10_000;

    redisProxy.cut();
    const cutAt = Date.now();
    const latencies: number[] = [];
    let writes = 0;
    const extra = `extra-${randomBytes(3).toString('hex')}`;
    // A new resource, then route updates flipping between the two upstreams, for the whole outage.
    let started = Date.now();
    await mesh.send(
      new CreateVirtualNodeCommand({
        meshName: 'shop',
        virtualNodeName: extra,
        spec: {
          listeners: [{ portMapping: { port: 8080, protocol: 'http' } }],
          serviceDiscovery: { dns: { hostname: `${extra}.local` } },
        },
      }),
    );
    latencies.push(Date.now() - started);
    writes++;
    let trafficDuringOutage: Record<string, number> | undefined;
    while (Date.now() - cutAt < OUTAGE_MS) {
      started = Date.now();
      const result = await mesh.send(mainRouteUpdate(writes % 2 === 0 ? { blue: 0, green: 1 } : { blue: 1, green: 0 }));
      latencies.push(Date.now() - started);
      expect(result.route?.status?.status).toBe('ACTIVE');
      writes++;
      if (trafficDuringOutage === undefined && Date.now() - cutAt > OUTAGE_MS / 2) {
        // Envoy keeps what it has: the data plane does not need Redis.
        trafficDuringOutage = await upstreams(10);
      }
      await sleep(200); // a steady stream of writes, not a poll
    }
    // The last write of the outage decides the final state: all traffic on blue.
    started = Date.now();
    await mesh.send(mainRouteUpdate({ blue: 1, green: 0 }));
    latencies.push(Date.now() - started);
    writes++;
    redisProxy.restore();
    const restoredAt = Date.now();

    expect(trafficDuringOutage).toEqual({ green: 10 });
    expect(Math.max(...latencies)).toBeLessThan(1_500);
    const landed = await converged('convergence after Redis returned', 20_000);
    const convergedAt = Date.now();
    await allTrafficOn('blue', 5_000);
    const failures = (await enqueueFailures()) - failuresBefore;
    // Every write of the outage failed to enqueue its compile: only the sweep can have enqueued it.
    expect(failures).toBe(writes);
    expect(landed['proxies']).toMatchObject({ connected: 1, inSync: 1 });
    note(
      `Redis cut ${restoredAt - cutAt} ms: ${writes} App Mesh writes, all succeeded (latency max ${Math.max(...latencies)} ms, median ${median(latencies)} ms), ` +
        `${failures} enqueue failures counted; converged (compiled == generation ${landed['generation']}, Envoy in sync) ${convergedAt - restoredAt} ms after Redis returned, enqueued by the sweep`,
    );
  }, 60_000);

  it('PostgreSQL down for 5 s: the API answers 503 ServiceUnavailableException (retryable), the shard keeps serving, nothing written is lost', async () => {
    await converged('converged before the cut', 10_000);
    const before = await mesh.send(new ListVirtualNodesCommand({ meshName: 'shop' }));
    const nodesBefore = before.virtualNodes!.map((n) => n.virtualNodeName!).sort();
    expect(nodesBefore).toHaveLength(4); // blue, green, web and the node created during the Redis outage
    const routeBefore = (
      await mesh.send(
        new DescribeRouteCommand({ meshName: 'shop', virtualRouterName: 'api-router', routeName: 'main' }),
      )
    ).route!;
    // One token the shard verified moments ago (cached for 30 s), one it has never seen.
    const verified = await tokenForWeb();
    const unseen = await tokenForWeb();
    const cdsBefore = await rawCds(verified);
    expect(cdsBefore).toHaveProperty('clusters');
    const OUTAGE_MS = 5_000;

    // Every process loses PostgreSQL, as in a restart: open connections drop, new ones fail.
    dbProxy.cut();
    workerDbProxy.cut();
    const cutAt = Date.now();

    // The App Mesh API: 503 with the retryable App Mesh error type, for writes and reads alike.
    let started = Date.now();
    const write = await failure(mesh.send(mainRouteUpdate({ blue: 0, green: 1 })));
    const firstFailureMs = Date.now() - started;
    expect(write).toMatchObject({ name: 'ServiceUnavailableException', status: 503, fault: 'server', retryable: true });
    const read = await failure(mesh.send(new ListVirtualNodesCommand({ meshName: 'shop' })));
    expect(read).toMatchObject({ name: 'ServiceUnavailableException', status: 503, retryable: true });
    const v1 = await get('/v1/meshes/shop/status');
    expect(v1.status).toBe(503);
    expect(v1.headers.get('x-amzn-errortype')).toBe('ServiceUnavailableException');
    expect(v1.headers.get('retry-after')).toBe('2');

    // An SDK with retries, sent while PostgreSQL is down, keeps retrying and succeeds once it is back.
    let attempts = 0;
    let firstAttemptDone: () => void;
    const firstAttempt = new Promise<void>((resolve) => (firstAttemptDone = resolve));
    const retrying = appMeshClient(api, tenant.accessKey, { maxAttempts: 10 });
    retrying.middlewareStack.add(
      (next) => async (args) => {
        try {
          return await next(args);
        } finally {
          if (++attempts === 1) firstAttemptDone();
        }
      },
      { step: 'deserialize', name: 'countAttempts' },
    );
    const retried = retrying.send(mainRouteUpdate({ blue: 0, green: 1 }));
    await firstAttempt;

    // The xDS shard keeps serving the last snapshot: Envoy's traffic flows, and a new stream for
    // the loaded mesh is served when its token's verification is cached. A token the shard has
    // not verified needs PostgreSQL: that stream is refused with UNAVAILABLE (Envoy would retry).
    expect(await upstreams(20)).toEqual({ blue: 20 });
    expect(await rawCds(verified)).toEqual(cdsBefore);
    expect(await rawCds(unseen)).toMatchObject({ code: 14 /* UNAVAILABLE */ });

    // The outage lasts OUTAGE_MS (a fault's duration, not a condition to poll); still 503 at its end.
    await sleep(Math.max(0, cutAt + OUTAGE_MS - 300 - Date.now()));
    started = Date.now();
    const late = await failure(mesh.send(mainRouteUpdate({ blue: 0, green: 1 })));
    const lateFailureMs = Date.now() - started;
    expect(late).toMatchObject({ name: 'ServiceUnavailableException', status: 503 });
    expect(await upstreams(10)).toEqual({ blue: 10 });
    await sleep(Math.max(0, cutAt + OUTAGE_MS - Date.now()));

    dbProxy.restore();
    workerDbProxy.restore();
    const restoredAt = Date.now();

    // The first call after the restore works, without a retry: no dead connection is left in the pool.
    const afterNode = `after-${randomBytes(3).toString('hex')}`;
    await mesh.send(
      new CreateVirtualNodeCommand({
        meshName: 'shop',
        virtualNodeName: afterNode,
        spec: {
          listeners: [{ portMapping: { port: 8080, protocol: 'http' } }],
          serviceDiscovery: { dns: { hostname: `${afterNode}.local` } },
        },
      }),
    );
    const firstWriteMs = Date.now() - restoredAt;
    const updated = await retried;
    const retriedDoneAt = Date.now();
    expect(attempts).toBeGreaterThanOrEqual(2);
    expect(updated.$metadata.attempts).toBe(attempts);

    // Nothing written before the outage is lost, and the writes made after it are there.
    const after = await mesh.send(new ListVirtualNodesCommand({ meshName: 'shop' }));
    expect(after.virtualNodes!.map((n) => n.virtualNodeName!).sort()).toEqual([...nodesBefore, afterNode].sort());
    const routeAfter = (
      await mesh.send(
        new DescribeRouteCommand({ meshName: 'shop', virtualRouterName: 'api-router', routeName: 'main' }),
      )
    ).route!;
    // Exactly one update landed: the retried one; the refused ones left no trace.
    expect(routeAfter.metadata!.version).toBe(routeBefore.metadata!.version! + 1);
    expect(routeAfter.spec!.httpRoute!.action!.weightedTargets).toEqual([
      { virtualNode: 'blue', weight: 0 },
      { virtualNode: 'green', weight: 1 },
    ]);
    // ...and they reach the proxy; a new stream with a new token is accepted again.
    await allTrafficOn('green', 10_000);
    const landed = await converged('convergence after PostgreSQL returned', 10_000);
    const convergedAt = Date.now();
    expect(await rawCds(unseen)).toHaveProperty('clusters');
    note(
      `PostgreSQL cut ${restoredAt - cutAt} ms: API 503 ServiceUnavailableException ($retryable, Retry-After 2) in ${firstFailureMs} ms at the start and ${lateFailureMs} ms at the end; ` +
        `Envoy kept routing; a new ADS stream with a cached token was served, one with an unverified token got UNAVAILABLE; ` +
        `first write after the restore succeeded in ${firstWriteMs} ms with no retry; a retrying SDK write sent during the outage succeeded ${retriedDoneAt - restoredAt} ms after the restore in ${attempts} attempts; ` +
        `converged (generation ${landed['generation']}, Envoy in sync) ${convergedAt - restoredAt} ms after the restore`,
    );
  }, 60_000);

  async function enqueueFailures(): Promise<number> {
    const metrics = await call(api.baseUrl, 'GET', '/metrics');
    const match = /^meshplane_reconcile_enqueue_failures_total (\d+)/m.exec(String(metrics.body));
    return Number(match?.[1] ?? NaN);
  }
});

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** How an SDK call failed: the parsed error type, HTTP status, fault and whether the SDK deems it retryable. */
async function failure(
  promise: Promise<unknown>,
): Promise<{ name: string; status: number | undefined; fault: unknown; retryable: boolean; message: string }> {
  try {
    await promise;
  } catch (err) {
    const e = err as Error & { $metadata?: { httpStatusCode?: number }; $fault?: unknown; $retryable?: unknown };
    return {
      name: e.name,
      status: e.$metadata?.httpStatusCode,
      fault: e.$fault,
      retryable: e.$retryable !== undefined,
      message: e.message,
    };
  }
  throw new Error('expected the call to fail');
}
