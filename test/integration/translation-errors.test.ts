import { randomBytes, randomUUID } from 'node:crypto';
import {
  CreateMeshCommand,
  CreateRouteCommand,
  CreateVirtualNodeCommand,
  DeleteVirtualNodeCommand,
  DescribeRouteCommand,
  UpdateRouteCommand,
  UpdateVirtualNodeCommand,
  type AppMeshClient,
} from '@aws-sdk/client-app-mesh';
import type * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PrismaService } from '../../src/platform/prisma/prisma.service.js';
import { QueueRegistry } from '../../src/platform/queues/queue-registry.service.js';
import { RedisService } from '../../src/platform/redis/redis.service.js';
import { TenantsService, type CreatedTenant } from '../../src/tenants/tenants.service.js';
import { compiledKeys, CompiledStore } from '../../src/xds-fleet/cache/compiled-store.js';
import { MeshCompiler } from '../../src/xds-fleet/compiler/mesh-compiler.js';
import { ProxyTokenService } from '../../src/xds-fleet/identity/proxy-tokens.service.js';
import { ReconcileSweepHandler } from '../../src/xds-fleet/reconcile/reconcile.handlers.js';
import { XdsGrpcServer } from '../../src/xds-fleet/server/xds-grpc-server.service.js';
import { TYPE } from '../../src/xds-fleet/translator/envoy-types.js';
import { adsClient, openAds, type AdsStream } from '../support/ads-client.js';
import { eventually } from '../support/eventually.js';
import { createShopMesh } from '../support/mesh-fixture.js';
import { signedAppMeshGet } from '../support/signed-http.js';
import { call, startTestApp, type TestApp } from '../support/test-app.js';
import { appMeshClient, createTenant } from '../support/tenant-builder.js';

/**
 * A translator defect on demand: the consistency check fails for any view of a virtual node
 * named `defect`, and is the real one otherwise. The worker runs in this process, so its compiles
 * see this (and only this file's worker: the queue prefix is this file's own).
 */
vi.mock('../../src/xds-fleet/translator/consistency.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/xds-fleet/translator/consistency.js')>();
  return {
    ...actual,
    consistent: (views: ReadonlyMap<string, unknown>) =>
      views.has('virtualNode/defect')
        ? ['virtualNode/defect: stubbed inconsistency (test)']
        : actual.consistent(views as Parameters<typeof actual.consistent>[0]),
  };
});

type Json = Record<string, any>;

/**
 * A translation error keeps the last good configuration: a change that would take configuration
 * away from the proxies is not published (the fleet keeps serving what it had), the resource at
 * fault says why in its Describe (`meshplaneStatus`) and the mesh status shows the rejection;
 * problems on resources that never served do not block; a translator defect is recorded, not
 * retried forever; compiled data of a mesh deleted behind the reconciler's back is swept.
 * Everything real: the api commits, the worker compiles through the queue, the shard serves.
 */
