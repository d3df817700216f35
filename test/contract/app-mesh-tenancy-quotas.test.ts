import {
  CreateMeshCommand,
  CreateVirtualNodeCommand,
  DeleteMeshCommand,
  DeleteVirtualNodeCommand,
  DescribeMeshCommand,
  DescribeVirtualNodeCommand,
  ListMeshesCommand,
  ListTagsForResourceCommand,
  ListVirtualNodesCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateMeshCommand,
  UpdateVirtualNodeCommand,
  type AppMeshClient,
} from '@aws-sdk/client-app-mesh';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedTenant } from '../../src/tenants/tenants.service.js';
import { call, startTestApp, type TestApp } from '../support/test-app.js';
import { appMeshClient, createTenant, uniqueName } from '../support/tenant-builder.js';
import { errorName } from '../support/sdk-errors.js';

describe('App Mesh API: tenants are walls', () => {
  let api: TestApp;
  let alice: CreatedTenant;
  let a: AppMeshClient;
  let b: AppMeshClient;
  const meshName = uniqueName('shared-name');
  let nodeArn: string;

  beforeAll(async () => {
    api = await startTestApp();
    alice = await createTenant(api);
    const bob = await createTenant(api);
    a = appMeshClient(api, alice.accessKey);
    b = appMeshClient(api, bob.accessKey);
    await a.send(new CreateMeshCommand({ meshName, tags: [{ key: 'owner', value: 'alice' }] }));
    const node = await a.send(new CreateVirtualNodeCommand({ meshName, virtualNodeName: 'n', spec: {} }));
    nodeArn = node.virtualNode!.metadata!.arn!;
  });
  afterAll(async () => {
    await api?.close();
  });

  it("does not show one tenant's meshes to another, by name or in lists", async () => {
    expect(await errorName(b.send(new DescribeMeshCommand({ meshName })))).toBe('NotFoundException');
    expect(await errorName(b.send(new DescribeMeshCommand({ meshName, meshOwner: alice.accountId })))).toBe(
      'NotFoundException',
    );
    expect(await errorName(b.send(new ListVirtualNodesCommand({ meshName })))).toBe('NotFoundException');
    expect(await errorName(b.send(new DescribeVirtualNodeCommand({ meshName, virtualNodeName: 'n' })))).toBe(
      'NotFoundException',
    );
    expect((await b.send(new ListMeshesCommand({}))).meshes?.map((m) => m.meshName)).not.toContain(meshName);
  });

  it("cannot update, delete or tag another tenant's resources, even by ARN", async () => {
    expect(
      await errorName(b.send(new UpdateMeshCommand({ meshName, spec: { egressFilter: { type: 'ALLOW_ALL' } } }))),
    ).toBe('NotFoundException');
    expect(await errorName(b.send(new UpdateVirtualNodeCommand({ meshName, virtualNodeName: 'n', spec: {} })))).toBe(
      'NotFoundException',
    );
    expect(await errorName(b.send(new DeleteVirtualNodeCommand({ meshName, virtualNodeName: 'n' })))).toBe(
      'NotFoundException',
    );
    expect(await errorName(b.send(new DeleteMeshCommand({ meshName })))).toBe('NotFoundException');
    expect(
      await errorName(b.send(new TagResourceCommand({ resourceArn: nodeArn, tags: [{ key: 'x', value: 'y' }] }))),
    ).toBe('NotFoundException');
    expect(await errorName(b.send(new UntagResourceCommand({ resourceArn: nodeArn, tagKeys: ['owner'] })))).toBe(
      'NotFoundException',
    );
    expect(await errorName(b.send(new ListTagsForResourceCommand({ resourceArn: nodeArn })))).toBe('NotFoundException');
    // Alice's resources are untouched.
    expect(
      (await a.send(new DescribeVirtualNodeCommand({ meshName, virtualNodeName: 'n' }))).virtualNode?.metadata?.version,
    ).toBe(1);
    expect((await a.send(new DescribeMeshCommand({ meshName }))).mesh?.spec?.egressFilter?.type).toBe('DROP_ALL');
  });

  it('lets another tenant use the same mesh name independently', async () => {
    const created = await b.send(new CreateMeshCommand({ meshName }));
    expect(created.mesh?.metadata?.meshOwner).not.toBe(alice.accountId);
    expect((await b.send(new ListVirtualNodesCommand({ meshName }))).virtualNodes).toEqual([]);
    expect((await a.send(new ListVirtualNodesCommand({ meshName }))).virtualNodes).toHaveLength(1);
  });
});

