import {
  type AppMeshClient,
  CreateMeshCommand,
  CreateVirtualNodeCommand,
  DescribeVirtualNodeCommand,
  UpdateMeshCommand,
  UpdateVirtualNodeCommand,
} from '@aws-sdk/client-app-mesh';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedTenant } from '../../src/tenants/tenants.service.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { appMeshClient, createTenant, uniqueName } from '../support/tenant-builder.js';

/**
 * A write's transaction holds one pool connection; nothing it waits for may need a second one.
 * With a pool of ONE connection and a plan cache that is always stale, any read through the pool
 * from inside a write's transaction (the plan in force, before it was read ahead of the
 * transaction) waits for the connection its own transaction holds until the pool's acquire
 * timeout, and the write fails with a 503. Under load the same wait took every connection of a
 * pool of 10 (64 concurrent updates in bench/app-mesh-api).
 */
describe('Writes never wait for a second pool connection', () => {
  let api: TestApp;
  let tenant: CreatedTenant;
  let client: AppMeshClient;

  beforeAll(async () => {
    api = await startTestApp(['api'], { DATABASE_POOL_SIZE: '1', BILLING_PLAN_CACHE_TTL_MS: '1' });
    tenant = await createTenant(api);
    client = appMeshClient(api, tenant.accessKey);
  });
  afterAll(async () => {
    await api?.close();
  });

  it('creates and updates a mesh and a virtual node on a one-connection pool with the plan never cached', async () => {
    const meshName = uniqueName('pool');
    const spec = (port: number) => ({
      listeners: [{ portMapping: { port, protocol: 'http' as const } }],
      serviceDiscovery: { dns: { hostname: 'svc.local' } },
    });
    await client.send(new CreateMeshCommand({ meshName }));
    await client.send(new UpdateMeshCommand({ meshName, spec: { egressFilter: { type: 'ALLOW_ALL' } } }));
    await client.send(new CreateVirtualNodeCommand({ meshName, virtualNodeName: 'n', spec: spec(8080) }));
    // With a client token too: the idempotency record is read and written around the same transaction.
    await client.send(
      new UpdateVirtualNodeCommand({ meshName, virtualNodeName: 'n', spec: spec(9090), clientToken: 'pool-1' }),
    );
    const node = await client.send(new DescribeVirtualNodeCommand({ meshName, virtualNodeName: 'n' }));
    expect(node.virtualNode?.spec?.listeners?.[0]?.portMapping?.port).toBe(9090);
    expect(node.virtualNode?.metadata?.version).toBe(2);
  }, 30_000);
});
