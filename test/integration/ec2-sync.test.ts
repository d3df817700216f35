import { randomBytes } from 'node:crypto';
import { RunInstancesCommand } from '@aws-sdk/client-ec2';
import { Test, type TestingModule } from '@nestjs/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PlatformModule } from '../../src/platform/platform.module.js';
import { PrismaService } from '../../src/platform/prisma/prisma.service.js';
import { ANALYZE_AFTER_ROWS } from '../../src/registry/ec2/ec2-sync-apply.repository.js';
import { Ec2SyncJobHandler } from '../../src/registry/ec2/ec2-sync.handlers.js';
import { Ec2SyncRunModule } from '../../src/registry/ec2/ec2-sync.module.js';
import { sealedSecretAad } from '../../src/registry/ec2/sealed-secret.js';
import { REGISTRY_CHANGES, type RegistryChangeListener } from '../../src/registry/registry-changes.js';
import { SecretBox } from '../../src/tenants/credentials/secret-box.js';
import type { CreatedTenant } from '../../src/tenants/tenants.service.js';
import { ec2Client, launch, registryService, stop, terminate, uniqueTag } from '../support/ec2-fixture.js';
import { startEc2FaultEndpoint, type Ec2FaultEndpoint } from '../support/ec2-fault-endpoint.js';
import { eventually } from '../support/eventually.js';
import { freePort } from '../support/processes.js';
import { startMoto, type Moto } from '../support/moto.js';
import { call, startTestApp, type TestApp } from '../support/test-app.js';
import { testConfig } from '../support/test-config.js';
import { createTenant, uniqueName } from '../support/tenant-builder.js';

/** A real listener of registry changes: records what the sync reports after each commit. */
class RecordingListener implements RegistryChangeListener {
  readonly calls: { tenantId: string; serviceIds: string[] }[] = [];
  async servicesChanged(tenantId: string, serviceIds: readonly string[]): Promise<void> {
    this.calls.push({ tenantId, serviceIds: [...serviceIds] });
  }
}
const listener = new RecordingListener();

let moto: Moto;
let fault: Ec2FaultEndpoint;
let closedEndpoint: string;
let api: TestApp;
let runner: TestingModule;
let prisma: PrismaService;
let handler: Ec2SyncJobHandler;
let ec2: ReturnType<typeof ec2Client>;

interface Tenant {
  readonly created: CreatedTenant;
  call(method: string, path: string, body?: unknown): ReturnType<typeof call>;
}

async function tenant(plan?: string): Promise<Tenant> {
  const created = plan
    ? ((await api.admin('POST', '/admin/v1/tenants', { name: uniqueName(), plan })).body as CreatedTenant)
    : await createTenant(api);
  return {
    created,
    call: (method, path, body) =>
      call(api.baseUrl, method, path, { authorization: `Bearer ${created.apiToken.token}` }, body),
  };
}

async function tenantId(t: Tenant): Promise<string> {
  const row = await prisma.tenant.findUniqueOrThrow({ where: { accountId: t.created.accountId } });
  return row.id;
}

/** A sync source body with working credentials on the emulator; `over` replaces members. */
function sourceBody(tag: string, over: Record<string, unknown> = {}) {
  return {
    name: uniqueName('src'),
    region: 'us-east-1',
    endpoint: moto.endpoint,
    tagFilters: [{ key: 'suite', values: [tag] }],
    namespaceName: 'prod.local',
    serviceName: 'web',
    port: 8080,
    intervalSeconds: 86_400,
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: `secret-${randomBytes(8).toString('hex')}` },
    ...over,
  };
}

/** A tenant with a registry service and a source on it. */
async function withSource(tag: string, over: Record<string, unknown> = {}) {
  const t = await tenant();
  const id = await tenantId(t);
  const serviceId = await registryService(prisma, id, 'prod.local', 'web');
  const res = await t.call('POST', '/v1/ec2-sync-sources', sourceBody(tag, over));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { t, tenantId: id, serviceId, source: res.body as { id: string; [k: string]: unknown } };
}

