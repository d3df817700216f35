import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedTenant } from '../../src/tenants/tenants.service.js';
import { awsCli } from '../support/aws-cli.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createTenant, uniqueName } from '../support/tenant-builder.js';

/** The AWS CLI (botocore) with --endpoint-url, checking the JSON it prints. */
describe('App Mesh API through the real AWS CLI', () => {
  let api: TestApp;
  let tenant: CreatedTenant;
  const run = async (...args: string[]) => {
    const result = await awsCli(api, tenant.accessKey, ['appmesh', ...args]);
    if (result.code !== 0) throw new Error(`aws appmesh ${args.join(' ')} failed: ${result.stderr}`);
    return JSON.parse(result.stdout || '{}');
  };

  beforeAll(async () => {
    api = await startTestApp();
    tenant = await createTenant(api);
  });
  afterAll(async () => {
    await api?.close();
  });

  it('creates a mesh, a node, a router with a route; lists, describes and deletes them', async () => {
    const mesh = uniqueName('cli');
    const created = await run('create-mesh', '--mesh-name', mesh);
    expect(created.mesh).toMatchObject({
      meshName: mesh,
      status: { status: 'ACTIVE' },
      metadata: { version: 1, meshOwner: tenant.accountId },
    });
    // Timestamps travel as epoch seconds (a JSON number with a fraction); AWS CLI v1 prints them as received.
    expect(created.mesh.metadata.createdAt).toEqual(expect.any(Number));
    expect(Math.abs(created.mesh.metadata.createdAt * 1000 - Date.now())).toBeLessThan(60_000);

    const node = await run(
      'create-virtual-node',
      '--mesh-name',
      mesh,
      '--virtual-node-name',
      'web',
      '--spec',
      JSON.stringify({
        listeners: [{ portMapping: { port: 8080, protocol: 'http' } }],
        serviceDiscovery: { dns: { hostname: 'web.local' } },
      }),
    );
    expect(node.virtualNode).toMatchObject({
      virtualNodeName: 'web',
      spec: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }] },
    });

    await run(
      'create-virtual-router',
      '--mesh-name',
      mesh,
      '--virtual-router-name',
      'router',
      '--spec',
      JSON.stringify({ listeners: [{ portMapping: { port: 8080, protocol: 'http' } }] }),
    );
    const route = await run(
      'create-route',
      '--mesh-name',
      mesh,
      '--virtual-router-name',
      'router',
      '--route-name',
      'all',
      '--spec',
      JSON.stringify({
        httpRoute: { match: { prefix: '/' }, action: { weightedTargets: [{ virtualNode: 'web', weight: 1 }] } },
      }),
    );
    expect(route.route.metadata.arn).toBe(
      `arn:aws:appmesh:us-east-1:${tenant.accountId}:mesh/${mesh}/virtualRouter/router/route/all`,
    );

    expect((await run('list-meshes')).meshes.map((m: { meshName: string }) => m.meshName)).toContain(mesh);
    expect((await run('list-virtual-nodes', '--mesh-name', mesh)).virtualNodes).toEqual([
      expect.objectContaining({ virtualNodeName: 'web', version: 1 }),
    ]);
    expect((await run('list-routes', '--mesh-name', mesh, '--virtual-router-name', 'router')).routes).toHaveLength(1);
    expect(
      (await run('describe-route', '--mesh-name', mesh, '--virtual-router-name', 'router', '--route-name', 'all')).route
        .spec.httpRoute.match.prefix,
    ).toBe('/');

    const inUse = await awsCli(api, tenant.accessKey, [
      'appmesh',
      'delete-virtual-node',
      '--mesh-name',
      mesh,
      '--virtual-node-name',
      'web',
    ]);
    expect(inUse.stderr).toContain('(ResourceInUseException)');

    expect(
      (await run('delete-route', '--mesh-name', mesh, '--virtual-router-name', 'router', '--route-name', 'all')).route
        .status.status,
    ).toBe('DELETED');
    await run('delete-virtual-router', '--mesh-name', mesh, '--virtual-router-name', 'router');
    await run('delete-virtual-node', '--mesh-name', mesh, '--virtual-node-name', 'web');
    expect((await run('delete-mesh', '--mesh-name', mesh)).mesh.status.status).toBe('DELETED');
    const gone = await awsCli(api, tenant.accessKey, ['appmesh', 'describe-mesh', '--mesh-name', mesh]);
    expect(gone.stderr).toContain('(NotFoundException)');
  });

  it('tags a resource by ARN and lists its tags', async () => {
    const mesh = uniqueName('cli');
    const created = await run('create-mesh', '--mesh-name', mesh, '--tags', 'key=team,value=payments');
    const arn = created.mesh.metadata.arn;
    await run('tag-resource', '--resource-arn', arn, '--tags', 'key=env,value=prod');
    expect((await run('list-tags-for-resource', '--resource-arn', arn)).tags).toEqual([
      { key: 'env', value: 'prod' },
      { key: 'team', value: 'payments' },
    ]);
    await run('untag-resource', '--resource-arn', arn, '--tag-keys', 'team');
    expect((await run('list-tags-for-resource', '--resource-arn', arn)).tags).toEqual([{ key: 'env', value: 'prod' }]);
  });
});
