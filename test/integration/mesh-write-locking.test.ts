import {
  type AppMeshClient,
  CreateMeshCommand,
  CreateRouteCommand,
  CreateVirtualNodeCommand,
  CreateVirtualRouterCommand,
  DeleteVirtualNodeCommand,
  DescribeRouteCommand,
  UpdateRouteCommand,
  UpdateVirtualRouterCommand,
  type RouteSpec,
} from '@aws-sdk/client-app-mesh';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaService } from '../../src/platform/prisma/prisma.service.js';
import type { CreatedTenant } from '../../src/tenants/tenants.service.js';
import { eventually } from '../support/eventually.js';
import { errorName } from '../support/sdk-errors.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { appMeshClient, uniqueName } from '../support/tenant-builder.js';

/**
 * Writes inside one mesh take the mesh row's lock last (docs/adr/0008-mesh-write-locking.md); row
 * locks on what a write references keep references exact. Through the real API and SDK, on the
 * real PostgreSQL; a second connection holds locks to force the interleavings the races need.
 */
describe('Writes inside one mesh: generations, references and races (ADR 0008)', () => {
  let api: TestApp;
  let tenant: CreatedTenant;
  let client: AppMeshClient;
  let prisma: PrismaService;

  const http = [{ portMapping: { port: 8080, protocol: 'http' as const } }];
  const routeTo = (...nodes: string[]): RouteSpec => ({
    httpRoute: {
      match: { prefix: '/' },
      action: { weightedTargets: nodes.map((virtualNode) => ({ virtualNode, weight: 1 })) },
    },
  });

  beforeAll(async () => {
    api = await startTestApp();
    const res = await api.admin('POST', '/admin/v1/tenants', { name: uniqueName(), plan: 'enterprise' });
    if (res.status !== 201) throw new Error(`creating the tenant: ${res.status} ${JSON.stringify(res.body)}`);
    tenant = res.body as CreatedTenant;
    client = appMeshClient(api, tenant.accessKey);
    prisma = api.app.get(PrismaService);
  });
  afterAll(async () => {
    await api?.close();
  });

  /** A mesh with nodes `a` and `b` and `routers` routers r-0… (http:8080), each with route `main` → a. */
  async function routedMesh(routers: number): Promise<{ meshName: string; meshId: string }> {
    const meshName = uniqueName('m');
    await client.send(new CreateMeshCommand({ meshName }));
    for (const node of ['a', 'b']) {
      await client.send(
        new CreateVirtualNodeCommand({
          meshName,
          virtualNodeName: node,
          spec: { listeners: http, serviceDiscovery: { dns: { hostname: `${node}.local` } } },
        }),
      );
    }
    for (let i = 0; i < routers; i++) {
      await client.send(
        new CreateVirtualRouterCommand({ meshName, virtualRouterName: `r-${i}`, spec: { listeners: http } }),
      );
      await client.send(
        new CreateRouteCommand({ meshName, virtualRouterName: `r-${i}`, routeName: 'main', spec: routeTo('a') }),
      );
    }
    const mesh = await prisma.mesh.findFirstOrThrow({
      where: { name: meshName, tenant: { accountId: tenant.accountId } },
    });
    return { meshName, meshId: mesh.id };
  }

  async function lastChangeId(): Promise<bigint> {
    return (await prisma.meshChange.aggregate({ _max: { id: true } }))._max.id ?? 0n;
  }

  /** A separate connection that holds locks in an open transaction, as a concurrent writer would. */
  async function lockHolder(): Promise<{
    pid: number;
    query: (sql: string, params?: unknown[]) => Promise<pg.QueryResult>;
    /** Sessions waiting, directly or through another waiter, on what this connection holds. */
    waiters: () => Promise<number>;
    end: () => Promise<void>;
  }> {
    const db = new pg.Client({ connectionString: process.env['DATABASE_URL'] });
    await db.connect();
    const observer = new pg.Client({ connectionString: process.env['DATABASE_URL'] });
    await observer.connect();
    const pid = Number((await db.query('SELECT pg_backend_pid() AS pid')).rows[0].pid);
    await db.query('BEGIN');
    return {
      pid,
      query: (sql, params) => db.query(sql, params),
      async waiters() {
        const rows = (
          await observer.query(
            `SELECT pid, pg_blocking_pids(pid) AS blockers FROM pg_stat_activity
             WHERE datname = current_database() AND wait_event_type = 'Lock'`,
          )
        ).rows as { pid: number; blockers: number[] }[];
        const blocked = new Set<number>();
        for (let grew = true; grew;) {
          grew = false;
          for (const r of rows) {
            if (!blocked.has(r.pid) && r.blockers.some((b) => b === pid || blocked.has(b))) {
              blocked.add(r.pid);
              grew = true;
            }
          }
        }
        return blocked.size;
      },
      async end() {
        await db.query('ROLLBACK').catch(() => undefined);
        await db.end();
        await observer.end();
      },
    };
  }

  /** Holds the mesh row's lock while `run` starts writes; they all wait until it is released. */
  async function withMeshLocked<T>(
    meshId: string,
    run: (holder: Awaited<ReturnType<typeof lockHolder>>) => Promise<T>,
  ): Promise<T> {
    const holder = await lockHolder();
    try {
      await holder.query('SELECT 1 FROM meshes WHERE id = $1 FOR UPDATE', [meshId]);
      return await run(holder);
    } finally {
      await holder.end();
    }
  }

  const waitForWaiters = (holder: { waiters: () => Promise<number> }, n: number) =>
    eventually(`${n} writes waiting on the held locks`, 10_000, async () =>
      (await holder.waiters()) >= n ? true : undefined,
    );

  /** References to resources that do not exist in the mesh: there must never be any. */
  async function danglingReferences(meshId: string): Promise<number> {
    const rows = await prisma.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM resource_references rr
      WHERE rr.mesh_id = ${meshId}::uuid AND NOT EXISTS (
        SELECT 1 FROM mesh_resources m
        WHERE m.mesh_id = rr.mesh_id AND m.kind = rr.to_kind AND m.parent_name = '' AND m.name = rr.to_name)`;
    return Number(rows[0]?.n ?? 0n);
  }

  it('commits concurrent UpdateRoute calls with gap-free generations in commit order, one change-log row each', async () => {
    const routers = 30;
    const sameRoute = 10;
    const { meshName, meshId } = await routedMesh(routers);
    const before = await prisma.mesh.findUniqueOrThrow({ where: { id: meshId } });
    const after = await lastChangeId();

    // Every route once, and route r-0 ten more times, all at once.
    const calls = [
      ...Array.from({ length: routers }, (_, i) => ({ router: `r-${i}`, nodes: ['a', 'b'] })),
      ...Array.from({ length: sameRoute }, (_, i) => ({ router: 'r-0', nodes: i % 2 ? ['a'] : ['b'] })),
    ];
    const answers = await Promise.all(
      calls.map((c) =>
        client.send(
          new UpdateRouteCommand({
            meshName,
            virtualRouterName: c.router,
            routeName: 'main',
            spec: routeTo(...c.nodes),
          }),
        ),
      ),
    );
    expect(answers).toHaveLength(calls.length);

    const changes = await prisma.meshChange.findMany({ where: { meshId, id: { gt: after } }, orderBy: { id: 'asc' } });
    expect(changes).toHaveLength(calls.length);
    // In commit order (the change-log row is written under the mesh lock, just before COMMIT): the
    // generations follow the rows' order without gaps, and so do their commit times.
    expect(changes.map((c) => c.generation)).toEqual(
      Array.from({ length: calls.length }, (_, i) => before.generation + BigInt(i + 1)),
    );
    for (let i = 1; i < changes.length; i++) {
      expect(changes[i]!.committedAt.getTime()).toBeGreaterThanOrEqual(changes[i - 1]!.committedAt.getTime());
    }
    expect(changes.every((c) => c.kind === 'route' && c.name === 'main' && c.operation === 'update')).toBe(true);
    expect(new Set(changes.map((c) => c.parentName)).size).toBe(routers);
    const mesh = await prisma.mesh.findUniqueOrThrow({ where: { id: meshId } });
    expect(mesh.generation).toBe(before.generation + BigInt(calls.length));

    // Eleven updates of r-0's route: each answered with its own version, the last one stored.
    const versions = answers.filter((a) => a.route?.virtualRouterName === 'r-0').map((a) => a.route?.metadata?.version);
    expect(new Set(versions)).toEqual(new Set(Array.from({ length: sameRoute + 1 }, (_, i) => i + 2)));
    const r0 = await client.send(new DescribeRouteCommand({ meshName, virtualRouterName: 'r-0', routeName: 'main' }));
    expect(r0.route?.metadata?.version).toBe(sameRoute + 2);
    expect(await danglingReferences(meshId)).toBe(0);
  });

  it('applies concurrent UpdateRoute calls with one clientToken once, and answers them all alike', async () => {
    const { meshName, meshId } = await routedMesh(1);
    const after = await lastChangeId();
    const clientToken = uniqueName('tok');
    const send = (nodes: string[]) =>
      client.send(
        new UpdateRouteCommand({
          meshName,
          virtualRouterName: 'r-0',
          routeName: 'main',
          spec: routeTo(...nodes),
          clientToken,
        }),
      );
    const answers = await Promise.all(Array.from({ length: 6 }, () => send(['b'])));
    expect(new Set(answers.map((a) => a.route?.metadata?.version))).toEqual(new Set([2]));
    expect(await errorName(send(['a']))).toBe('ConflictException');
    const changes = await prisma.meshChange.findMany({ where: { meshId, id: { gt: after } } });
    expect(changes.map((c) => [c.kind, c.operation])).toEqual([['route', 'update']]);
    const route = await client.send(
      new DescribeRouteCommand({ meshName, virtualRouterName: 'r-0', routeName: 'main' }),
    );
    expect(route.route?.metadata?.version).toBe(2);
  });

  describe('an UpdateRoute adding a target node against a DeleteVirtualNode of that node', () => {
    it('refuses the delete (ResourceInUse) when the update got there first', async () => {
      const { meshName, meshId } = await routedMesh(1);
      const [update, remove] = await withMeshLocked(meshId, async (holder) => {
        const update = errorName(
          client.send(
            new UpdateRouteCommand({ meshName, virtualRouterName: 'r-0', routeName: 'main', spec: routeTo('a', 'b') }),
          ),
        );
        await waitForWaiters(holder, 1);
        const remove = errorName(client.send(new DeleteVirtualNodeCommand({ meshName, virtualNodeName: 'b' })));
        await waitForWaiters(holder, 2);
        await holder.query('ROLLBACK');
        return Promise.all([update, remove]);
      });
      expect([update, remove]).toEqual(['succeeded', 'ResourceInUseException']);
      expect(await danglingReferences(meshId)).toBe(0);
    });

    it('refuses the update (BadRequest) when the delete got there first', async () => {
      const { meshName, meshId } = await routedMesh(1);
      const [remove, update] = await withMeshLocked(meshId, async (holder) => {
        const remove = errorName(client.send(new DeleteVirtualNodeCommand({ meshName, virtualNodeName: 'b' })));
        await waitForWaiters(holder, 1);
        const update = errorName(
          client.send(
            new UpdateRouteCommand({ meshName, virtualRouterName: 'r-0', routeName: 'main', spec: routeTo('a', 'b') }),
          ),
        );
        await waitForWaiters(holder, 2);
        await holder.query('ROLLBACK');
        return Promise.all([remove, update]);
      });
      expect([remove, update]).toEqual(['succeeded', 'BadRequestException']);
      expect(await danglingReferences(meshId)).toBe(0);
    });

    it('ends in exactly one of those two states, raced again and again', async () => {
      const { meshName, meshId } = await routedMesh(1);
      const outcomes = new Map<string, number>();
      for (let i = 0; i < 30; i++) {
        const node = `x-${i}`;
        await client.send(
          new CreateVirtualNodeCommand({
            meshName,
            virtualNodeName: node,
            spec: { listeners: http, serviceDiscovery: { dns: { hostname: `${node}.local` } } },
          }),
        );
        const [update, remove] = await Promise.all([
          errorName(
            client.send(
              new UpdateRouteCommand({
                meshName,
                virtualRouterName: 'r-0',
                routeName: 'main',
                spec: routeTo('a', node),
              }),
            ),
          ),
          errorName(client.send(new DeleteVirtualNodeCommand({ meshName, virtualNodeName: node }))),
        ]);
        const outcome = `${update}/${remove}`;
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
        expect(['succeeded/ResourceInUseException', 'BadRequestException/succeeded']).toContain(outcome);
        const route = await client.send(
          new DescribeRouteCommand({ meshName, virtualRouterName: 'r-0', routeName: 'main' }),
        );
        const targets = route.route?.spec?.httpRoute?.action?.weightedTargets?.map((t) => t.virtualNode);
        expect(targets).toEqual(update === 'succeeded' ? ['a', node] : ['a']);
        expect(await danglingReferences(meshId)).toBe(0);
        // Back to a alone, so the node is free again.
        if (update === 'succeeded') {
          await client.send(
            new UpdateRouteCommand({ meshName, virtualRouterName: 'r-0', routeName: 'main', spec: routeTo('a') }),
          );
        }
      }
      expect([...outcomes.values()].reduce((a, b) => a + b, 0)).toBe(30);
    });
  });

  describe('a route update against an update of its router', () => {
    const toTcp = (meshName: string) =>
      new UpdateVirtualRouterCommand({
        meshName,
        virtualRouterName: 'r-0',
        spec: { listeners: [{ portMapping: { port: 8080, protocol: 'tcp' } }] },
      });
    const httpRouteUpdate = (meshName: string) =>
      new UpdateRouteCommand({ meshName, virtualRouterName: 'r-0', routeName: 'main', spec: routeTo('b') });

    it('validates the route against the router as the router update left it, when that came first', async () => {
      const { meshName, meshId } = await routedMesh(1);
      const [router, route] = await withMeshLocked(meshId, async (holder) => {
        const router = errorName(client.send(toTcp(meshName)));
        await waitForWaiters(holder, 1);
        const route = errorName(client.send(httpRouteUpdate(meshName)));
        await waitForWaiters(holder, 2);
        await holder.query('ROLLBACK');
        return Promise.all([router, route]);
      });
      // The http route no longer fits the router's tcp listener.
      expect([router, route]).toEqual(['succeeded', 'BadRequestException']);
    });

    it('commits the route before the router update when the route came first', async () => {
      const { meshName, meshId } = await routedMesh(1);
      const after = await lastChangeId();
      const [route, router] = await withMeshLocked(meshId, async (holder) => {
        const route = errorName(client.send(httpRouteUpdate(meshName)));
        await waitForWaiters(holder, 1);
        const router = errorName(client.send(toTcp(meshName)));
        await waitForWaiters(holder, 2);
        await holder.query('ROLLBACK');
        return Promise.all([route, router]);
      });
      expect([route, router]).toEqual(['succeeded', 'succeeded']);
      const changes = await prisma.meshChange.findMany({
        where: { meshId, id: { gt: after } },
        orderBy: { id: 'asc' },
      });
      expect(changes.map((c) => c.kind)).toEqual(['route', 'virtualRouter']);
    });

    it('never commits a route validated against a router spec that a later commit replaced, raced again and again', async () => {
      const { meshName, meshId } = await routedMesh(1);
      for (let i = 0; i < 15; i++) {
        await client.send(
          new UpdateVirtualRouterCommand({ meshName, virtualRouterName: 'r-0', spec: { listeners: http } }),
        );
        const after = await lastChangeId();
        const [route] = await Promise.all([
          errorName(client.send(httpRouteUpdate(meshName))),
          errorName(client.send(toTcp(meshName))),
        ]);
        const changes = await prisma.meshChange.findMany({
          where: { meshId, id: { gt: after } },
          orderBy: { generation: 'asc' },
        });
        // An http route that committed was checked against the http router: before the change to tcp.
        expect(changes.map((c) => c.kind)).toEqual(
          route === 'succeeded' ? ['route', 'virtualRouter'] : ['virtualRouter'],
        );
      }
    });
  });

  it('runs a write again when PostgreSQL aborts it to break a deadlock', async () => {
    const { meshName, meshId } = await routedMesh(1);
    const route = await prisma.meshResource.findFirstOrThrow({ where: { meshId, kind: 'route', parentName: 'r-0' } });
    const after = await lastChangeId();
    const answer = await withMeshLocked(meshId, async (holder) => {
      // The update locks its route, then waits for the mesh row this connection holds...
      const update = errorName(client.send(httpRouteUpdate()));
      await waitForWaiters(holder, 1);
      // ...which now waits for the route: a deadlock. The update waited first, so its deadlock check
      // runs first and aborts it; this statement then gets the route, and the update runs again.
      await holder.query('SELECT 1 FROM mesh_resources WHERE id = $1 FOR UPDATE', [route.id]);
      await holder.query('COMMIT');
      return update;
    });
    expect(answer).toBe('succeeded');
    const changes = await prisma.meshChange.findMany({ where: { meshId, id: { gt: after } } });
    expect(changes.map((c) => [c.kind, c.operation])).toEqual([['route', 'update']]);

    function httpRouteUpdate() {
      return new UpdateRouteCommand({ meshName, virtualRouterName: 'r-0', routeName: 'main', spec: routeTo('b') });
    }
  });
});