const instancesOf = (serviceId: string) =>
  prisma.registryInstance.findMany({ where: { serviceId }, orderBy: { instanceId: 'asc' } });

beforeAll(async () => {
  moto = await startMoto();
  fault = await startEc2FaultEndpoint(moto.endpoint);
  closedEndpoint = `http://127.0.0.1:${await freePort()}`;
  const env = {
    EC2_SYNC_ALLOWED_ENDPOINTS: [moto.endpoint, fault.endpoint, closedEndpoint].join(','),
    EC2_SYNC_PAGE_SIZE: '5',
    QUEUE_PREFIX: `test-ec2-sync-${randomBytes(4).toString('hex')}`,
  };
  // The api role only: runs happen when a test calls them, never behind its back.
  api = await startTestApp(['api'], env);
  // The runs' listener records what they report (the EDS path behind the real one has its own tests).
  runner = await Test.createTestingModule({
    imports: [
      PlatformModule.forRoot({ ...testConfig(['worker'], env), masterKey: api.config.masterKey }),
      Ec2SyncRunModule,
    ],
  })
    .overrideProvider(REGISTRY_CHANGES)
    .useValue(listener)
    .compile();
  await runner.init();
  prisma = runner.get(PrismaService);
  handler = runner.get(Ec2SyncJobHandler);
  ec2 = ec2Client(moto.endpoint);
});

afterAll(async () => {
  await runner?.close();
  await api?.close();
  await fault?.close();
  await moto?.close();
});

beforeEach(() => {
  listener.calls.length = 0;
});

