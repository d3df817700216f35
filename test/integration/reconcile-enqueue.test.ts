import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AppMeshClient,
  CreateMeshCommand,
  CreateVirtualNodeCommand,
  DeleteMeshCommand,
  TagResourceCommand,
  UpdateMeshCommand,
} from '@aws-sdk/client-app-mesh';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricsService } from '../../src/platform/metrics/metrics.service.js';
import { PrismaService } from '../../src/platform/prisma/prisma.service.js';
import { QueueRegistry } from '../../src/platform/queues/queue-registry.service.js';
import { RedisService } from '../../src/platform/redis/redis.service.js';
import type { CreatedTenant } from '../../src/tenants/tenants.service.js';
import { CompiledStore } from '../../src/xds-fleet/cache/compiled-store.js';
import { ReconcileSweepHandler } from '../../src/xds-fleet/reconcile/reconcile.handlers.js';
import { ReconcileBackoff } from '../../src/xds-fleet/reconcile/reconcile-backoff.js';
import { ReconcileQueue } from '../../src/xds-fleet/reconcile/reconcile-queue.js';
import { ReconcileSweepRepository } from '../../src/xds-fleet/reconcile/reconcile-sweep.repository.js';
import { errorOf } from '../support/sdk-errors.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { call, startTestApp, type TestApp } from '../support/test-app.js';
import { appMeshClient, createTenant, uniqueName } from '../support/tenant-builder.js';

/**
 * The api role enqueues a compile after each committed mesh change, never fails a request
 * because of it, and the sweep finds what was not enqueued. The app reaches Redis through a TCP
 * proxy the tests can cut. No worker runs here: the tests look at the queue itself.
 */