describe('App Mesh API: quotas per plan', () => {
  let api: TestApp;
  let client: AppMeshClient;

  beforeAll(async () => {
    api = await startTestApp();
    const res = await api.admin('POST', '/admin/v1/tenants', { name: uniqueName('free'), plan: 'free' });
    client = appMeshClient(api, res.body.accessKey);
  });
  afterAll(async () => {
    await api?.close();
  });

  it('refuses the mesh beyond the plan with LimitExceededException (free plan: 3)', async () => {
    for (let i = 0; i < 3; i++) await client.send(new CreateMeshCommand({ meshName: `quota-${i}` }));
    const err = await errorName(client.send(new CreateMeshCommand({ meshName: 'quota-3' })));
    expect(err).toBe('LimitExceededException');
  });

  it('refuses the virtual node beyond the plan (free plan: 20 per mesh)', async () => {
    for (let i = 0; i < 20; i++)
      await client.send(new CreateVirtualNodeCommand({ meshName: 'quota-0', virtualNodeName: `n${i}`, spec: {} }));
    expect(
      await errorName(
        client.send(new CreateVirtualNodeCommand({ meshName: 'quota-0', virtualNodeName: 'n20', spec: {} })),
      ),
    ).toBe('LimitExceededException');
  });

  it('refuses more than 50 tags on a resource with TooManyTagsException, applying none', async () => {
    const arn = (await client.send(new DescribeMeshCommand({ meshName: 'quota-1' }))).mesh!.metadata!.arn!;
    await client.send(
      new TagResourceCommand({
        resourceArn: arn,
        tags: Array.from({ length: 45 }, (_, i) => ({ key: `k${i}`, value: 'v' })),
      }),
    );
    const err = await errorName(
      client.send(
        new TagResourceCommand({
          resourceArn: arn,
          tags: Array.from({ length: 10 }, (_, i) => ({ key: `extra${i}`, value: 'v' })),
        }),
      ),
    );
    expect(err).toBe('TooManyTagsException');
    expect((await client.send(new ListTagsForResourceCommand({ resourceArn: arn, limit: 50 }))).tags).toHaveLength(45);
  });
});

describe('App Mesh API: request rate per tenant', () => {
  let api: TestApp;

  beforeAll(async () => {
    api = await startTestApp();
  });
  afterAll(async () => {
    await api?.close();
  });

  it('throttles a burst beyond the plan rate with TooManyRequestsException (429), per tenant', async () => {
    const free = await api.admin('POST', '/admin/v1/tenants', { name: uniqueName('burst'), plan: 'free' });
    const other = await createTenant(api);
    const client = appMeshClient(api, free.body.accessKey);
    const outcomes = await Promise.all(
      Array.from({ length: 120 }, () => errorName(client.send(new ListMeshesCommand({})))),
    );
    const throttled = outcomes.filter((o) => o === 'TooManyRequestsException').length;
    const served = outcomes.filter((o) => o === 'succeeded').length;
    expect(throttled + served).toBe(120);
    expect(throttled).toBeGreaterThan(0);
    expect(served).toBeGreaterThanOrEqual(50);
    // Another tenant's budget is untouched.
    expect(await errorName(appMeshClient(api, other.accessKey).send(new ListMeshesCommand({})))).toBe('succeeded');
  });

  it('tells the client when to retry', async () => {
    const free = await api.admin('POST', '/admin/v1/tenants', { name: uniqueName('burst'), plan: 'free' });
    const bearer = { authorization: `Bearer ${free.body.apiToken.token}` };
    const responses = await Promise.all(
      Array.from({ length: 80 }, () => call(api.baseUrl, 'GET', '/v1/account', bearer)),
    );
    const limited = responses.find((r) => r.status === 429);
    expect(limited?.headers.get('x-amzn-errortype')).toBe('TooManyRequestsException');
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });
});