describe('an EC2 sync run against the emulator', () => {
  it('registers the running instances every tag filter matches, with Cloud Map attributes and the chosen tags', async () => {
    const tag = uniqueTag();
    const matching = await launch(ec2, 3, { suite: tag, env: 'prod', team: 'payments' });
    await launch(ec2, 1, { suite: tag, env: 'dev', team: 'payments' });
    await launch(ec2, 1, { suite: `${tag}-other`, env: 'prod' });
    const {
      t,
      tenantId: tid,
      serviceId,
      source,
    } = await withSource(tag, {
      tagFilters: [
        { key: 'suite', values: [tag] },
        { key: 'env', values: ['prod', 'staging'] },
      ],
      attributeTags: ['team', 'absent'],
    });

    const run = await handler.run(tid, source.id);
    expect(run).toMatchObject({ result: 'applied', inserted: 3, updated: 0, deleted: 0, instanceCount: 3 });
    const rows = await instancesOf(serviceId);
    expect(rows.map((r) => r.instanceId)).toEqual([...matching].sort());
    for (const row of rows) {
      expect(row).toMatchObject({
        source: 'ec2',
        sourceId: source.id,
        port: 8080,
        health: 'HEALTHY',
        zone: 'us-east-1a',
      });
      expect(row.ipv4).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      expect(row.attributes).toEqual({
        AWS_INSTANCE_IPV4: row.ipv4,
        AWS_INSTANCE_PORT: '8080',
        AWS_INSTANCE_AVAILABILITY_ZONE: 'us-east-1a',
        AWS_EC2_INSTANCE_ID: row.instanceId,
        team: 'payments',
      });
    }
    expect(listener.calls).toEqual([{ tenantId: tid, serviceIds: [serviceId] }]);

    const shown = await t.call('GET', `/v1/ec2-sync-sources/${source.id}`);
    expect(shown.body).toMatchObject({ status: 'OK', instanceCount: 3, skippedCount: 0, lastError: null });
    expect(shown.body.lastSuccessAt).toBe(shown.body.lastSyncAt);
  });

  it('walks every page of DescribeInstances', async () => {
    const tag = uniqueTag();
    const ids = await launch(ec2, 12, { suite: tag });
    const { tenantId: tid, serviceId, source } = await withSource(tag);
    // EC2_SYNC_PAGE_SIZE is 5 in this file: 12 reservations take three pages.
    const run = await handler.run(tid, source.id);
    expect(run).toMatchObject({ result: 'applied', pages: 3, inserted: 12 });
    expect((await instancesOf(serviceId)).map((r) => r.instanceId)).toEqual([...ids].sort());
  });

  it("refreshes the registry's statistics after a sync that inserted many instances", async () => {
    const tag = uniqueTag();
    // One reservation of ANALYZE_AFTER_ROWS instances (the emulator launches them in one call).
    await ec2.send(
      new RunInstancesCommand({
        ImageId: 'ami-12c6146b',
        InstanceType: 't3.micro',
        MinCount: ANALYZE_AFTER_ROWS,
        MaxCount: ANALYZE_AFTER_ROWS,
        TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'suite', Value: tag }] }],
      }),
    );
    const { tenantId: tid, source } = await withSource(tag);
    const analyzed = async () =>
      (
        await prisma.$queryRaw<{ n: bigint }[]>`
          SELECT analyze_count AS n FROM pg_stat_user_tables WHERE relname = 'registry_instances'`
      )[0]?.n ?? 0n;
    const before = await analyzed();
    const run = await handler.run(tid, source.id);
    expect(run).toMatchObject({ result: 'applied', inserted: ANALYZE_AFTER_ROWS });
    // The statistics collector reports with a short delay.
    await eventually('registry_instances analyzed', 5_000, async () =>
      (await analyzed()) > before ? true : undefined,
    );
  }, 60_000);

  it('removes stopped and terminated instances, updates changed ones, and changes nothing when nothing changed', async () => {
    const tag = uniqueTag();
    const ids = await launch(ec2, 4, { suite: tag, team: 'a' });
    const { t, tenantId: tid, serviceId, source } = await withSource(tag, { attributeTags: ['team'] });
    await handler.run(tid, source.id);
    const before = await instancesOf(serviceId);

    await stop(ec2, [ids[0]!]);
    await terminate(ec2, [ids[1]!]);
    const run = await handler.run(tid, source.id);
    expect(run).toMatchObject({ result: 'applied', inserted: 0, updated: 0, deleted: 2, instanceCount: 2 });
    const after = await instancesOf(serviceId);
    expect(after.map((r) => r.instanceId)).toEqual([ids[2]!, ids[3]!].sort());
    // The survivors are the same rows, untouched.
    for (const row of after) expect(row).toEqual(before.find((b) => b.id === row.id));

    listener.calls.length = 0;
    expect(await handler.run(tid, source.id)).toMatchObject({ result: 'applied', inserted: 0, updated: 0, deleted: 0 });
    expect(listener.calls).toEqual([]);

    // A changed port rewrites every instance's port and AWS_INSTANCE_PORT.
    expect((await t.call('PATCH', `/v1/ec2-sync-sources/${source.id}`, { port: 9090 })).status).toBe(200);
    expect(await handler.run(tid, source.id)).toMatchObject({ result: 'applied', updated: 2 });
    for (const row of await instancesOf(serviceId)) {
      expect(row.port).toBe(9090);
      expect((row.attributes as Record<string, string>)['AWS_INSTANCE_PORT']).toBe('9090');
    }
  });

  it('leaves an InstanceId registered through the API alone and reports the clash', async () => {
    const tag = uniqueTag();
    const [taken, free] = await launch(ec2, 2, { suite: tag });
    const { t, tenantId: tid, serviceId, source } = await withSource(tag);
    const registered = await prisma.registryInstance.create({
      data: { tenantId: tid, serviceId, instanceId: taken!, ipv4: '192.0.2.10', port: 80, source: 'api' },
    });
    expect(await handler.run(tid, source.id)).toMatchObject({ result: 'applied', inserted: 1, clashes: [taken] });
    expect(await prisma.registryInstance.findUniqueOrThrow({ where: { id: registered.id } })).toEqual(registered);
    expect((await instancesOf(serviceId)).find((r) => r.instanceId === free)?.source).toBe('ec2');
    const shown = (await t.call('GET', `/v1/ec2-sync-sources/${source.id}`)).body;
    expect(shown).toMatchObject({ status: 'OK', instanceCount: 1, skippedCount: 1 });
    expect(shown.lastWarning).toContain(`${taken}: InstanceId already registered in the service by another writer`);
  });

  it('marks the source THROTTLED when EC2 answers RequestLimitExceeded, keeps its instances and backs off', async () => {
    const tag = uniqueTag();
    await launch(ec2, 2, { suite: tag });
    const {
      t,
      tenantId: tid,
      serviceId,
      source,
    } = await withSource(tag, {
      endpoint: fault.endpoint,
      intervalSeconds: 60,
    });
    expect(await handler.run(tid, source.id)).toMatchObject({ result: 'applied', inserted: 2 });
    const before = await instancesOf(serviceId);
    await launch(ec2, 1, { suite: tag }); // a change the throttled runs must not see or apply

    fault.throttle(true);
    try {
      listener.calls.length = 0;
      const startedAt = Date.now();
      const run = await handler.run(tid, source.id);
      expect(run).toMatchObject({ result: 'throttled' });
      // The SDK's own retries (3 attempts) came first; then the run gave up.
      expect(fault.throttled()).toBe(3);
      expect(await instancesOf(serviceId)).toEqual(before);
      expect(listener.calls).toEqual([]);
      const shown = (await t.call('GET', `/v1/ec2-sync-sources/${source.id}`)).body;
      expect(shown).toMatchObject({ status: 'THROTTLED', instanceCount: 2 });
      expect(shown.lastError).toMatch(/^throttled: RequestLimitExceeded: Request limit exceeded/);
      // The first throttled run waits two intervals.
      const backoff = Date.parse(shown.backoffUntil) - startedAt;
      expect(backoff).toBeGreaterThanOrEqual(120_000 - 1_000);
      expect(backoff).toBeLessThanOrEqual(120_000 + 60_000);
      // A run inside the backoff asks AWS nothing.
      expect(await handler.run(tid, source.id)).toEqual({ result: 'backing-off' });
      expect(fault.throttled()).toBe(3);
    } finally {
      fault.throttle(false);
    }
    // A tenant's change starts over: the next run goes to AWS again and applies.
    expect((await t.call('PATCH', `/v1/ec2-sync-sources/${source.id}`, { intervalSeconds: 30 })).body).toMatchObject({
      status: 'PENDING',
      backoffUntil: null,
    });
    expect(await handler.run(tid, source.id)).toMatchObject({ result: 'applied', inserted: 1, instanceCount: 3 });
  });

  it('marks the source STALE when its credentials fail, and changes nothing', async () => {
    const tag = uniqueTag();
    await launch(ec2, 2, { suite: tag });
    const { t, tenantId: tid, serviceId, source } = await withSource(tag);
    await handler.run(tid, source.id);
    const before = await instancesOf(serviceId);
    await terminate(ec2, [before[0]!.instanceId]);
    listener.calls.length = 0;

    // The emulator now checks every request's access key against its IAM, as AWS does: the
    // source's key is unknown there.
    await moto.authenticate(true);
    try {
      const run = await handler.run(tid, source.id);
      expect(run).toMatchObject({ result: 'credentials' });
    } finally {
      await moto.authenticate(false);
    }
    expect(await instancesOf(serviceId)).toEqual(before);
    expect(listener.calls).toEqual([]);
    const shown = (await t.call('GET', `/v1/ec2-sync-sources/${source.id}`)).body;
    expect(shown).toMatchObject({ status: 'STALE', instanceCount: 2 });
    expect(shown.lastError).toMatch(/^credentials: AuthFailure: /);
    expect(shown.lastSuccessAt).not.toBe(shown.lastSyncAt);
    // Fixed: the next run applies the termination it missed.
    expect(await handler.run(tid, source.id)).toMatchObject({ result: 'applied', deleted: 1 });
  });

  it('marks the source STALE when EC2 cannot be reached, and changes nothing', async () => {
    const tag = uniqueTag();
    await launch(ec2, 1, { suite: tag });
    const { t, tenantId: tid, serviceId, source } = await withSource(tag);
    await handler.run(tid, source.id);
    const before = await instancesOf(serviceId);
    await t.call('PATCH', `/v1/ec2-sync-sources/${source.id}`, { endpoint: closedEndpoint });
    expect(await handler.run(tid, source.id)).toMatchObject({ result: 'unreachable' });
    expect(await instancesOf(serviceId)).toEqual(before);
    expect((await t.call('GET', `/v1/ec2-sync-sources/${source.id}`)).body).toMatchObject({
      status: 'STALE',
      instanceCount: 1,
      lastError: expect.stringMatching(/^unreachable: /),
    });
  });

  it('assumes a role through STS when the source names one', async () => {
    const tag = uniqueTag();
    await launch(ec2, 2, { suite: tag });
    // The worker's own AWS credentials (the SDK's default chain) assume the tenant's role.
    process.env['AWS_ACCESS_KEY_ID'] = 'AKIAWORKEREXAMPLE00';
    process.env['AWS_SECRET_ACCESS_KEY'] = 'worker-secret';
    const {
      t,
      tenantId: tid,
      source,
    } = await withSource(tag, {
      credentials: { roleArn: 'arn:aws:iam::123456789012:role/meshplane-ec2-read' },
    });
    expect(source['credentials']).toEqual({
      type: 'role',
      roleArn: 'arn:aws:iam::123456789012:role/meshplane-ec2-read',
    });
    expect(await handler.run(tid, source.id)).toMatchObject({ result: 'applied', inserted: 2 });
    expect((await t.call('GET', `/v1/ec2-sync-sources/${source.id}`)).body.status).toBe('OK');
  });

  it('writes to the new service after the source names another one, and removes its instances from the old one', async () => {
    const tag = uniqueTag();
    await launch(ec2, 2, { suite: tag });
    const { t, tenantId: tid, serviceId, source } = await withSource(tag);
    await handler.run(tid, source.id);
    const other = await registryService(prisma, tid, 'prod.local', 'web-v2');
    expect((await t.call('PATCH', `/v1/ec2-sync-sources/${source.id}`, { serviceName: 'web-v2' })).body).toMatchObject({
      namespaceName: 'prod.local',
      serviceName: 'web-v2',
    });
    listener.calls.length = 0;
    expect(await handler.run(tid, source.id)).toMatchObject({ result: 'applied', inserted: 2 });
    expect(await instancesOf(serviceId)).toEqual([]);
    expect(await instancesOf(other)).toHaveLength(2);
    expect(listener.calls).toHaveLength(1);
    expect([...listener.calls[0]!.serviceIds].sort()).toEqual([serviceId, other].sort());
  });

  it('reports a deleted registry service as STALE instead of writing anywhere', async () => {
    const tag = uniqueTag();
    await launch(ec2, 1, { suite: tag });
    const { t, tenantId: tid, serviceId, source } = await withSource(tag);
    await prisma.registryService.delete({ where: { id: serviceId } });
    expect(await handler.run(tid, source.id)).toMatchObject({ result: 'service-missing' });
    expect((await t.call('GET', `/v1/ec2-sync-sources/${source.id}`)).body).toMatchObject({
      status: 'STALE',
      namespaceName: null,
      serviceName: null,
      lastError: expect.stringContaining('no longer exists'),
    });
  });
});