describe('reconcile after commit (api role)', () => {
  let proxy: TcpProxy;
  let api: TestApp;
  let tenant: CreatedTenant;
  let client: AppMeshClient;
  let sweep: ReconcileSweepHandler;

  beforeAll(async () => {
    const redisUrl = new URL(process.env['REDIS_URL']!);
    proxy = await startTcpProxy({ host: redisUrl.hostname, port: Number(redisUrl.port || 6379) });
    redisUrl.hostname = '127.0.0.1';
    redisUrl.port = String(proxy.port);
    api = await startTestApp(['api'], {
      REDIS_URL: redisUrl.toString(),
      QUEUE_PREFIX: `test-enqueue-${randomBytes(4).toString('hex')}`,
    });
    tenant = await createTenant(api);
    client = appMeshClient(api, tenant.accessKey);
    sweep = new ReconcileSweepHandler(
      new ReconcileSweepRepository(api.app.get(PrismaService)),
      api.app.get(ReconcileQueue),
      new CompiledStore(api.app.get(RedisService)),
      new ReconcileBackoff(api.app.get(QueueRegistry), api.config),
      new MetricsService(),
      api.config,
    );
  });
  afterAll(async () => {
    if (api) {
      await api.app.get(QueueRegistry).queue('reconcile').obliterate({ force: true });
      await forgetPendingWindows();
      await api.close();
    }
    await proxy?.close();
  });

  const queue = () => api.app.get(QueueRegistry).queue('reconcile');

  async function meshRow(name: string) {
    return api.app
      .get(PrismaService)
      .mesh.findFirstOrThrow({ where: { name, tenant: { accountId: tenant.accountId } } });
  }

  async function pending(meshId: string) {
    const jobs = await queue().getJobs(['delayed', 'waiting', 'prioritized', 'active']);
    return jobs.filter((j) => j.data.meshId === meshId);
  }

  async function forgetPendingWindows(): Promise<void> {
    const redis = api.app.get(RedisService).client;
    const keys = await redis.keys(`${api.config.queuePrefix}:reconcile:first-pending:*`);
    if (keys.length > 0) await redis.del(...keys);
  }

  /** Empties the queue, as if every job so far had been lost. */
  async function loseAllJobs(): Promise<void> {
    await queue().obliterate({ force: true });
    await forgetPendingWindows();
  }

  async function until(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    for (;;) {
      try {
        if (await check()) return;
      } catch {
        // not yet
      }
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await sleep(100);
    }
  }

  async function enqueueFailures(): Promise<number> {
    const metrics = await call(api.baseUrl, 'GET', '/metrics');
    const match = /^meshplane_reconcile_enqueue_failures_total (\d+)/m.exec(String(metrics.body));
    return Number(match?.[1] ?? NaN);
  }

  it('enqueues one compile per mesh once its changes have committed', async () => {
    const name = uniqueName('m');
    await client.send(new CreateMeshCommand({ meshName: name }));
    const mesh = await meshRow(name);
    const [job] = await pending(mesh.id);
    expect(job?.data).toEqual({ tenantId: mesh.tenantId, meshId: mesh.id });
    // The mesh was quiet: its first change is not debounced (leading edge).
    expect(await job?.getState()).toBe('waiting');

    for (const node of ['a', 'b', 'c']) {
      await client.send(
        new CreateVirtualNodeCommand({
          meshName: name,
          virtualNodeName: node,
          spec: {
            listeners: [{ portMapping: { port: 8080, protocol: 'http' } }],
            serviceDiscovery: { dns: { hostname: `${node}.local` } },
          },
        }),
      );
    }
    expect(await pending(mesh.id)).toHaveLength(1);
    expect((await meshRow(name)).generation).toBe(4n);
  });

  it('enqueues a compile when a mesh is deleted (its compiled configuration must go)', async () => {
    const name = uniqueName('m');
    await client.send(new CreateMeshCommand({ meshName: name }));
    const mesh = await meshRow(name);
    await loseAllJobs();
    await client.send(new DeleteMeshCommand({ meshName: name }));
    expect((await pending(mesh.id)).map((j) => j.data)).toEqual([{ tenantId: mesh.tenantId, meshId: mesh.id }]);
  });

  it('enqueues nothing for a change that was refused, nor for a tag-only change', async () => {
    const name = uniqueName('m');
    await client.send(new CreateMeshCommand({ meshName: name }));
    await client.send(new CreateVirtualNodeCommand({ meshName: name, virtualNodeName: 'web', spec: {} }));
    const before = await meshRow(name);
    await loseAllJobs();

    // Refused after the transaction bumped the generation: it rolls back, and nothing is enqueued.
    const refused = await errorOf(
      client.send(new CreateVirtualNodeCommand({ meshName: name, virtualNodeName: 'web', spec: {} })),
    );
    expect(refused.name).toBe('ConflictException');
    await client.send(new TagResourceCommand({ resourceArn: arnOf(name), tags: [{ key: 'team', value: 'a' }] }));

    expect(await pending(before.id)).toEqual([]);
    expect((await meshRow(name)).generation).toBe(before.generation);
  });

  it('answers normally while Redis is unreachable; the sweep enqueues the mesh once Redis is back', async () => {
    const name = uniqueName('m');
    await client.send(new CreateMeshCommand({ meshName: name }));
    const mesh = await meshRow(name);
    await loseAllJobs();
    const failuresBefore = await enqueueFailures();

    proxy.cut();
    try {
      await until(async () => api.app.get(QueueRegistry).connection.status !== 'ready');
      const started = Date.now();
      const updated = await client.send(
        new UpdateMeshCommand({ meshName: name, spec: { egressFilter: { type: 'ALLOW_ALL' } } }),
      );
      expect(updated.mesh?.spec?.egressFilter?.type).toBe('ALLOW_ALL');
      await client.send(new CreateVirtualNodeCommand({ meshName: name, virtualNodeName: 'web', spec: {} }));
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(await enqueueFailures()).toBe(failuresBefore + 2);
    } finally {
      proxy.restore();
    }

    await until(async () => (await call(api.baseUrl, 'GET', '/readyz')).status === 200);
    expect(await pending(mesh.id)).toEqual([]);
    await until(async () => (await sweep.process()).behind >= 1);
    expect((await pending(mesh.id)).map((j) => j.data)).toEqual([{ tenantId: mesh.tenantId, meshId: mesh.id }]);
  });

  it('sweeps only the meshes whose generation is ahead of their compiled generation', async () => {
    const [behind, current] = [uniqueName('m'), uniqueName('m')];
    await client.send(new CreateMeshCommand({ meshName: behind }));
    await client.send(new CreateMeshCommand({ meshName: current }));
    const [b, c] = [await meshRow(behind), await meshRow(current)];
    // As if a worker had compiled `current` at its generation.
    await api.app.get(PrismaService).mesh.update({ where: { id: c.id }, data: { compiledGeneration: c.generation } });
    await loseAllJobs();

    const result = await sweep.process();
    expect(result.behind).toBeGreaterThanOrEqual(1);
    expect(await pending(b.id)).toHaveLength(1);
    expect(await pending(c.id)).toEqual([]);
  });

  function arnOf(meshName: string): string {
    return `arn:aws:appmesh:${api.config.region}:${tenant.accountId}:mesh/${meshName}`;
  }
});
