import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import {
  CreateMeshCommand,
  CreateVirtualNodeCommand,
  CreateVirtualServiceCommand,
  type AppMeshClient,
} from '@aws-sdk/client-app-mesh';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaService } from '../../src/platform/prisma/prisma.service.js';
import { RedisService } from '../../src/platform/redis/redis.service.js';
import { TenantsService, type CreatedTenant } from '../../src/tenants/tenants.service.js';
import { viewHash, type CompiledManifest } from '../../src/xds-fleet/cache/compiled-mesh.js';
import { changesChannel, compiledKeys, CompiledStore, type MeshRef } from '../../src/xds-fleet/cache/compiled-store.js';
import { MeshCompiler } from '../../src/xds-fleet/compiler/mesh-compiler.js';
import { decodeMessage } from '../../src/xds-fleet/encoding/protos.js';
import { EndpointRegistry } from '../../src/xds-fleet/endpoints/endpoint-registry.js';
import { EndpointUpdater } from '../../src/xds-fleet/endpoints/endpoint-updater.js';
import { MeshCache } from '../../src/xds-fleet/server/mesh-cache.js';
import { eventually } from '../support/eventually.js';
import { call, startTestApp, type TestApp } from '../support/test-app.js';
import { appMeshClient, createTenant } from '../support/tenant-builder.js';

type Json = Record<string, any>;

/**
 * The compiled manifest stored in parts (ADR 0026), on real PostgreSQL and Redis with the real
 * worker: an endpoints update reads and writes only the views that hold the changed assignments,
 * a shard's cache re-reads only the views whose hash moved, updates racing compiles converge,
 * and a mesh stored in the older one-document layout is compiled again into parts.
 */
