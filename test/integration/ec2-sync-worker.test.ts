import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaService } from '../../src/platform/prisma/prisma.service.js';
import { QueueRegistry } from '../../src/platform/queues/queue-registry.service.js';
import { Ec2SyncRescheduleHandler } from '../../src/registry/ec2/ec2-sync.handlers.js';
import { schedulerIdOf } from '../../src/registry/ec2/ec2-sync-schedules.js';
import type { CreatedTenant } from '../../src/tenants/tenants.service.js';
import { ec2Client, launch, registryService, terminate, uniqueTag } from '../support/ec2-fixture.js';
import { eventually } from '../support/eventually.js';
import { startMoto, type Moto } from '../support/moto.js';
import { call, startTestApp, type TestApp } from '../support/test-app.js';
import { createTenant } from '../support/tenant-builder.js';

/**
 * The worker role runs sources on its own: each source's BullMQ job scheduler (created by the
 * api with the source) runs it at once and every interval; "sync now" queues a run; the
 * `reschedule` job puts back a lost scheduler and removes an orphaned one.
 */
let moto: Moto;
let app: TestApp;
let prisma: PrismaService;
let tenant: CreatedTenant;
let serviceId: string;

const v1 = (method: string, path: string, body?: unknown) =>
  call(app.baseUrl, method, path, { authorization: `Bearer ${tenant.apiToken.token}` }, body);

beforeAll(async () => {
  moto = await startMoto();
  app = await startTestApp(['api', 'worker'], {
    EC2_SYNC_ALLOWED_ENDPOINTS: moto.endpoint,
    QUEUE_PREFIX: `test-ec2-worker-${randomBytes(4).toString('hex')}`,
  });
  prisma = app.app.get(PrismaService);
  tenant = await createTenant(app);
  const row = await prisma.tenant.findUniqueOrThrow({ where: { accountId: tenant.accountId } });
  serviceId = await registryService(prisma, row.id, 'shop.local', 'cart');
});

afterAll(async () => {
  await app?.close();
  await moto?.close();
});

describe('the ec2-sync queue in the worker role', () => {
  it('runs a new source at once on its scheduler, runs it again on "sync now", and shows it in metrics', async () => {
    const ec2 = ec2Client(moto.endpoint);
    const tag = uniqueTag();
    const ids = await launch(ec2, 3, { suite: tag });
    const created = await v1('POST', '/v1/ec2-sync-sources', {
      name: 'cart-fleet',
      region: 'us-east-1',
      endpoint: moto.endpoint,
      tagFilters: [{ key: 'suite', values: [tag] }],
      namespaceName: 'shop.local',
      serviceName: 'cart',
      port: 443,
      intervalSeconds: 3_600,
      credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const scheduler = await app.app.get(QueueRegistry).queue('ec2-sync').getJobScheduler(schedulerIdOf(id));
    expect(scheduler?.every).toBe(3_600_000);

    await eventually('the first scheduled run', 20_000, async () => {
      const res = await v1('GET', `/v1/ec2-sync-sources/${id}`);
      return res.body.status === 'OK' ? res.body : undefined;
    });
    expect(await prisma.registryInstance.count({ where: { serviceId, sourceId: id } })).toBe(3);

    await terminate(ec2, [ids[0]!]);
    expect((await v1('POST', `/v1/ec2-sync-sources/${id}/sync`)).status).toBe(202);
    await eventually('the run "sync now" queued', 20_000, async () =>
      (await prisma.registryInstance.count({ where: { serviceId, sourceId: id } })) === 2 ? true : undefined,
    );
    expect((await v1('GET', `/v1/ec2-sync-sources/${id}`)).body).toMatchObject({ status: 'OK', instanceCount: 2 });

    const metrics = await (await fetch(`${app.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/meshplane_ec2_sync_runs_total\{result="applied"\} [2-9]/);
    expect(metrics).toContain(`meshplane_ec2_sync_instances{source="${id}"} 2`);
    expect(metrics).toMatch(/meshplane_ec2_sync_duration_seconds_count\{result="applied"\} [2-9]/);
  });

  it('puts back a lost scheduler and removes one whose source is gone', async () => {
    const queue = app.app.get(QueueRegistry).queue('ec2-sync');
    const { body: source } = await v1('POST', '/v1/ec2-sync-sources', {
      name: 'lost-schedule',
      region: 'us-east-1',
      endpoint: moto.endpoint,
      namespaceName: 'shop.local',
      serviceName: 'cart',
      port: 80,
      intervalSeconds: 600,
      credentials: { roleArn: 'arn:aws:iam::123456789012:role/r' },
    });
    await queue.removeJobScheduler(schedulerIdOf(source.id));
    const orphan = '00000000-0000-4000-8000-000000000000';
    await queue.upsertJobScheduler(
      schedulerIdOf(orphan),
      { every: 600_000 },
      { name: 'sync', data: { tenantId: orphan, sourceId: orphan } },
    );

    const repaired = await app.app.get(Ec2SyncRescheduleHandler).process();
    expect(repaired.upserted).toBeGreaterThanOrEqual(1);
    expect(repaired.removed).toBeGreaterThanOrEqual(1);
    expect((await queue.getJobScheduler(schedulerIdOf(source.id)))?.every).toBe(600_000);
    expect(await queue.getJobScheduler(schedulerIdOf(orphan))).toBeUndefined();

    expect((await v1('DELETE', `/v1/ec2-sync-sources/${source.id}`)).status).toBe(200);
    expect(await queue.getJobScheduler(schedulerIdOf(source.id))).toBeUndefined();
  });
});
