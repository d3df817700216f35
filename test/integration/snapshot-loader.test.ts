import {
  AppMeshClient,
  CreateMeshCommand,
  CreateRouteCommand,
  CreateVirtualGatewayCommand,
  CreateGatewayRouteCommand,
  CreateVirtualNodeCommand,
  CreateVirtualRouterCommand,
  CreateVirtualServiceCommand,
  DeleteRouteCommand,
  DeleteVirtualNodeCommand,
  UpdateMeshCommand,
  UpdateRouteCommand,
  UpdateVirtualNodeCommand,
} from '@aws-sdk/client-app-mesh';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tenantScopeOf, type TenantScope } from '../../src/common/tenancy/tenant-scope.js';
import { MetricsService } from '../../src/platform/metrics/metrics.service.js';
import { PrismaService } from '../../src/platform/prisma/prisma.service.js';
import type { CreatedTenant } from '../../src/tenants/tenants.service.js';
import { ReconcileSweepHandler } from '../../src/xds-fleet/reconcile/reconcile.handlers.js';
import { INCREMENTAL_LOAD_LIMIT, MeshSnapshotLoader } from '../../src/xds-fleet/snapshot/mesh-snapshot.loader.js';
import type { MeshSnapshot } from '../../src/xds-fleet/snapshot/mesh-snapshot.js';
import { eventually } from '../support/eventually.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { appMeshClient, createTenant } from '../support/tenant-builder.js';

/**
 * The worker reads a mesh incrementally: the snapshot it compiled last, plus what the mesh's
 * change log records since. That must always equal a full read, whatever the changes were.
 */