describe('translation errors', () => {
  let app: TestApp;
  let alice: CreatedTenant;
  let bob: CreatedTenant;
  let aliceMesh: AppMeshClient;
  let grpcClient: grpc.Client;
  const streams: AdsStream[] = [];

  const routeArn = (tenant: CreatedTenant, route = 'main') =>
    `arn:aws:appmesh:${app.config.region}:${tenant.accountId}:mesh/shop/virtualRouter/api-router/route/${route}`;

  const status = async (tenant: CreatedTenant, mesh = 'shop'): Promise<Json> => {
    const res = await call(app.baseUrl, 'GET', `/v1/meshes/${mesh}/status`, {
      authorization: `Bearer ${tenant.apiToken.token}`,
    });
    if (res.status !== 200) throw new Error(`status ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body as Json;
  };
  /** The status once the latest committed generation has been compiled (published or rejected). */
  const settled = (tenant: CreatedTenant, mesh = 'shop') =>
    eventually(`mesh ${mesh} compiled`, 15_000, async () => {
      const s = await status(tenant, mesh);
      return s['generation'] === s['compiledGeneration'] ? s : undefined;
    });

  /** An App Mesh call as raw SigV4-signed HTTP, to see the whole body (SDKs drop unknown members). */
  const signedGet = async (tenant: CreatedTenant, path: string): Promise<{ status: number; body: Json }> => {
    const res = await signedAppMeshGet(app, tenant.accessKey, path);
    return { status: res.status, body: res.body as Json };
  };
  const describeRoute = async (tenant: CreatedTenant, route = 'main') => {
    const res = await signedGet(tenant, `/v20190125/meshes/shop/virtualRouter/api-router/routes/${route}`);
    expect(res.status).toBe(200);
    return res.body;
  };
  const describeNode = async (tenant: CreatedTenant, node: string, mesh = 'shop') => {
    const res = await signedGet(tenant, `/v20190125/meshes/${mesh}/virtualNodes/${node}`);
    expect(res.status).toBe(200);
    return res.body;
  };

  /** A raw ADS stream as alice's `web`: its first CDS response (ACKed), and the stream. */
  const webCds = async (): Promise<{ stream: AdsStream; version: string; clusters: string[] }> => {
    const scope = await app.app.get(TenantsService).scopeOf(alice.accountId);
    const { token } = await app.app.get(ProxyTokenService).issue(scope, 'shop', 'virtualNode', 'web');
    const stream = openAds(grpcClient, 'sotw', token);
    streams.push(stream);
    stream.send({ node: { id: 'mesh/shop/virtualNode/web', cluster: 'web', metadata: {} }, type_url: TYPE.cluster });
    const cds = await stream.next(15_000);
    stream.send({ type_url: TYPE.cluster, version_info: cds['version_info'], response_nonce: cds['nonce'] });
    return { stream, version: cds['version_info'] as string, clusters: clusterNames(cds) };
  };

  const compiles = async (outcome: string): Promise<number> => {
    const metrics = await call(app.baseUrl, 'GET', '/metrics');
    const match = new RegExp(`^meshplane_mesh_compiles_total\\{status="${outcome}"\\} (\\d+)`, 'm').exec(
      String(metrics.body),
    );
    return Number(match?.[1] ?? 0);
  };

  beforeAll(async () => {
    app = await startTestApp(['api', 'worker', 'xds'], {
      RECONCILE_DEBOUNCE_MS: '10',
      // A translator defect is compiled again after this backoff: far beyond these tests.
      RECONCILE_FAILURE_BACKOFF_MS: '600000',
      QUEUE_PREFIX: `test-translation-errors-${randomBytes(4).toString('hex')}`,
    });
    [alice, bob] = await Promise.all([createTenant(app), createTenant(app)]);
    aliceMesh = appMeshClient(app, alice.accessKey);
    // The same names in both tenants: bob's must never show alice's problems.
    for (const client of [aliceMesh, appMeshClient(app, bob.accessKey)]) {
      await createShopMesh(client);
      await client.send(mainRoute({ api: 8080 }));
    }
    grpcClient = adsClient(app.app.get(XdsGrpcServer).port!);
  });

  afterAll(async () => {
    for (const s of streams) s.close();
    grpcClient?.close();
    await app?.app
      .get(QueueRegistry)
      .queue('reconcile')
      .obliterate({ force: true })
      .catch(() => undefined);
    await app?.close();
  });

  describe('a change that would break what a proxy is served', () => {
    let served: Json;
    let cds: Awaited<ReturnType<typeof webCds>>;
    let rejectedStatus: Json;

    it('serves the mesh, and Describe shows each resource translated OK', async () => {
      served = await settled(alice);
      expect(served).toMatchObject({ problems: [], servedGeneration: served['generation'] });
      expect(served).not.toHaveProperty('rejected');
      const route = await describeRoute(alice);
      expect(route['status']).toEqual({ status: 'ACTIVE' });
      expect(route['meshplaneStatus']).toEqual({ translation: 'OK', generation: served['generation'] });
      cds = await webCds();
      expect(cds.clusters).toContain('cds_egress_shop_api_http_8080');
    });

    it('is not published: the proxies keep the last good configuration, and the route says why', async () => {
      const rejectedBefore = await compiles('rejected');
      // The node now listens on 9090: route `main`'s target (port 8080) matches no listener.
      await aliceMesh.send(apiNode(9090));
      rejectedStatus = await settled(alice);

      expect(rejectedStatus['rejected']).toEqual({
        generation: rejectedStatus['generation'],
        at: expect.any(String),
        reason: expect.stringContaining('no matching listener'),
        problems: [
          { arn: routeArn(alice), message: 'weighted target api port 8080 has no matching listener', regression: true },
        ],
      });
      expect(rejectedStatus).toMatchObject({
        inSync: false,
        servedGeneration: served['servedGeneration'],
        compiledVersion: served['compiledVersion'],
        problems: [],
      });
      expect(BigInt(rejectedStatus['compiledGeneration'])).toBeGreaterThan(BigInt(served['generation']));
      expect(await compiles('rejected')).toBe(rejectedBefore + 1);

      // The connected proxy is sent nothing; a new one gets exactly what was served before.
      await cds.stream.expectSilence(500);
      const fresh = await webCds();
      expect(fresh.version).toBe(cds.version);
      expect(fresh.clusters).toEqual(cds.clusters);
      fresh.stream.close();

      const route = await describeRoute(alice);
      expect(route['status']).toEqual({ status: 'ACTIVE' }); // App Mesh's status, as App Mesh defines it
      expect(route['meshplaneStatus']).toEqual({
        translation: 'REJECTED',
        reason: 'weighted target api port 8080 has no matching listener',
        generation: rejectedStatus['generation'],
      });
      // The node's own configuration is fine (it is the route that no longer fits it).
      expect((await describeNode(alice, 'api'))['meshplaneStatus']).toEqual({
        translation: 'OK',
        generation: rejectedStatus['generation'],
      });
      // The real SDK reads the Describe as ever (it ignores the extension member).
      const sdk = await aliceMesh.send(
        new DescribeRouteCommand({ meshName: 'shop', virtualRouterName: 'api-router', routeName: 'main' }),
      );
      expect(sdk.route?.status?.status).toBe('ACTIVE');
      expect(sdk.route?.metadata?.arn).toBe(routeArn(alice));
    });

    it('is rejected again, and nothing published, when the same generation is compiled again', async () => {
      const shop = await app.app
        .get(PrismaService)
        .mesh.findFirstOrThrow({ where: { name: 'shop', tenant: { accountId: alice.accountId } } });
      const outcome = await app.app.get(MeshCompiler).compile(shop.tenantId, shop.id);
      expect(outcome).toMatchObject({
        status: 'rejected',
        generation: rejectedStatus['generation'],
        reason: expect.stringContaining('no matching listener'),
      });
      const again = await status(alice);
      expect(again['rejected']).toMatchObject({ generation: rejectedStatus['generation'] });
      expect(again['compiledVersion']).toBe(served['compiledVersion']);
      expect(again['servedGeneration']).toBe(served['servedGeneration']);
    });

    it("never shows one tenant's problems to another with the same names", async () => {
      const bobStatus = await settled(bob);
      expect(bobStatus).not.toHaveProperty('rejected');
      expect(bobStatus['problems']).toEqual([]);
      expect((await describeRoute(bob))['meshplaneStatus']).toEqual({
        translation: 'OK',
        generation: bobStatus['generation'],
      });
      // Alice's route ARN is not bob's to describe.
      expect(JSON.stringify(bobStatus)).not.toContain(alice.accountId);
    });

    it('publishes once fixed, and clears the rejection', async () => {
      await aliceMesh.send(mainRoute({ api: 9090 }));
      const fixed = await settled(alice);
      expect(fixed).not.toHaveProperty('rejected');
      expect(fixed['servedGeneration']).toBe(fixed['generation']);
      expect(fixed['compiledVersion']).not.toBe(served['compiledVersion']);
      expect(fixed['problems']).toEqual([]);

      const pushed = await cds.stream.next(10_000);
      expect(clusterNames(pushed)).toContain('cds_egress_shop_api_http_9090');
      expect((await describeRoute(alice))['meshplaneStatus']).toEqual({
        translation: 'OK',
        generation: fixed['generation'],
      });
      cds.stream.close();
      await eventually('in sync without proxies', 10_000, async () =>
        (await status(alice))['inSync'] === true ? true : undefined,
      );
    });
  });

  describe('problems on resources that never served', () => {
    it('do not block: a new route with a problem is left out, the rest is published', async () => {
      const before = await settled(alice);
      await aliceMesh.send(
        new CreateRouteCommand({
          meshName: 'shop',
          virtualRouterName: 'api-router',
          routeName: 'canary',
          spec: {
            priority: 1,
            httpRoute: {
              match: { prefix: '/canary' },
              action: { weightedTargets: [{ virtualNode: 'api', weight: 1, port: 7777 }] },
            },
          },
        }),
      );
      const after = await settled(alice);
      expect(after).not.toHaveProperty('rejected');
      expect(after['servedGeneration']).toBe(after['generation']);
      expect(after['problems']).toEqual([
        {
          arn: routeArn(alice, 'canary'),
          message: 'weighted target api port 7777 has no matching listener',
          translation: 'DEGRADED',
        },
      ]);
      expect(BigInt(after['generation'])).toBeGreaterThan(BigInt(before['generation']));
      expect((await describeRoute(alice, 'canary'))['meshplaneStatus']).toEqual({
        translation: 'DEGRADED',
        reason: 'weighted target api port 7777 has no matching listener',
        generation: after['generation'],
      });
    });

    it('an unrelated change is published while that problem remains', async () => {
      const before = await settled(alice);
      await aliceMesh.send(
        new CreateVirtualNodeCommand({
          meshName: 'shop',
          virtualNodeName: 'extra',
          spec: {
            listeners: [{ portMapping: { port: 8080, protocol: 'http' } }],
            serviceDiscovery: { dns: { hostname: 'extra.local' } },
          },
        }),
      );
      const after = await settled(alice);
      expect(after).not.toHaveProperty('rejected');
      expect(after['servedGeneration']).toBe(after['generation']);
      expect(after['compiledVersion']).not.toBe(before['compiledVersion']);
      expect((await describeNode(alice, 'extra'))['meshplaneStatus']).toEqual({
        translation: 'OK',
        generation: after['generation'],
      });
      expect((await describeRoute(alice, 'canary'))['meshplaneStatus']).toMatchObject({ translation: 'DEGRADED' });
    });
  });

  describe('a translator defect', () => {
    it('is recorded as an internal error, not thrown and retried', async () => {
      await aliceMesh.send(new CreateMeshCommand({ meshName: 'lab' }));
      await aliceMesh.send(new CreateVirtualNodeCommand({ meshName: 'lab', virtualNodeName: 'fine', spec: {} }));
      const good = await settled(alice, 'lab');
      expect(good['compiledVersion']).toBeDefined();
      const inconsistentBefore = await compiles('inconsistent');

      await aliceMesh.send(new CreateVirtualNodeCommand({ meshName: 'lab', virtualNodeName: 'defect', spec: {} }));
      const rejected = await settled(alice, 'lab');
      expect(rejected['rejected']).toMatchObject({
        generation: rejected['generation'],
        reason: 'internal error: the translation is inconsistent: virtualNode/defect: stubbed inconsistency (test)',
      });
      expect(rejected).toMatchObject({ inSync: false, compiledVersion: good['compiledVersion'] });
      expect(await compiles('inconsistent')).toBe(inconsistentBefore + 1);
      expect((await describeNode(alice, 'defect', 'lab'))['meshplaneStatus']).toEqual({
        translation: 'REJECTED',
        reason: 'internal error: the translation is inconsistent: virtualNode/defect: stubbed inconsistency (test)',
        generation: rejected['generation'],
      });
      // The job completed: nothing failed; one follow-up waits for its backoff (a fix deployed
      // meanwhile would then publish without a change), not a retry at once.
      const lab = await app.app
        .get(PrismaService)
        .mesh.findFirstOrThrow({ where: { name: 'lab', tenant: { accountId: alice.accountId } } });
      const queue = app.app.get(QueueRegistry).queue('reconcile');
      const failed = await queue.getJobs(['failed']);
      expect(failed.filter((j) => j.data?.meshId === lab.id)).toEqual([]);
      const pending = (await queue.getJobs(['delayed', 'wait'])).filter((j) => j.data?.meshId === lab.id);
      expect(pending.map((j) => j.opts.delay)).toEqual([600_000]);

      await aliceMesh.send(new DeleteVirtualNodeCommand({ meshName: 'lab', virtualNodeName: 'defect' }));
      const fixed = await settled(alice, 'lab');
      expect(fixed).not.toHaveProperty('rejected');
      expect(fixed['servedGeneration']).toBe(fixed['generation']);
    });
  });

  describe('the sweep', () => {
    it('removes the compiled data of a mesh deleted without its compile, and only that (never another installation’s)', async () => {
      const prisma = app.app.get(PrismaService);
      const redis = app.app.get(RedisService).client;
      const store = app.app.get(CompiledStore);
      const keys = compiledKeys(app.app.get(RedisService).namespace);
      await aliceMesh.send(new CreateMeshCommand({ meshName: 'doomed' }));
      await settled(alice, 'doomed');
      const meshOf = (tenant: CreatedTenant, name: string) =>
        prisma.mesh.findFirstOrThrow({ where: { name, tenant: { accountId: tenant.accountId } } });
      const doomed = await meshOf(alice, 'doomed');
      const shop = await meshOf(alice, 'shop');
      const bobShop = await meshOf(bob, 'shop');
      const doomedRef = { tenantId: doomed.tenantId, meshId: doomed.id };
      expect((await store.meta(doomedRef)).version).toBeDefined();

      // Deleted behind the reconciler's back: no compile is enqueued for it.
      await prisma.mesh.delete({ where: { id: doomed.id } });
      // Another tenant's keys naming alice's mesh id (never written by the product): removed as
      // gone for that tenant, while alice's own compiled mesh stays.
      const forged = { tenantId: bobShop.tenantId, meshId: shop.id };
      await redis.hset(keys.meta(forged), 'generation', '1', 'version', 'forged');
      await redis.hset(keys.translation(forged), 'x', '{}');
      // A tenant this database does not know: another installation sharing the Redis database.
      const foreign = { tenantId: randomUUID(), meshId: randomUUID() };
      await redis.hset(keys.meta(foreign), 'generation', '1', 'version', 'theirs');
      // Another installation's namespace (another QUEUE_PREFIX), even naming the deleted mesh.
      const elsewhere = compiledKeys('another-installation');
      await redis.hset(elsewhere.meta(doomedRef), 'generation', '1', 'version', 'elsewhere');

      const swept = await app.app.get(ReconcileSweepHandler).process();
      expect(swept.orphaned).toBeGreaterThanOrEqual(2);
      await eventually('the deleted mesh and the forged keys removed', 15_000, async () => {
        const left = await redis.exists(
          ...Object.values(keys).map((key) => key(doomedRef)),
          keys.meta(forged),
          keys.translation(forged),
        );
        return left === 0 ? true : undefined;
      });
      for (const ref of [
        { tenantId: shop.tenantId, meshId: shop.id },
        { tenantId: bobShop.tenantId, meshId: bobShop.id },
      ]) {
        expect((await store.meta(ref)).version).toBeDefined();
        expect(await store.manifest(ref)).toBeDefined();
      }
      expect((await settled(alice))['compiledVersion']).toBeDefined();
      expect(await redis.hget(keys.meta(foreign), 'version')).toBe('theirs');
      expect(await redis.hget(elsewhere.meta(doomedRef), 'version')).toBe('elsewhere');
      await redis.del(keys.meta(foreign), elsewhere.meta(doomedRef));
    });
  });
});

function clusterNames(response: Json): string[] {
  return (response['resources'] as Json[]).map((r) => r['name'] as string).sort();
}

/** Route `main` of the shop mesh, to node `api` on the given port. */
function mainRoute(ports: Record<string, number>): UpdateRouteCommand {
  return new UpdateRouteCommand({
    meshName: 'shop',
    virtualRouterName: 'api-router',
    routeName: 'main',
    spec: {
      httpRoute: {
        match: { prefix: '/' },
        action: {
          weightedTargets: Object.entries(ports).map(([virtualNode, port]) => ({ virtualNode, weight: 1, port })),
        },
      },
    },
  });
}

/** Node `api` of the shop mesh, listening on `port`. */
function apiNode(port: number): UpdateVirtualNodeCommand {
  return new UpdateVirtualNodeCommand({
    meshName: 'shop',
    virtualNodeName: 'api',
    spec: {
      listeners: [{ portMapping: { port, protocol: 'http' } }],
      serviceDiscovery: { dns: { hostname: 'api.local' } },
    },
  });
}