describe('compiled manifest in parts: view-scoped endpoint updates', () => {
  let app: TestApp;
  let tenant: CreatedTenant;
  let ref: MeshRef;
  let store: CompiledStore;
  let keys: ReturnType<typeof compiledKeys>;
  const PORT = 7000;
  const SERVICES = ['a', 'b', 'c', 'd'];

  const register = (service: string, id: string, ip: string) =>
    call(
      app.baseUrl,
      'POST',
      `/v1/registry/namespaces/views.local/services/${service}/instances`,
      { authorization: `Bearer ${tenant.apiToken.token}` },
      { InstanceId: id, Attributes: { AWS_INSTANCE_IPV4: ip } },
    );
  const redis = () => app.app.get(RedisService).client;
  const claOf = (service: string) => `cds_egress_views_${service}_http_${PORT}`;

  /** The addresses of a stored ClusterLoadAssignment, decoded from its bytes in Redis. */
  async function storedAddresses(manifest: CompiledManifest, cla: string): Promise<string[]> {
    const hashes = new Set(
      Object.values(manifest.variants).flatMap((views) =>
        Object.values(views).flatMap((v) => (v.endpoints[cla] ? [v.endpoints[cla]] : [])),
      ),
    );
    expect(hashes.size).toBe(1);
    const [bytes] = await store.resources(ref, [...hashes]);
    expect(bytes).toBeDefined();
    const any = decodeMessage('google.protobuf.Any', bytes!) as Json;
    const assignment = decodeMessage('envoy.config.endpoint.v3.ClusterLoadAssignment', any['value']) as Json;
    return ((assignment['endpoints'] ?? []) as Json[])
      .flatMap((l) => (l['lb_endpoints'] ?? []) as Json[])
      .map((lb) => lb['endpoint']['address']['socket_address']['address'] as string)
      .sort();
  }

  /** Every view of the published manifest has the hash its head names, and every resource is stored. */
  async function expectConsistent(): Promise<CompiledManifest> {
    const manifest = (await store.manifest(ref))!;
    expect(manifest).toBeDefined();
    expect((await store.meta(ref)).version).toBe(manifest.version);
    const hashes = new Set<string>();
    for (const views of Object.values(manifest.variants)) {
      for (const view of Object.values(views)) {
        for (const collection of Object.values(view)) for (const h of Object.values(collection)) hashes.add(h);
      }
    }
    const stored = await store.resources(ref, [...hashes]);
    expect(stored.filter((b) => b === undefined)).toEqual([]);
    return manifest;
  }

  async function createMesh(mesh: AppMeshClient): Promise<void> {
    await mesh.send(new CreateMeshCommand({ meshName: 'views' }));
    for (const service of SERVICES) {
      await mesh.send(
        new CreateVirtualNodeCommand({
          meshName: 'views',
          virtualNodeName: service,
          spec: {
            listeners: [{ portMapping: { port: PORT, protocol: 'http' } }],
            serviceDiscovery: { awsCloudMap: { namespaceName: 'views.local', serviceName: service } },
          },
        }),
      );
      await mesh.send(
        new CreateVirtualServiceCommand({
          meshName: 'views',
          virtualServiceName: `${service}.views.local`,
          spec: { provider: { virtualNode: { virtualNodeName: service } } },
        }),
      );
    }
    // Two clients with different backends: their views hold different assignments.
    for (const [client, backends] of [
      ['front', ['a', 'b']],
      ['back', ['c', 'd']],
    ] as const) {
      await mesh.send(
        new CreateVirtualNodeCommand({
          meshName: 'views',
          virtualNodeName: client,
          spec: {
            listeners: [{ portMapping: { port: 9080, protocol: 'http' } }],
            serviceDiscovery: { dns: { hostname: `${client}.local` } },
            backends: backends.map((b) => ({ virtualService: { virtualServiceName: `${b}.views.local` } })),
          },
        }),
      );
    }
    const api = (method: string, path: string, body: unknown) =>
      call(
        app.baseUrl,
        method,
        `/v1/registry/namespaces${path}`,
        { authorization: `Bearer ${tenant.apiToken.token}` },
        body,
      );
    expect((await api('POST', '', { Name: 'views.local' })).status).toBe(201);
    for (const service of SERVICES) {
      expect((await api('POST', '/views.local/services', { Name: service })).status).toBe(201);
    }
  }

  /** Waits until the published version is not `version` any more, and returns the new head. */
  async function nextVersion(version: string) {
    return eventually('a new version published', 10_000, async () => {
      const head = await store.head(ref);
      return head && head.version !== version ? head : undefined;
    });
  }

  beforeAll(async () => {
    app = await startTestApp(['api', 'worker'], {
      QUEUE_PREFIX: `test-endpoint-views-${randomBytes(4).toString('hex')}`,
      RECONCILE_SWEEP_INTERVAL_MS: '3600000',
      RECONCILE_DEBOUNCE_MS: '10',
      ENDPOINTS_DEBOUNCE_MS: '10',
      ENDPOINTS_SWEEP_INTERVAL_MS: '600000',
    });
    store = app.app.get(CompiledStore);
    keys = compiledKeys(app.app.get(RedisService).namespace);
    tenant = await createTenant(app);
    await createMesh(appMeshClient(app, tenant.accessKey));
    const { tenantId } = await app.app.get(TenantsService).scopeOf(tenant.accountId);
    const mesh = await app.app.get(PrismaService).mesh.findFirstOrThrow({ where: { tenantId, name: 'views' } });
    ref = { tenantId, meshId: mesh.id };
    await eventually('the mesh compiled', 15_000, async () => {
      const m = await app.app.get(PrismaService).mesh.findUniqueOrThrow({ where: { id: mesh.id } });
      return m.compiledGeneration >= m.generation && (await store.head(ref)) ? true : undefined;
    });
  });

  afterAll(async () => {
    await app?.close();
  });

  it('an update rewrites only the views holding the changed assignment; other views, extras and sources stay untouched', async () => {
    const head = (await store.head(ref))!;
    const sources = await store.assignmentSources(ref, ['a']);
    const touched = new Set(Object.values(sources.get('a')!).flatMap((s) => s.views));
    expect(touched.size).toBeGreaterThan(0);
    const all = Object.keys(head.views);
    const untouched = all.filter((k) => !touched.has(k));
    // `back`'s views hold c and d only: they must not be written by a change of a.
    expect(untouched.some((k) => k.endsWith('/virtualNode/back'))).toBe(true);
    expect([...touched].some((k) => k.endsWith('/virtualNode/front'))).toBe(true);

    // Stored again with other whitespace (same content, same hash): rewriting them would undo it.
    const marked = untouched;
    const before = await redis().hmget(keys.views(ref), ...marked);
    const spaced = before.map((json) => JSON.stringify(JSON.parse(json!), null, 1));
    await redis().hset(keys.views(ref), ...marked.flatMap((k, i) => [k, spaced[i]!]));
    const extrasBefore = await redis().get(keys.extras(ref));
    const sourcesBefore = await store.assignmentSources(ref, 'all');
    const generationBefore = (await store.meta(ref)).generation;

    expect((await register('a', 'a-1', '10.20.0.1')).status).toBe(201);
    const next = await nextVersion(head.version);

    expect(await redis().hmget(keys.views(ref), ...marked)).toEqual(spaced);
    expect(await redis().get(keys.extras(ref))).toBe(extrasBefore);
    expect(await store.assignmentSources(ref, 'all')).toEqual(sourcesBefore);
    expect((await store.meta(ref)).generation).toBe(generationBefore);
    expect(next.generation).toBe(head.generation);
    expect(next.compileVersion).toBe(head.compileVersion);
    // Exactly the views holding a's assignments moved.
    const moved = all.filter((k) => next.views[k] !== head.views[k]).sort();
    expect(moved).toEqual([...touched].sort());
    const manifest = await expectConsistent();
    expect(await storedAddresses(manifest, claOf('a'))).toEqual(['10.20.0.1']);
    expect(await storedAddresses(manifest, claOf('c'))).toEqual([]);
  });

  it("a shard's cache applies a change notice by re-reading only the views whose hash moved", async () => {
    const viewReads: string[][] = [];
    const spying = Object.create(store, {
      viewManifests: {
        value: (mesh: MeshRef, wanted: readonly string[]) => {
          viewReads.push([...wanted]);
          return store.viewManifests(mesh, wanted);
        },
      },
    }) as CompiledStore;
    const cache = new MeshCache(ref, spying, () => undefined);
    await cache.refresh();
    const loaded = cache.manifest!;
    expect(viewReads.flat().sort()).toEqual(Object.keys(loaded.views).sort());

    // The worker's notice, as a shard hears it.
    const subscriber = redis().duplicate();
    if (subscriber.status !== 'ready') await once(subscriber, 'ready');
    const notices: Json[] = [];
    await subscriber.subscribe(changesChannel(app.app.get(RedisService).namespace));
    subscriber.on('message', (_channel, message: string) => notices.push(JSON.parse(message) as Json));
    try {
      expect((await register('c', 'c-1', '10.20.0.3')).status).toBe(201);
      const notice = await eventually('the change notice', 10_000, async () =>
        notices.find((n) => n['meshId'] === ref.meshId && n['version'] !== loaded.version),
      );
      viewReads.length = 0;
      await cache.refresh();
      expect(cache.manifest!.version).toBe(notice['version']);
      const touched = Object.values((await store.assignmentSources(ref, ['c'])).get('c')!).flatMap((s) => s.views);
      expect(viewReads.flat().sort()).toEqual([...new Set(touched)].sort());
      // Unchanged views are the same objects; changed ones carry the new assignment, whose bytes are loaded.
      for (const [variant, views] of Object.entries(cache.manifest!.variants)) {
        for (const [name, view] of Object.entries(views)) {
          const key = `${variant}/${name}`;
          expect(view === loaded.variants[variant]![name], key).toBe(!touched.includes(key));
          expect(viewHash(view)).toBe(cache.manifest!.views[key]);
          for (const collection of Object.values(view)) for (const h of Object.values(collection)) cache.anyOf(h);
        }
      }
    } finally {
      await subscriber.quit();
    }
  });

  it('updates racing compiles converge: consistent parts, every change applied, and a compile finds nothing new', async () => {
    const updater = app.app.get(EndpointUpdater);
    const compiler = app.app.get(MeshCompiler);
    const registry = app.app.get(EndpointRegistry);
    for (let i = 1; i <= 6; i++) {
      const service = SERVICES[i % SERVICES.length]!;
      expect((await register(service, `race-${i}`, `10.30.0.${i}`)).status).toBe(201);
      await registry.markDirty(ref);
      // The worker's own jobs run too: three writers race on one version.
      const [update, compile] = await Promise.all([
        updater.update(ref, Date.now()),
        compiler.compile(ref.tenantId, ref.meshId),
      ]);
      expect(['published', 'unchanged', 'not_compiled', 'recompile']).toContain(update.status);
      expect(['published', 'unchanged', 'superseded']).toContain(compile.status);
    }
    await eventually('every registration applied', 10_000, async () => {
      const manifest = await store.manifest(ref);
      if (!manifest) return undefined;
      const b = await storedAddresses(manifest, claOf('b'));
      return b.includes('10.30.0.1') && b.includes('10.30.0.5') ? true : undefined;
    });
    const manifest = await expectConsistent();
    expect(await storedAddresses(manifest, claOf('c'))).toEqual(['10.20.0.3', '10.30.0.2', '10.30.0.6']);
    expect(await storedAddresses(manifest, claOf('d'))).toEqual(['10.30.0.3']);
    expect(await storedAddresses(manifest, claOf('a'))).toEqual(['10.20.0.1', '10.30.0.4']);
    const again = await compiler.compile(ref.tenantId, ref.meshId);
    expect(again.status).toBe('unchanged');
    expect((await store.head(ref))!.version).toBe(manifest.version);
  });

  it('stores a manifest of the older one-document layout in parts as it is, before compiling the mesh', async () => {
    const manifest = await expectConsistent();
    const head = (await store.head(ref))!;
    const assignments = Object.fromEntries(
      [...(await store.assignmentSources(ref, 'all')).values()].flatMap((node) =>
        Object.entries(node).map(([cla, { source }]) => [cla, source]),
      ),
    );
    // As a release before ADR 0026 stored it: one document with the endpoint sources, a meta without `layout`.
    const legacy: Record<string, unknown> = { ...manifest };
    delete legacy['views'];
    delete legacy['compileVersion'];
    const sourcesBefore = await store.assignmentSources(ref, 'all');
    const extrasBefore = (await store.compileExtras(ref))!;
    await redis().del(keys.head(ref), keys.views(ref), keys.extras(ref), keys.sources(ref));
    await redis().hdel(keys.meta(ref), 'layout');
    await redis().set(
      keys.manifest(ref),
      JSON.stringify({ ...legacy, endpointSources: { region: head.region, assignments } }),
    );
    let missing = 0;
    const shard = new MeshCache(ref, store, () => missing++);
    await shard.refresh();
    expect(missing).toBe(1); // a shard of this release asks for a compile

    const outcome = await app.app.get(MeshCompiler).compile(ref.tenantId, ref.meshId);
    // Converted first, so the compile found its own content published: nothing to publish again.
    expect(outcome.status).toBe('unchanged');
    expect((await store.meta(ref)).layout).toBe('views');
    expect(await redis().exists(keys.manifest(ref))).toBe(0);
    // The same head (the compile that produced the document is named by its version), sources and extras.
    expect(await store.head(ref)).toEqual({ ...head, compileVersion: head.version });
    expect(await store.assignmentSources(ref, 'all')).toEqual(sourcesBefore);
    expect(await store.compileExtras(ref)).toEqual({ ...extrasBefore, version: head.version });
    expect((await expectConsistent()).version).toBe(manifest.version);
    await shard.refresh();
    expect(shard.manifest?.version).toBe(manifest.version);
  });

  it('compiles a mesh stored in the older one-document layout into parts, even when its content did not change', async () => {
    const version = (await store.head(ref))!.version;
    // As a release before ADR 0026 left it: one manifest document, a meta without `layout`.
    await redis().del(keys.head(ref), keys.views(ref), keys.extras(ref), keys.sources(ref));
    await redis().hdel(keys.meta(ref), 'layout');
    await redis().set(keys.manifest(ref), JSON.stringify({ version }));
    expect(await store.manifest(ref)).toBeUndefined();

    // The fast path cannot patch it: it asks for a compile, which stores it in parts.
    const outcome = await app.app.get(EndpointUpdater).update(ref, Date.now());
    expect(outcome.status).toBe('recompile');
    await eventually('stored in parts again', 10_000, async () => ((await store.head(ref)) ? true : undefined));
    expect((await store.meta(ref)).layout).toBe('views');
    expect(await redis().exists(keys.manifest(ref))).toBe(0);
    const manifest = await expectConsistent();
    expect(manifest.version).toBe(version);
  });
});
