import {
  AppMeshClient,
  CreateMeshCommand,
  CreateRouteCommand,
  CreateVirtualNodeCommand,
  CreateVirtualRouterCommand,
  CreateVirtualServiceCommand,
  DeleteMeshCommand,
  DeleteRouteCommand,
  DeleteVirtualNodeCommand,
  DeleteVirtualRouterCommand,
  DeleteVirtualServiceCommand,
  DescribeMeshCommand,
  DescribeRouteCommand,
  DescribeVirtualNodeCommand,
  ListMeshesCommand,
  ListRoutesCommand,
  ListVirtualNodesCommand,
  paginateListVirtualNodes,
  UpdateMeshCommand,
  UpdateRouteCommand,
  UpdateVirtualNodeCommand,
  type VirtualNodeSpec,
} from '@aws-sdk/client-app-mesh';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaService } from '../../src/platform/prisma/prisma.service.js';
import type { CreatedTenant } from '../../src/tenants/tenants.service.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { appMeshClient, createTenant, uniqueName } from '../support/tenant-builder.js';
import { errorOf } from '../support/sdk-errors.js';

const nodeSpec = (port = 8080, hostname = 'svc.local'): VirtualNodeSpec => ({
  listeners: [{ portMapping: { port, protocol: 'http' } }],
  serviceDiscovery: { dns: { hostname } },
});