describe('mesh snapshot loader', () => {
  let app: TestApp;
  let tenant: CreatedTenant;
  let other: CreatedTenant;
  let client: AppMeshClient;
  let otherClient: AppMeshClient;
  let loader: MeshSnapshotLoader;
  let scope: TenantScope;
  const meshName = 'loader';

  beforeAll(async () => {
    // A retention of 30 min (other test files keep the default day): only this file's sweep
    // prunes the rows its test makes an hour old, whichever test app's sweep runs first.
    app = await startTestApp(['api', 'worker'], { MESH_CHANGE_RETENTION_MS: String(30 * 60_000) });
    [tenant, other] = [await createTenant(app), await createTenant(app)];
    client = appMeshClient(app, tenant.accessKey);
    otherClient = appMeshClient(app, other.accessKey);
    loader = app.app.get(MeshSnapshotLoader);
    const row = await app.app.get(PrismaService).tenant.findUniqueOrThrow({ where: { accountId: tenant.accountId } });
    scope = tenantScopeOf(row);
  });
  afterAll(async () => {
    await app?.close();
  });

  const node = (name: string, port = 8080) =>
    new CreateVirtualNodeCommand({
      meshName,
      virtualNodeName: name,
      spec: {
        listeners: [{ portMapping: { port, protocol: 'http' } }],
        serviceDiscovery: { dns: { hostname: `${name}.local` } },
      },
    });
  const route = (name: string, prefix: string, target = 'b') => ({
    meshName,
    virtualRouterName: 'r',
    routeName: name,
    spec: {
      httpRoute: { match: { prefix }, action: { weightedTargets: [{ virtualNode: target, weight: 1 }] } },
    },
  });

  /** Loads incrementally from `previous` and fully, and expects the same snapshot. */
  async function expectIncrementalEqualsFull(previous: MeshSnapshot): Promise<MeshSnapshot> {
    const incremental = await loader.load(scope, meshName, { previous });
    const full = await loader.load(scope, meshName);
    expect(incremental).toBeDefined();
    expect(incremental).toEqual(full);
    expect(BigInt(incremental!.generation)).toBeGreaterThan(BigInt(previous.generation));
    return incremental!;
  }

  it('reads only what changed, and always equals a full read', async () => {
    await client.send(new CreateMeshCommand({ meshName }));
    // Another tenant's mesh of the same name, changing alongside: never part of this one.
    await otherClient.send(new CreateMeshCommand({ meshName }));
    await otherClient.send(node('intruder'));
    for (const n of ['a', 'b', 'c']) await client.send(node(n));
    let snapshot = (await loader.load(scope, meshName))!;
    expect(snapshot.virtualNodes.map((n) => n.name)).toEqual(['a', 'b', 'c']);

    // Creates of every kind, children included.
    await client.send(
      new CreateVirtualRouterCommand({
        meshName,
        virtualRouterName: 'r',
        spec: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }] },
      }),
    );
    await client.send(new CreateRouteCommand(route('z', '/z')));
    await client.send(new CreateRouteCommand(route('m', '/m')));
    await client.send(
      new CreateVirtualServiceCommand({
        meshName,
        virtualServiceName: 'svc.loader.local',
        spec: { provider: { virtualRouter: { virtualRouterName: 'r' } } },
      }),
    );
    await client.send(
      new CreateVirtualGatewayCommand({
        meshName,
        virtualGatewayName: 'gw',
        spec: { listeners: [{ portMapping: { port: 9080, protocol: 'http' } }] },
      }),
    );
    await client.send(
      new CreateGatewayRouteCommand({
        meshName,
        virtualGatewayName: 'gw',
        gatewayRouteName: 'to-svc',
        spec: {
          httpRoute: {
            match: { prefix: '/' },
            action: { target: { virtualService: { virtualServiceName: 'svc.loader.local' } } },
          },
        },
      }),
    );
    snapshot = await expectIncrementalEqualsFull(snapshot);
    expect(snapshot.virtualRouters[0]!.routes.map((r) => r.name)).toEqual(['m', 'z']);
    expect(snapshot.virtualGateways[0]!.gatewayRoutes.map((r) => r.name)).toEqual(['to-svc']);

    // Updates, a delete, an update to the mesh itself; a resource changed twice.
    await client.send(new UpdateRouteCommand(route('m', '/m2')));
    await client.send(new UpdateRouteCommand(route('m', '/m3', 'c')));
    await client.send(new DeleteRouteCommand({ meshName, virtualRouterName: 'r', routeName: 'z' }));
    await client.send(new UpdateVirtualNodeCommand({ ...node('a', 9090).input }));
    await client.send(new DeleteVirtualNodeCommand({ meshName, virtualNodeName: 'b' }));
    await client.send(new UpdateMeshCommand({ meshName, spec: { egressFilter: { type: 'ALLOW_ALL' } } }));
    const before = snapshot;
    snapshot = await expectIncrementalEqualsFull(snapshot);
    expect(snapshot.virtualNodes.map((n) => n.name)).toEqual(['a', 'c']);
    expect(snapshot.virtualRouters[0]!.routes.map((r) => [r.name, r.version])).toEqual([['m', 3]]);
    expect(snapshot.spec).toMatchObject({ egressFilter: { type: 'ALLOW_ALL' } });
    // Unchanged resources are carried over, not read again: same spec values.
    expect(snapshot.virtualNodes.find((n) => n.name === 'c')).toEqual(before.virtualNodes.find((n) => n.name === 'c'));

    // Nothing changed: the same state, read again.
    expect(await loader.load(scope, meshName, { previous: snapshot })).toEqual(snapshot);
  });

  it('reads everything again after more changes than the incremental limit, with the same result', async () => {
    const previous = (await loader.load(scope, meshName))!;
    // Each update is one change-log entry.
    for (let i = 0; i <= INCREMENTAL_LOAD_LIMIT; i++) {
      await client.send(new UpdateRouteCommand(route('m', `/bulk${i}`, 'c')));
    }
    const incremental = await loader.load(scope, meshName, { previous });
    expect(incremental).toEqual(await loader.load(scope, meshName));
  });

  it('reads everything again when the change log no longer covers every generation since (pruned)', async () => {
    const prisma = app.app.get(PrismaService);
    const previous = (await loader.load(scope, meshName))!;
    await client.send(new UpdateRouteCommand(route('m', '/pruned', 'a')));
    await client.send(new UpdateVirtualNodeCommand({ ...node('c', 7070).input }));
    const mesh = await prisma.mesh.findFirstOrThrow({ where: { tenantId: scope.tenantId, name: meshName } });
    // The route's change is gone from the log (as retention would delete it): reading only what
    // the log names would miss it.
    await prisma.meshChange.deleteMany({
      where: { meshId: mesh.id, generation: { gt: BigInt(previous.generation) }, kind: 'route' },
    });
    const incremental = await loader.load(scope, meshName, { previous });
    expect(incremental).toEqual(await loader.load(scope, meshName));
    expect(incremental!.virtualRouters[0]!.routes[0]!.spec).toMatchObject({
      httpRoute: { match: { prefix: '/pruned' } },
    });
  });

  it('prunes change-log rows past the retention in the sweep, and only those', async () => {
    const prisma = app.app.get(PrismaService);
    const mesh = await prisma.mesh.findFirstOrThrow({ where: { tenantId: scope.tenantId, name: meshName } });
    const rows = await prisma.meshChange.findMany({ where: { meshId: mesh.id }, orderBy: { id: 'asc' } });
    expect(rows.length).toBeGreaterThan(3);
    // Three of this mesh's rows are made an hour old; everything else in the database stays recent.
    const old = rows.slice(0, 3).map((r) => r.id);
    await prisma.meshChange.updateMany({
      where: { id: { in: old } },
      data: { committedAt: new Date(Date.now() - 60 * 60_000) },
    });
    // This app's scheduled sweep may get there first (and count when it finishes): the counter
    // covers both.
    await app.app.get(ReconcileSweepHandler).process();
    await eventually('the pruned rows counted', 10_000, async () => {
      const metrics = await app.app.get(MetricsService).registry.metrics();
      return Number(/^meshplane_mesh_changes_pruned_total (\d+)/m.exec(metrics)?.[1]) >= 3 ? true : undefined;
    });
    const left = await prisma.meshChange.findMany({
      where: { meshId: mesh.id },
      select: { id: true },
      // Without an order PostgreSQL returns heap order, which the updates above may change.
      orderBy: { id: 'asc' },
    });
    expect(left.map((r) => r.id)).toEqual(rows.slice(3).map((r) => r.id));
  });

  it('treats a mesh deleted and created again under the same name as gone for the old id', async () => {
    const mesh = await app.app
      .get(PrismaService)
      .mesh.findFirstOrThrow({ where: { tenantId: scope.tenantId, name: meshName } });
    expect(await loader.load(scope, meshName, { meshId: mesh.id })).toBeDefined();
    expect(await loader.load(scope, meshName, { meshId: '00000000-0000-4000-8000-000000000000' })).toBeUndefined();
  });

  it('never reads another tenant’s resources, incrementally or fully', async () => {
    const snapshot = (await loader.load(scope, meshName))!;
    await otherClient.send(node('intruder2'));
    const row = await app.app.get(PrismaService).tenant.findUniqueOrThrow({ where: { accountId: other.accountId } });
    const otherSnapshot = (await loader.load(tenantScopeOf(row), meshName))!;
    expect(otherSnapshot.virtualNodes.map((n) => n.name)).toEqual(['intruder', 'intruder2']);
    // A previous snapshot of another tenant's mesh is not a base for this one.
    const fromOther = await loader.load(scope, meshName, { previous: otherSnapshot });
    expect(fromOther).toEqual(snapshot);
    expect(fromOther!.virtualNodes.map((n) => n.name)).not.toContain('intruder');
  });
});
