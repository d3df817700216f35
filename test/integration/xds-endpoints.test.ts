import type { AppMeshClient } from '@aws-sdk/client-app-mesh';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { MetricsService } from '../../src/platform/metrics/metrics.service.js';
import { PrismaService } from '../../src/platform/prisma/prisma.service.js';
import { TenantsService, type CreatedTenant } from '../../src/tenants/tenants.service.js';
import { EndpointRegistry } from '../../src/xds-fleet/endpoints/endpoint-registry.js';
import { ProxyEndpoints } from '../../src/xds-fleet/endpoints/proxy-endpoints.js';
import { ProxyTokenService } from '../../src/xds-fleet/identity/proxy-tokens.service.js';
import { ReconcileQueue } from '../../src/xds-fleet/reconcile/reconcile-queue.js';
import { XdsGrpcServer } from '../../src/xds-fleet/server/xds-grpc-server.service.js';
import { TYPE } from '../../src/xds-fleet/translator/envoy-types.js';
import { adsClient, openAds, type AdsStream } from '../support/ads-client.js';
import { createCloudMapMesh, startFrontendEnvoy } from '../support/cloud-map-mesh.js';
import { sendHttp, startUpstream, type Upstream } from '../support/envoy.js';
import { eventually } from '../support/eventually.js';
import { call, startTestApp, type TestApp } from '../support/test-app.js';
import { appMeshClient, createTenant } from '../support/tenant-builder.js';

type Json = Record<string, any>;

const SERVICE = 'backend.shop.local';

/**
 * Endpoints from connected proxies, end to end: a proxy of a virtual node with Cloud Map
 * discovery connects, and the ClusterLoadAssignments of its clients gain its address through the
 * endpoints fast path (no compile), lose it when it leaves or its shard stops heartbeating, and
 * never cross tenants. A real Envoy routes HTTP to an upstream reached through such an endpoint.
 */