describe('App Mesh API contract (real AWS SDK): meshes, nodes, services, routers, routes', () => {
  let api: TestApp;
  let tenant: CreatedTenant;
  let mesh: AppMeshClient;

  beforeAll(async () => {
    api = await startTestApp();
    tenant = await createTenant(api);
    mesh = appMeshClient(api, tenant.accessKey);
  });
  afterAll(async () => {
    await api?.close();
  });

  it('creates, describes, updates, lists and deletes a mesh with App Mesh metadata', async () => {
    const meshName = uniqueName('m');
    const created = await mesh.send(new CreateMeshCommand({ meshName }));
    expect(created.mesh).toMatchObject({
      meshName,
      spec: { egressFilter: { type: 'DROP_ALL' } },
      status: { status: 'ACTIVE' },
      metadata: {
        arn: `arn:aws:appmesh:us-east-1:${tenant.accountId}:mesh/${meshName}`,
        version: 1,
        meshOwner: tenant.accountId,
        resourceOwner: tenant.accountId,
        uid: expect.stringMatching(/^[0-9a-f-]{36}$/),
      },
    });
    // The SDK parsed epoch-second numbers into Dates.
    expect(created.mesh?.metadata?.createdAt).toBeInstanceOf(Date);
    expect(Math.abs(created.mesh!.metadata!.createdAt!.getTime() - Date.now())).toBeLessThan(60_000);

    const described = await mesh.send(new DescribeMeshCommand({ meshName }));
    expect(described.mesh?.metadata?.uid).toBe(created.mesh?.metadata?.uid);

    const updated = await mesh.send(new UpdateMeshCommand({ meshName, spec: { egressFilter: { type: 'ALLOW_ALL' } } }));
    expect(updated.mesh).toMatchObject({ spec: { egressFilter: { type: 'ALLOW_ALL' } }, metadata: { version: 2 } });

    const listed = await mesh.send(new ListMeshesCommand({}));
    expect(listed.meshes?.map((m) => m.meshName)).toContain(meshName);
    expect(listed.meshes?.find((m) => m.meshName === meshName)).toMatchObject({
      version: 2,
      arn: created.mesh?.metadata?.arn,
    });

    const deleted = await mesh.send(new DeleteMeshCommand({ meshName }));
    expect(deleted.mesh?.status?.status).toBe('DELETED');
    expect(await errorOf(mesh.send(new DescribeMeshCommand({ meshName })))).toMatchObject({
      name: 'NotFoundException',
      status: 404,
    });
  });

  it('builds a mesh of node, router, route and service, and refuses to delete what is still used', async () => {
    const meshName = uniqueName('m');
    await mesh.send(new CreateMeshCommand({ meshName }));
    await mesh.send(new CreateVirtualNodeCommand({ meshName, virtualNodeName: 'blue', spec: nodeSpec() }));
    await mesh.send(new CreateVirtualNodeCommand({ meshName, virtualNodeName: 'green', spec: nodeSpec() }));
    await mesh.send(
      new CreateVirtualRouterCommand({
        meshName,
        virtualRouterName: 'r',
        spec: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }] },
      }),
    );
    const route = await mesh.send(
      new CreateRouteCommand({
        meshName,
        virtualRouterName: 'r',
        routeName: 'split',
        spec: {
          httpRoute: {
            match: { prefix: '/' },
            action: {
              weightedTargets: [
                { virtualNode: 'blue', weight: 50 },
                { virtualNode: 'green', weight: 50 },
              ],
            },
          },
        },
      }),
    );
    expect(route.route).toMatchObject({
      meshName,
      virtualRouterName: 'r',
      routeName: 'split',
      metadata: {
        arn: `arn:aws:appmesh:us-east-1:${tenant.accountId}:mesh/${meshName}/virtualRouter/r/route/split`,
        version: 1,
      },
    });
    await mesh.send(
      new CreateVirtualServiceCommand({
        meshName,
        virtualServiceName: 'web.local',
        spec: { provider: { virtualRouter: { virtualRouterName: 'r' } } },
      }),
    );

    // In use: the router has a route and provides a service; the nodes are route targets; the mesh has resources.
    expect(
      await errorOf(mesh.send(new DeleteVirtualRouterCommand({ meshName, virtualRouterName: 'r' }))),
    ).toMatchObject({ name: 'ResourceInUseException', status: 409 });
    expect(await errorOf(mesh.send(new DeleteVirtualNodeCommand({ meshName, virtualNodeName: 'blue' })))).toMatchObject(
      { name: 'ResourceInUseException' },
    );
    expect(await errorOf(mesh.send(new DeleteMeshCommand({ meshName })))).toMatchObject({
      name: 'ResourceInUseException',
    });

    const updated = await mesh.send(
      new UpdateRouteCommand({
        meshName,
        virtualRouterName: 'r',
        routeName: 'split',
        spec: {
          httpRoute: { match: { prefix: '/' }, action: { weightedTargets: [{ virtualNode: 'green', weight: 100 }] } },
        },
      }),
    );
    expect(updated.route?.metadata?.version).toBe(2);
    // blue is no longer referenced by the route.
    await mesh.send(new DeleteVirtualNodeCommand({ meshName, virtualNodeName: 'blue' }));

    const routes = await mesh.send(new ListRoutesCommand({ meshName, virtualRouterName: 'r' }));
    expect(routes.routes?.map((r) => r.routeName)).toEqual(['split']);

    await mesh.send(new DeleteVirtualServiceCommand({ meshName, virtualServiceName: 'web.local' }));
    await mesh.send(new DeleteRouteCommand({ meshName, virtualRouterName: 'r', routeName: 'split' }));
    await mesh.send(new DeleteVirtualRouterCommand({ meshName, virtualRouterName: 'r' }));
    await mesh.send(new DeleteVirtualNodeCommand({ meshName, virtualNodeName: 'green' }));
    expect((await mesh.send(new DeleteMeshCommand({ meshName }))).mesh?.status?.status).toBe('DELETED');
  });

  it('bumps the mesh generation and records a change event with every mutation, in the same transaction', async () => {
    const meshName = uniqueName('m');
    await mesh.send(new CreateMeshCommand({ meshName }));
    await mesh.send(new CreateVirtualNodeCommand({ meshName, virtualNodeName: 'a', spec: nodeSpec() }));
    await mesh.send(new UpdateVirtualNodeCommand({ meshName, virtualNodeName: 'a', spec: nodeSpec(9090) }));
    await errorOf(mesh.send(new CreateVirtualNodeCommand({ meshName, virtualNodeName: 'a', spec: nodeSpec() }))); // conflict: no change
    const prisma = api.app.get(PrismaService);
    const row = await prisma.mesh.findFirstOrThrow({
      where: { name: meshName, tenant: { accountId: tenant.accountId } },
      include: { changes: { orderBy: { id: 'asc' } } },
    });
    expect(row.generation).toBe(3n);
    expect(row.changes.map((c) => [c.kind, c.name, c.operation, c.generation])).toEqual([
      ['mesh', meshName, 'create', 1n],
      ['virtualNode', 'a', 'create', 2n],
      ['virtualNode', 'a', 'update', 3n],
    ]);
  });

  it('answers each error type the way the SDK expects', async () => {
    const meshName = uniqueName('m');
    await mesh.send(new CreateMeshCommand({ meshName }));
    // ConflictException: a name that exists.
    expect(await errorOf(mesh.send(new CreateMeshCommand({ meshName })))).toMatchObject({
      name: 'ConflictException',
      status: 409,
    });
    // NotFoundException: unknown mesh, node, and a route under an unknown router.
    expect(
      await errorOf(mesh.send(new DescribeVirtualNodeCommand({ meshName, virtualNodeName: 'nope' }))),
    ).toMatchObject({ name: 'NotFoundException', status: 404 });
    expect(
      await errorOf(mesh.send(new DescribeRouteCommand({ meshName, virtualRouterName: 'nope', routeName: 'x' }))),
    ).toMatchObject({ name: 'NotFoundException' });
    // BadRequestException naming the field and the rule.
    const bad = await errorOf(
      mesh.send(
        new CreateVirtualNodeCommand({
          meshName,
          virtualNodeName: 'n',
          spec: {
            listeners: [{ portMapping: { port: 70000, protocol: 'http' } }],
            serviceDiscovery: { dns: { hostname: 'x' } },
          },
        }),
      ),
    );
    expect(bad).toMatchObject({ name: 'BadRequestException', status: 400 });
    expect(bad.message).toContain('spec.listeners[0].portMapping.port');
    const badRef = await errorOf(
      mesh.send(
        new CreateVirtualServiceCommand({
          meshName,
          virtualServiceName: 's',
          spec: { provider: { virtualNode: { virtualNodeName: 'ghost' } } },
        }),
      ),
    );
    expect(badRef).toMatchObject({ name: 'BadRequestException' });
    expect(badRef.message).toContain('spec.provider.virtualNode.virtualNodeName: VirtualNode ghost does not exist');
    // A foreign meshOwner cannot see the mesh.
    expect(await errorOf(mesh.send(new DescribeMeshCommand({ meshName, meshOwner: '999999999999' })))).toMatchObject({
      name: 'NotFoundException',
    });
  });

  it('pages with limit and nextToken, in a stable order, with the SDK paginator', async () => {
    const meshName = uniqueName('m');
    await mesh.send(new CreateMeshCommand({ meshName }));
    const names = Array.from({ length: 7 }, (_, i) => `node-${i}`);
    for (const name of names)
      await mesh.send(new CreateVirtualNodeCommand({ meshName, virtualNodeName: name, spec: {} }));
    const first = await mesh.send(new ListVirtualNodesCommand({ meshName, limit: 3 }));
    expect(first.virtualNodes).toHaveLength(3);
    expect(first.nextToken).toEqual(expect.any(String));
    const seen: string[] = [];
    for await (const page of paginateListVirtualNodes({ client: mesh, pageSize: 2 }, { meshName })) {
      seen.push(...(page.virtualNodes ?? []).map((n) => n.virtualNodeName!));
    }
    expect(seen).toEqual(names);
    expect(await errorOf(mesh.send(new ListVirtualNodesCommand({ meshName, limit: 101 })))).toMatchObject({
      name: 'BadRequestException',
    });
  });

  it('honours clientToken: same request returns the first result, a different one conflicts', async () => {
    const meshName = uniqueName('m');
    const clientToken = `tok-${meshName}`;
    const first = await mesh.send(new CreateMeshCommand({ meshName, clientToken }));
    const again = await mesh.send(new CreateMeshCommand({ meshName, clientToken }));
    expect(again.mesh?.metadata?.uid).toBe(first.mesh?.metadata?.uid);
    expect(again.mesh?.metadata?.createdAt?.getTime()).toBe(first.mesh?.metadata?.createdAt?.getTime());
    const different = await errorOf(mesh.send(new CreateMeshCommand({ meshName: `${meshName}-b`, clientToken })));
    expect(different).toMatchObject({ name: 'ConflictException' });
  });

  it('honours clientToken on a resource: a repeated Create or Update answers as the first did and writes nothing', async () => {
    const meshName = uniqueName('m');
    await mesh.send(new CreateMeshCommand({ meshName }));
    const create = { meshName, virtualNodeName: 'a', spec: nodeSpec(), clientToken: `tok-c-${meshName}` };
    const first = await mesh.send(new CreateVirtualNodeCommand(create));
    const again = await mesh.send(new CreateVirtualNodeCommand(create));
    expect(again.virtualNode?.metadata?.uid).toBe(first.virtualNode?.metadata?.uid);
    expect(again.virtualNode?.metadata?.createdAt?.getTime()).toBe(first.virtualNode?.metadata?.createdAt?.getTime());
    expect(again.virtualNode?.spec).toEqual(first.virtualNode?.spec);
    const otherNode = await errorOf(mesh.send(new CreateVirtualNodeCommand({ ...create, virtualNodeName: 'b' })));
    expect(otherNode).toMatchObject({ name: 'ConflictException' });

    const update = { meshName, virtualNodeName: 'a', spec: nodeSpec(9191), clientToken: `tok-u-${meshName}` };
    const updated = await mesh.send(new UpdateVirtualNodeCommand(update));
    const replayed = await mesh.send(new UpdateVirtualNodeCommand(update));
    expect(updated.virtualNode?.metadata?.version).toBe(2);
    expect(replayed.virtualNode?.metadata?.version).toBe(2);
    const otherSpec = await errorOf(mesh.send(new UpdateVirtualNodeCommand({ ...update, spec: nodeSpec(9292) })));
    expect(otherSpec).toMatchObject({ name: 'ConflictException' });
    // Neither replay nor refusal wrote anything: still version 2, one node.
    const now = await mesh.send(new DescribeVirtualNodeCommand({ meshName, virtualNodeName: 'a' }));
    expect(now.virtualNode?.metadata?.version).toBe(2);
    expect(now.virtualNode?.spec?.listeners?.[0]?.portMapping?.port).toBe(9191);
    const list = await mesh.send(new ListVirtualNodesCommand({ meshName }));
    expect(list.virtualNodes?.map((n) => n.virtualNodeName)).toEqual(['a']);
  });

  it('never loses either of two concurrent updates of one resource', async () => {
    const meshName = uniqueName('m');
    await mesh.send(new CreateMeshCommand({ meshName }));
    await mesh.send(new CreateVirtualNodeCommand({ meshName, virtualNodeName: 'a', spec: nodeSpec() }));
    const results = await Promise.all(
      [1001, 1002, 1003, 1004].map((port) =>
        mesh.send(new UpdateVirtualNodeCommand({ meshName, virtualNodeName: 'a', spec: nodeSpec(port) })),
      ),
    );
    // Each update got its own version: they were applied one after another, none overwritten unseen.
    expect(results.map((r) => r.virtualNode?.metadata?.version).sort()).toEqual([2, 3, 4, 5]);
    const final = await mesh.send(new DescribeVirtualNodeCommand({ meshName, virtualNodeName: 'a' }));
    const last = results.find((r) => r.virtualNode?.metadata?.version === 5);
    expect(final.virtualNode?.spec).toEqual(last?.virtualNode?.spec);
  });
});