describe('EC2 sync sources through /v1', () => {
  it('deletes a source with the instances it wrote, leaving API registrations, and reports the change', async () => {
    const tag = uniqueTag();
    await launch(ec2, 2, { suite: tag });
    const { t, tenantId: tid, serviceId, source } = await withSource(tag);
    await handler.run(tid, source.id);
    await prisma.registryInstance.create({
      data: { tenantId: tid, serviceId, instanceId: 'deploy-1', ipv4: '192.0.2.1', port: 80, source: 'api' },
    });
    // The api role's listener is the real EDS path; the service's stamp is what its repair finds.
    const stampBefore = (await prisma.registryService.findUniqueOrThrow({ where: { id: serviceId } })).updatedAt;
    const deleted = await t.call('DELETE', `/v1/ec2-sync-sources/${source.id}`);
    expect(deleted).toMatchObject({ status: 200, body: { id: source.id } });
    expect((await instancesOf(serviceId)).map((r) => r.instanceId)).toEqual(['deploy-1']);
    const stampAfter = (await prisma.registryService.findUniqueOrThrow({ where: { id: serviceId } })).updatedAt;
    expect(stampAfter.getTime()).toBeGreaterThan(stampBefore.getTime());
    expect(await prisma.ec2SyncSource.findUnique({ where: { id: source.id } })).toBeNull();
    expect((await t.call('GET', `/v1/ec2-sync-sources/${source.id}`)).status).toBe(404);
    // A run of the deleted source (a job still queued) writes nothing.
    expect(await handler.run(tid, source.id)).toEqual({ result: 'gone' });
    expect(await instancesOf(serviceId)).toHaveLength(1);
  });

  it('never returns the secret key, and stores it sealed to the source', async () => {
    const tag = uniqueTag();
    const secret = `s3cr3t-${randomBytes(12).toString('hex')}`;
    const { t, source } = await withSource(tag, {
      credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: secret },
    });
    expect(source['credentials']).toEqual({ type: 'accessKey', accessKeyId: 'AKIAIOSFODNN7EXAMPLE' });
    for (const res of [
      await t.call('GET', `/v1/ec2-sync-sources/${source.id}`),
      await t.call('GET', '/v1/ec2-sync-sources'),
      await t.call('PATCH', `/v1/ec2-sync-sources/${source.id}`, { port: 81 }),
    ]) {
      expect(JSON.stringify(res.body)).not.toContain(secret);
    }
    const rows = await prisma.$queryRaw<Record<string, unknown>[]>`
      SELECT * FROM ec2_sync_sources WHERE id = ${source.id}::uuid`;
    const row = rows[0]!;
    const ciphertext = Buffer.from(row['secret_ciphertext'] as Uint8Array);
    expect(JSON.stringify(row)).not.toContain(secret);
    expect(ciphertext.includes(Buffer.from(secret))).toBe(false);
    const box = new SecretBox(api.config.masterKey);
    expect(row['master_key_id']).toBe(box.keyId);
    expect(box.open(ciphertext, box.keyId, sealedSecretAad(source.id))).toBe(secret);
    // Bound to its source: under another source's id it does not open.
    expect(() => box.open(ciphertext, box.keyId, sealedSecretAad(randomBytes(16).toString('hex')))).toThrow();
  });

  it('refuses bad input, naming the field and the rule, in the App Mesh error shape', async () => {
    const t = await tenant();
    await registryService(prisma, await tenantId(t), 'prod.local', 'web');
    const cases: [Record<string, unknown>, string][] = [
      [{ region: 'mars' }, 'region: must look like an AWS region, e.g. us-east-1'],
      [{ port: 0 }, 'port: must be an integer from 1 to 65535'],
      [{ intervalSeconds: 5 }, 'intervalSeconds: must be an integer from 10 to 86400'],
      [{ name: '-x' }, 'name: must be 1-64 letters'],
      [{ tagFilters: [{ key: '', values: ['a'] }] }, 'tagFilters.0.key: must be 1-128 characters'],
      [{ tagFilters: [{ key: 'a', values: [] }] }, 'tagFilters.0.values: must list 1-20 values'],
      [{ attributeTags: ['AWS_INSTANCE_IPV4'] }, 'attributeTags.0: must not start with AWS_'],
      [
        { credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE' } },
        'credentials: must hold either accessKeyId and secretAccessKey, or roleArn',
      ],
      [
        {
          credentials: {
            accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
            secretAccessKey: 'x',
            roleArn: 'arn:aws:iam::123456789012:role/r',
          },
        },
        'credentials: must hold either',
      ],
      [{ credentials: { roleArn: 'arn:aws:s3:::bucket' } }, 'credentials.roleArn: must be an IAM role ARN'],
      [{ credentials: undefined }, 'credentials: is required: an object with either'],
      [{ endpoint: 'ftp://x' }, 'endpoint: must be an http(s) URL'],
      [
        { endpoint: 'http://169.254.169.254' },
        'endpoint: must be an origin the operator allows (EC2_SYNC_ALLOWED_ENDPOINTS)',
      ],
      [{ unknownField: 1 }, 'unknownField'],
    ];
    for (const [over, message] of cases) {
      const res = await t.call('POST', '/v1/ec2-sync-sources', sourceBody('x', over));
      expect(res.status, JSON.stringify(over)).toBe(400);
      expect(res.headers.get('x-amzn-errortype')).toBe('BadRequestException');
      expect(res.body.message).toContain(message);
    }
    const missing = await t.call('POST', '/v1/ec2-sync-sources', sourceBody('x', { serviceName: 'nope' }));
    expect(missing.status).toBe(404);
    expect(missing.body.message).toContain('serviceName: registry service nope does not exist in namespace prod.local');
    const body = sourceBody('x');
    expect((await t.call('POST', '/v1/ec2-sync-sources', body)).status).toBe(201);
    const again = await t.call('POST', '/v1/ec2-sync-sources', { ...body });
    expect(again.status).toBe(409);
    expect(again.headers.get('x-amzn-errortype')).toBe('ConflictException');
    expect((await t.call('GET', '/v1/ec2-sync-sources/not-a-uuid')).status).toBe(404);
    expect(await prisma.ec2SyncSource.count({ where: { tenantId: await tenantId(t) } })).toBe(1);
  });

  it("enforces the plan's quota of sources", async () => {
    const t = await tenant('free');
    await registryService(prisma, await tenantId(t), 'prod.local', 'web');
    for (let i = 0; i < 2; i++)
      expect((await t.call('POST', '/v1/ec2-sync-sources', sourceBody('q'))).status).toBe(201);
    const third = await t.call('POST', '/v1/ec2-sync-sources', sourceBody('q'));
    expect(third.status).toBe(400);
    expect(third.headers.get('x-amzn-errortype')).toBe('LimitExceededException');
    expect(third.body.message).toContain('maximum of 2 EC2 sync sources');
  });

  it("keeps tenants apart: one never sees, changes, triggers or deletes another's source, nor targets its services", async () => {
    const tag = uniqueTag();
    await launch(ec2, 1, { suite: tag });
    const a = await withSource(tag);
    const b = await tenant();
    const bId = await tenantId(b);
    expect((await b.call('GET', '/v1/ec2-sync-sources')).body).toEqual({ ec2SyncSources: [] });
    for (const [method, path, body] of [
      ['GET', `/v1/ec2-sync-sources/${a.source.id}`, undefined],
      ['PATCH', `/v1/ec2-sync-sources/${a.source.id}`, { port: 1 }],
      ['POST', `/v1/ec2-sync-sources/${a.source.id}/sync`, undefined],
      ['DELETE', `/v1/ec2-sync-sources/${a.source.id}`, undefined],
    ] as const) {
      const res = await b.call(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(JSON.stringify(res.body)).not.toContain(a.t.created.accountId);
    }
    // A's service name does not exist for B, even though A has one by that name.
    const res = await b.call('POST', '/v1/ec2-sync-sources', sourceBody(tag));
    expect(res.status).toBe(404);
    // A job naming A's source under B's tenant id does nothing.
    expect(await handler.run(bId, a.source.id)).toEqual({ result: 'gone' });
    expect(await instancesOf(a.serviceId)).toEqual([]);
    expect((await a.t.call('GET', `/v1/ec2-sync-sources/${a.source.id}`)).body).toMatchObject({
      port: 8080,
      status: 'PENDING',
    });
  });

  it('queues a run now, and answers without credentials with 401/403', async () => {
    const { t, source } = await withSource(uniqueTag());
    const res = await t.call('POST', `/v1/ec2-sync-sources/${source.id}/sync`);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ id: source.id });
    const anonymous = await call(api.baseUrl, 'GET', '/v1/ec2-sync-sources');
    expect([401, 403]).toContain(anonymous.status);
  });
});