describe('endpoints of connected proxies (EDS fast path)', () => {
  let app: TestApp;
  let alice: CreatedTenant;
  let bob: CreatedTenant;
  let upstream: Upstream;
  let client: grpc.Client;
  let port: number;
  let cla: string;
  let otherCla: string;
  const streams: AdsStream[] = [];
  let tokenFor: (tenant: CreatedTenant, name: string) => Promise<string>;

  const open = async (tenant: CreatedTenant, name: string, protocol: 'sotw' | 'delta' = 'delta') => {
    const stream = openAds(client, protocol, await tokenFor(tenant, name));
    streams.push(stream);
    return stream;
  };
  const node = (name: string, metadata: Json = {}) => ({
    id: `mesh/shop/virtualNode/${name}`,
    cluster: name,
    metadata,
  });
  const get = async (tenant: CreatedTenant, path: string) =>
    (await call(app.baseUrl, 'GET', path, { authorization: `Bearer ${tenant.apiToken.token}` })) as {
      status: number;
      body: any;
    };
  const counter = async (name: string, labels: Record<string, string> = {}) => {
    const metric = app.app.get(MetricsService).registry.getSingleMetric(name);
    const { values } = await metric!.get();
    return values
      .filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))
      .reduce((sum, v) => sum + v.value, 0);
  };
  /** `address:port` of every endpoint of a decoded ClusterLoadAssignment. */
  const addresses = (assignment: Json): string[] =>
    (assignment['endpoints'] ?? [])
      .flatMap((locality: Json) => locality['lb_endpoints'] ?? [])
      .map((lb: Json) => {
        const socket = lb['endpoint']['address']['socket_address'];
        return `${socket['address']}:${socket['port_value']}`;
      })
      .sort();

  /** A frontend Delta stream subscribed to both backends' assignments, with the first response ACKed. */
  async function frontendEds(tenant: CreatedTenant): Promise<{ stream: AdsStream; first: Json }> {
    const stream = await open(tenant, 'frontend');
    stream.send({ node: node('frontend'), type_url: TYPE.cluster });
    const cds = await stream.next(15_000);
    stream.send({ type_url: TYPE.cluster, response_nonce: cds['nonce'] });
    stream.send({ type_url: TYPE.clusterLoadAssignment, resource_names_subscribe: [cla, otherCla] });
    const first = await stream.next();
    expect(first['type_url']).toBe(TYPE.clusterLoadAssignment);
    stream.send({ type_url: TYPE.clusterLoadAssignment, response_nonce: first['nonce'] });
    return { stream, first };
  }
  /** A backend proxy's stream, admitted (its first response received). */
  async function connectBackend(tenant: CreatedTenant, metadata: Json): Promise<AdsStream> {
    const stream = await open(tenant, 'backend', 'sotw');
    stream.send({ node: node('backend', metadata), type_url: TYPE.cluster });
    await stream.next(15_000);
    return stream;
  }
  /** The next EDS push on `stream`, ACKed. */
  async function nextEds(stream: AdsStream, timeoutMs = 10_000): Promise<Json> {
    const response = await stream.next(timeoutMs);
    expect(response['type_url']).toBe(TYPE.clusterLoadAssignment);
    stream.send({ type_url: TYPE.clusterLoadAssignment, response_nonce: response['nonce'] });
    return response;
  }
  const assignmentIn = (response: Json, name: string) =>
    (response['resources'] as Json[]).find((r) => r['name'] === name)?.['resource'] as Json | undefined;

  /** Mesh `shop`: `backend` and `other`, each selecting its registry service (its proxies are its endpoints). */
  const createMesh = (mesh: AppMeshClient) =>
    createCloudMapMesh(
      mesh,
      ['backend', 'other'].map((name, i) => ({
        name,
        port: port + i,
        awsCloudMap: { namespaceName: 'shop.local', serviceName: name },
      })),
    );

  beforeAll(async () => {
    app = await startTestApp(['api', 'worker', 'xds'], {
      RECONCILE_DEBOUNCE_MS: '10',
      ENDPOINTS_DEBOUNCE_MS: '10',
      ENDPOINTS_REMOVAL_GRACE_MS: '300',
      ENDPOINTS_SWEEP_INTERVAL_MS: '1000',
    });
    upstream = await startUpstream('backend');
    port = upstream.port;
    cla = `cds_egress_shop_backend_http_${port}`;
    otherCla = `cds_egress_shop_other_http_${port + 1}`;
    [alice, bob] = await Promise.all([createTenant(app), createTenant(app)]);
    await createMesh(appMeshClient(app, alice.accessKey));
    await createMesh(appMeshClient(app, bob.accessKey));
    const tokens = app.app.get(ProxyTokenService);
    const tenants = app.app.get(TenantsService);
    tokenFor = async (tenant, name) =>
      (await tokens.issue(await tenants.scopeOf(tenant.accountId), 'shop', 'virtualNode', name)).token;
    client = adsClient(app.app.get(XdsGrpcServer).port!);
  });

  afterAll(async () => {
    for (const s of streams) s.close();
    client?.close();
    await upstream?.close();
    await app?.close();
  });

  it("adds a connecting proxy's address to its clients' EDS through the fast path, and removes it when it leaves", async () => {
    const { stream: frontend, first } = await frontendEds(alice);
    expect(addresses(assignmentIn(first, cla)!)).toEqual([]);
    await eventually('the mesh compiled and in sync', 10_000, async () =>
      (await get(alice, '/v1/meshes/shop/status')).body['inSync'] ? true : undefined,
    );
    const before = (await get(alice, '/v1/meshes/shop/status')).body;
    const compiles = await counter('meshplane_mesh_compiles_total');
    const updates = await counter('meshplane_endpoint_updates_total', { status: 'published' });

    const backend = await connectBackend(alice, { meshplane: { address: '127.0.0.1' } });
    const added = await nextEds(frontend);
    // Delta: only the assignment that changed is sent, not the other backend's.
    expect((added['resources'] as Json[]).map((r) => r['name'])).toEqual([cla]);
    expect(addresses(assignmentIn(added, cla)!)).toEqual([`127.0.0.1:${port}`]);
    await frontend.expectSilence(300);

    // The fast path, not a compile: same generation, a new version, the compile counter unmoved.
    const after = (await get(alice, '/v1/meshes/shop/status')).body;
    expect(await counter('meshplane_mesh_compiles_total')).toBe(compiles);
    expect(await counter('meshplane_endpoint_updates_total', { status: 'published' })).toBeGreaterThan(updates);
    expect(after['generation']).toBe(before['generation']);
    expect(after['compiledGeneration']).toBe(before['compiledGeneration']);
    expect(after['compiledVersion']).not.toBe(before['compiledVersion']);
    const proxies = (await get(alice, '/v1/meshes/shop/proxies')).body['proxies'] as Json[];
    expect(proxies.find((p) => p['name'] === 'backend')?.['endpoint']).toEqual({ address: '127.0.0.1' });

    // A full compile of the same state agrees with the fast path: nothing to publish.
    const unchanged = await counter('meshplane_mesh_compiles_total', { status: 'unchanged' });
    const ref = await refOf(alice);
    await app.app.get(ReconcileQueue).enqueue(ref.tenantId, ref.meshId);
    await eventually('a compile that found nothing new', 10_000, async () =>
      (await counter('meshplane_mesh_compiles_total', { status: 'unchanged' })) > unchanged ? true : undefined,
    );
    expect((await get(alice, '/v1/meshes/shop/status')).body['compiledVersion']).toBe(after['compiledVersion']);
    await frontend.expectSilence(200);

    backend.close();
    const removed = await nextEds(frontend);
    expect(addresses(assignmentIn(removed, cla)!)).toEqual([]);
  });

  it('keeps the endpoint of a proxy that reconnects within the removal grace', async () => {
    const { stream: frontend } = await frontendEds(alice);
    const first = await connectBackend(alice, { meshplane: { address: '10.40.0.1' } });
    expect(addresses(assignmentIn(await nextEds(frontend), cla)!)).toEqual([`10.40.0.1:${port}`]);
    first.close();
    const again = await connectBackend(alice, { meshplane: { address: '10.40.0.1' } });
    await frontend.expectSilence(1_000); // the grace (300 ms) and then some: no flap
    again.close();
    expect(addresses(assignmentIn(await nextEds(frontend), cla)!)).toEqual([]);
  });

  it("never shows one tenant's endpoints to another with the same mesh and node names", async () => {
    const { stream: bobFrontend, first } = await frontendEds(bob);
    expect(addresses(assignmentIn(first, cla)!)).toEqual([]);
    const { stream: aliceFrontend } = await frontendEds(alice);

    const aliceBackend = await connectBackend(alice, { meshplane: { address: '10.20.0.1' } });
    expect(addresses(assignmentIn(await nextEds(aliceFrontend), cla)!)).toEqual([`10.20.0.1:${port}`]);
    await bobFrontend.expectSilence(500);

    const bobBackend = await connectBackend(bob, { meshplane: { address: '10.30.0.1' } });
    expect(addresses(assignmentIn(await nextEds(bobFrontend), cla)!)).toEqual([`10.30.0.1:${port}`]);
    await aliceFrontend.expectSilence(500);
    aliceBackend.close();
    bobBackend.close();
    await nextEds(aliceFrontend);
    await nextEds(bobFrontend);
  });

  it('refuses a stream that declares an address that is not an IP address', async () => {
    const stream = await open(alice, 'backend', 'sotw');
    stream.send({ node: node('backend', { meshplane: { address: 'backend.internal' } }), type_url: TYPE.cluster });
    const status = await stream.status;
    expect(status.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(status.details).toContain('node.metadata.meshplane.address');
  });

  it('drops the endpoints of a proxy whose shard stopped heartbeating, through the sweep', async () => {
    const { stream: frontend } = await frontendEds(alice);
    // What a shard writes for one of its sessions, with a TTL short enough to see it expire: the
    // shard never heartbeats it again, as if it had been SIGKILLed.
    const entry = {
      ...(await refOf(alice)),
      node: 'backend',
      sessionId: 'dead-shard-session',
      endpoint: { address: '10.99.0.1', zone: 'z' },
    };
    await app.app.get(ProxyEndpoints).changed(await app.app.get(EndpointRegistry).upsert([entry], 1_500));
    expect(addresses(assignmentIn(await nextEds(frontend), cla)!)).toEqual([`10.99.0.1:${port}`]);
    // The TTL (1.5 s) plus at most one sweep interval (1 s).
    expect(addresses(assignmentIn(await nextEds(frontend, 8_000), cla)!)).toEqual([]);
  });

  it('routes real traffic from an Envoy to an upstream reached through a registered endpoint', async () => {
    const { envoy, egressPort: egress } = await startFrontendEnvoy(app, alice);
    try {
      // No endpoint yet: Envoy has the route but nowhere to send it.
      await eventually('the route without endpoints', 10_000, async () =>
        (await sendHttp(egress!, `${SERVICE}:${port}`)).status === 503 ? true : undefined,
      );
      const backend = await connectBackend(alice, { meshplane: { address: '127.0.0.1' } });
      const served = await eventually('traffic reaching the upstream', 10_000, async () => {
        const r = await sendHttp(egress!, `${SERVICE}:${port}`);
        return r.status === 200 ? r : undefined;
      });
      expect(served.upstream).toBe('backend');
      backend.close();
      await eventually('the endpoint gone again', 10_000, async () =>
        (await sendHttp(egress!, `${SERVICE}:${port}`)).status === 503 ? true : undefined,
      );
    } finally {
      await envoy.stop();
    }
  });

  it('writes the address parameter of the bootstrap into the node metadata, and refuses a bad one', async () => {
    const ok = await get(alice, '/v1/meshes/shop/virtualNodes/backend/bootstrap?address=10.1.2.3');
    expect(ok.status).toBe(200);
    expect((parse(ok.body as string) as Json)['node']['metadata']['meshplane']).toMatchObject({ address: '10.1.2.3' });
    const grpcOk = await get(alice, '/v1/meshes/shop/virtualNodes/backend/bootstrap?format=grpc&address=fd00::1');
    expect(grpcOk.body['node']['metadata']['meshplane']).toMatchObject({ address: 'fd00::1' });
    for (const bad of ['backend.internal', '10.1.2.3:8080', '0.0.0.0']) {
      const res = await get(alice, `/v1/meshes/shop/virtualNodes/backend/bootstrap?address=${encodeURIComponent(bad)}`);
      expect(res.status, bad).toBe(400);
      expect(res.body['message']).toMatch(/address: must be an IPv4 or IPv6 address/);
    }
  });

  /** The tenant's id and its `shop` mesh's id. */
  async function refOf(tenant: CreatedTenant): Promise<{ tenantId: string; meshId: string }> {
    const { tenantId } = await app.app.get(TenantsService).scopeOf(tenant.accountId);
    const mesh = await app.app.get(PrismaService).mesh.findFirstOrThrow({ where: { tenantId, name: 'shop' } });
    return { tenantId, meshId: mesh.id };
  }
});
