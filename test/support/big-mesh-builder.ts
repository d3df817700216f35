import { CreateMeshCommand, type AppMeshClient } from '@aws-sdk/client-app-mesh';
import type { TenantScope } from '../../src/common/tenancy/tenant-scope.js';
import type { ResourceKind } from '../../src/generated/prisma/client.js';
import { PrismaService } from '../../src/platform/prisma/prisma.service.js';
import type { TestApp } from './test-app.js';

/**
 * A mesh of `size` virtual nodes, fast: the mesh through the App Mesh API, its resources written
 * straight to the store in one statement (hundreds of API calls would take minutes on a shared
 * machine). Only for reads: no reference rows and no change log are written, so nothing compiles
 * it. Shape, for i < size and j < size/10:
 * - virtual node `node-i`, backend `svc-(i+1 mod size)`;
 * - virtual service `svc-i`, provided by `router-(i/10)` when i is a multiple of 10, else by `node-i`;
 * - router `router-j` with routes `a` (node-10j: 80, node-10j+1: 20) and `b` (node-10j+2: 1);
 * - gateway `gw` with gateway route `gr-j` to `svc-10j`.
 */
export async function createBigMesh(
  app: TestApp,
  client: AppMeshClient,
  scope: TenantScope,
  meshName: string,
  size: number,
): Promise<void> {
  await client.send(new CreateMeshCommand({ meshName }));
  const prisma = app.app.get(PrismaService);
  const mesh = await prisma.mesh.findUniqueOrThrow({
    where: { tenantId_name: { tenantId: scope.tenantId, name: meshName } },
  });
  const rows: { kind: ResourceKind; parentName?: string; name: string; spec: object }[] = [];
  const listener = { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }] };
  for (let i = 0; i < size; i++) {
    rows.push({
      kind: 'virtualNode',
      name: `node-${i}`,
      spec: {
        ...listener,
        serviceDiscovery: { dns: { hostname: `node-${i}.local` } },
        backends: [{ virtualService: { virtualServiceName: `svc-${(i + 1) % size}` } }],
      },
    });
    rows.push({
      kind: 'virtualService',
      name: `svc-${i}`,
      spec: {
        provider:
          i % 10 === 0
            ? { virtualRouter: { virtualRouterName: `router-${i / 10}` } }
            : { virtualNode: { virtualNodeName: `node-${i}` } },
      },
    });
  }
  rows.push({ kind: 'virtualGateway', name: 'gw', spec: listener });
  for (let j = 0; j < size / 10; j++) {
    const http = (targets: { virtualNode: string; weight: number }[]) => ({
      httpRoute: { match: { prefix: '/' }, action: { weightedTargets: targets } },
    });
    rows.push({ kind: 'virtualRouter', name: `router-${j}`, spec: listener });
    rows.push({
      kind: 'route',
      parentName: `router-${j}`,
      name: 'a',
      spec: http([
        { virtualNode: `node-${10 * j}`, weight: 80 },
        { virtualNode: `node-${10 * j + 1}`, weight: 20 },
      ]),
    });
    rows.push({
      kind: 'route',
      parentName: `router-${j}`,
      name: 'b',
      spec: http([{ virtualNode: `node-${10 * j + 2}`, weight: 1 }]),
    });
    rows.push({
      kind: 'gatewayRoute',
      parentName: 'gw',
      name: `gr-${j}`,
      spec: {
        httpRoute: {
          match: { prefix: `/${j}` },
          action: { target: { virtualService: { virtualServiceName: `svc-${10 * j}` } } },
        },
      },
    });
  }
  await prisma.meshResource.createMany({
    data: rows.map((r) => ({ tenantId: scope.tenantId, meshId: mesh.id, parentName: r.parentName ?? '', ...r })),
  });
}