describe('EC2 sync sources through GraphQL', () => {
  const FIELDS = `id name region endpoint tagFilters { key values } namespaceName serviceName attributeTags port
    intervalSeconds credentials { type accessKeyId roleArn } status lastError instanceCount skippedCount`;

  it('creates, lists, reads, changes, runs and deletes a source with the REST rules, never showing the secret', async () => {
    const tag = uniqueTag();
    await launch(ec2, 2, { suite: tag });
    const t = await tenant();
    const tid = await tenantId(t);
    const serviceId = await registryService(prisma, tid, 'prod.local', 'web');
    const gql = async (query: string, variables: Record<string, unknown> = {}) =>
      (await t.call('POST', '/graphql', { query, variables })).body as { data?: any; errors?: any[] };
    const secret = `gql-${randomBytes(10).toString('hex')}`;

    const created = await gql(
      `mutation($i: CreateEc2SyncSourceInput!) { createEc2SyncSource(input: $i) { ${FIELDS} } }`,
      {
        i: {
          ...sourceBody(tag, { name: 'fleet' }),
          credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: secret },
        },
      },
    );
    expect(created.errors).toBeUndefined();
    const source = created.data.createEc2SyncSource;
    expect(source).toMatchObject({
      name: 'fleet',
      endpoint: moto.endpoint,
      tagFilters: [{ key: 'suite', values: [tag] }],
      namespaceName: 'prod.local',
      serviceName: 'web',
      attributeTags: [],
      credentials: { type: 'accessKey', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', roleArn: null },
      status: 'PENDING',
    });
    expect(JSON.stringify(created)).not.toContain(secret);

    await handler.run(tid, source.id);
    const listed = await gql(`{ ec2SyncSources { ${FIELDS} } }`);
    expect(listed.data.ec2SyncSources).toEqual([
      expect.objectContaining({ id: source.id, status: 'OK', instanceCount: 2 }),
    ]);

    const updated = await gql(
      `mutation($id: ID!, $i: UpdateEc2SyncSourceInput!) { updateEc2SyncSource(id: $id, input: $i) { ${FIELDS} } }`,
      { id: source.id, i: { endpoint: null, attributeTags: ['team'] } },
    );
    expect(updated.data.updateEc2SyncSource).toMatchObject({
      endpoint: null,
      attributeTags: ['team'],
      status: 'PENDING',
    });

    const bad = await gql(
      `mutation($id: ID!, $i: UpdateEc2SyncSourceInput!) { updateEc2SyncSource(id: $id, input: $i) { id } }`,
      { id: source.id, i: { port: 70000, credentials: { roleArn: 'nope' } } },
    );
    expect(bad.errors?.[0]?.extensions?.code).toBe('VALIDATION');
    expect(bad.errors?.[0]?.message).toContain('port: must be an integer from 1 to 65535');
    expect(bad.errors?.[0]?.message).toContain('credentials.roleArn: must be an IAM role ARN');

    const synced = await gql(`mutation($id: ID!) { syncEc2SyncSource(id: $id) { id } }`, { id: source.id });
    expect(synced.data.syncEc2SyncSource.id).toBe(source.id);

    // Another tenant finds nothing under that id, and cannot delete it.
    const other = await tenant();
    const foreign = (await other.call('POST', '/graphql', { query: `{ ec2SyncSource(id: "${source.id}") { id } }` }))
      .body;
    expect(foreign.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const foreignDelete = (
      await other.call('POST', '/graphql', { query: `mutation { deleteEc2SyncSource(id: "${source.id}") }` })
    ).body;
    expect(foreignDelete.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    const deleted = await gql(`mutation($id: ID!) { deleteEc2SyncSource(id: $id) }`, { id: source.id });
    expect(deleted.data.deleteEc2SyncSource).toBe(source.id);
    expect(await instancesOf(serviceId)).toEqual([]);
    expect((await gql(`{ ec2SyncSources { id } }`)).data.ec2SyncSources).toEqual([]);
  });
});
