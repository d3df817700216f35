import { randomBytes } from 'node:crypto';
import type * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricsService } from '../../src/platform/metrics/metrics.service.js';
import { PrismaService } from '../../src/platform/prisma/prisma.service.js';
import { TenantsService, type CreatedTenant } from '../../src/tenants/tenants.service.js';
import { RegistryChanges } from '../../src/xds-fleet/endpoints/registry-changes.listener.js';
import { ProxyTokenService } from '../../src/xds-fleet/identity/proxy-tokens.service.js';
import { ReconcileQueue } from '../../src/xds-fleet/reconcile/reconcile-queue.js';
import { XdsGrpcServer } from '../../src/xds-fleet/server/xds-grpc-server.service.js';
import { TYPE } from '../../src/xds-fleet/translator/envoy-types.js';
import { adsClient, openAds, type AdsStream } from '../support/ads-client.js';
import { createCloudMapMesh, createRegistryServices, startFrontendEnvoy } from '../support/cloud-map-mesh.js';
import { freePorts, startUpstream, type Upstream } from '../support/envoy.js';
import { eventually } from '../support/eventually.js';
import { call, startTestApp, type TestApp } from '../support/test-app.js';
import { appMeshClient, createTenant } from '../support/tenant-builder.js';

type Json = Record<string, any>;

/**
 * Endpoints from the service registry, end to end: instances registered through /v1/registry
 * become the endpoints of the virtual nodes whose `awsCloudMap` selects them (attribute filters,
 * health, zones, ports), through the EDS fast path (no compile, only the affected assignments),
 * never across tenants; and a real Envoy routes traffic by them.
 */
describe('endpoints from the service registry (awsCloudMap, EDS fast path)', () => {
  let app: TestApp;
  let alice: CreatedTenant;
  let bob: CreatedTenant;
  let client: grpc.Client;
  let port: number;
  const upstreams: Upstream[] = [];
  const streams: AdsStream[] = [];
  const cla = (node: string, offset: number) => `cds_egress_shop_${node}_http_${port + offset}`;
  let backendCla: string;
  let canaryCla: string;
  let otherCla: string;

  const registry = (tenant: CreatedTenant) => (method: string, path: string, body?: unknown) =>
    call(
      app.baseUrl,
      method,
      `/v1/registry/namespaces${path}`,
      { authorization: `Bearer ${tenant.apiToken.token}` },
      body,
    );
  const register = (tenant: CreatedTenant, service: string, id: string, attributes: Record<string, string>) =>
    registry(tenant)('POST', `/shop.local/services/${service}/instances`, { InstanceId: id, Attributes: attributes });
  const counter = async (name: string, labels: Record<string, string> = {}) => {
    const { values } = await app.app.get(MetricsService).registry.getSingleMetric(name)!.get();
    return values
      .filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))
      .reduce((sum, v) => sum + v.value, 0);
  };
  /** `address:port health zone` of every endpoint of a decoded ClusterLoadAssignment. */
  const endpoints = (assignment: Json | undefined): string[] =>
    (assignment?.['endpoints'] ?? [])
      .flatMap((locality: Json) =>
        (locality['lb_endpoints'] ?? []).map((lb: Json) => {
          const socket = lb['endpoint']['address']['socket_address'];
          const zone = locality['locality']?.['zone'] ?? '-';
          return `${socket['address']}:${socket['port_value']} ${lb['health_status'] ?? 'UNKNOWN'} ${zone}`;
        }),
      )
      .sort();
  const assignmentIn = (response: Json, name: string) =>
    (response['resources'] as Json[]).find((r) => r['name'] === name)?.['resource'] as Json | undefined;
  const names = (response: Json) => (response['resources'] as Json[]).map((r) => r['name'] as string).sort();

  async function frontendEds(tenant: CreatedTenant): Promise<{ stream: AdsStream; first: Json }> {
    const token = (
      await app.app
        .get(ProxyTokenService)
        .issue(await app.app.get(TenantsService).scopeOf(tenant.accountId), 'shop', 'virtualNode', 'frontend')
    ).token;
    const stream = openAds(client, 'delta', token);
    streams.push(stream);
    stream.send({ node: { id: 'mesh/shop/virtualNode/frontend', cluster: 'frontend' }, type_url: TYPE.cluster });
    const cds = await stream.next(15_000);
    stream.send({ type_url: TYPE.cluster, response_nonce: cds['nonce'] });
    stream.send({ type_url: TYPE.clusterLoadAssignment, resource_names_subscribe: [backendCla, canaryCla, otherCla] });
    const first = await stream.next();
    expect(first['type_url']).toBe(TYPE.clusterLoadAssignment);
    stream.send({ type_url: TYPE.clusterLoadAssignment, response_nonce: first['nonce'] });
    return { stream, first };
  }
  async function nextEds(stream: AdsStream, timeoutMs = 10_000): Promise<Json> {
    const response = await stream.next(timeoutMs);
    expect(response['type_url']).toBe(TYPE.clusterLoadAssignment);
    stream.send({ type_url: TYPE.clusterLoadAssignment, response_nonce: response['nonce'] });
    return response;
  }

  /** Mesh `shop`: `backend` selects service backend, `canary` its stage=canary instances, `other` service other. */
  async function createMesh(tenant: CreatedTenant): Promise<void> {
    const selector = (serviceName: string, attributes?: { key: string; value: string }[]) => ({
      namespaceName: 'shop.local',
      serviceName,
      ...(attributes ? { attributes } : {}),
    });
    await createCloudMapMesh(appMeshClient(app, tenant.accessKey), [
      { name: 'backend', port, awsCloudMap: selector('backend') },
      { name: 'canary', port: port + 1, awsCloudMap: selector('backend', [{ key: 'stage', value: 'canary' }]) },
      { name: 'other', port: port + 2, awsCloudMap: selector('other') },
    ]);
    await createRegistryServices(app, tenant, 'shop.local', ['backend', 'other']);
  }

  async function refOf(tenant: CreatedTenant): Promise<{ tenantId: string; meshId: string }> {
    const { tenantId } = await app.app.get(TenantsService).scopeOf(tenant.accountId);
    const mesh = await app.app.get(PrismaService).mesh.findFirstOrThrow({ where: { tenantId, name: 'shop' } });
    return { tenantId, meshId: mesh.id };
  }

  beforeAll(async () => {
    app = await startTestApp(['api', 'worker', 'xds'], {
      // Its own queues, and no reconcile sweep: the compile counter below must count this file's
      // meshes only, not other test files' meshes that a shared queue or the sweep would bring.
      QUEUE_PREFIX: `test-registry-eds-${randomBytes(4).toString('hex')}`,
      RECONCILE_SWEEP_INTERVAL_MS: '3600000',
      RECONCILE_DEBOUNCE_MS: '10',
      ENDPOINTS_DEBOUNCE_MS: '10',
      // The sweep is run by hand where a test needs it: its repair pass would rebuild the
      // assignments of recently changed services again and blur what one change rebuilds.
      ENDPOINTS_SWEEP_INTERVAL_MS: '600000',
    });
    // The nodes' listener ports (port, +1, +2): names in routes and clusters; nothing listens there.
    port = (await freePorts(1))[0]!;
    backendCla = cla('backend', 0);
    canaryCla = cla('canary', 1);
    otherCla = cla('other', 2);
    [alice, bob] = await Promise.all([createTenant(app), createTenant(app)]);
    await createMesh(alice);
    await createMesh(bob);
    client = adsClient(app.app.get(XdsGrpcServer).port!);
  });

  afterAll(async () => {
    for (const s of streams) s.close();
    client?.close();
    for (const u of upstreams) await u.close();
    await app?.close();
  });

  it('pushes registered instances as endpoints through the fast path, only the affected assignments, and a compile agrees', async () => {
    const { stream } = await frontendEds(alice);
    const ref = await refOf(alice);
    const bobRef = await refOf(bob);
    // Both tenants' meshes compiled (bob's compile must not land inside the count below).
    await eventually('the meshes compiled', 10_000, async () => {
      const meshes = await app.app
        .get(PrismaService)
        .mesh.findMany({ where: { id: { in: [ref.meshId, bobRef.meshId] } } });
      return meshes.length === 2 && meshes.every((m) => m.compiledGeneration >= m.generation) ? true : undefined;
    });
    const compiles = await counter('meshplane_mesh_compiles_total');
    // The frontend stream's own endpoint (a connected proxy) triggers an update of its node: let it pass.
    const rebuilt = await eventually('no endpoint update running', 10_000, async () => {
      const before = await counter('meshplane_endpoint_assignments_rebuilt_total');
      await new Promise((r) => setTimeout(r, 300));
      return (await counter('meshplane_endpoint_assignments_rebuilt_total')) === before ? before : undefined;
    });

    // A service selected by one node: only that node's assignment is rebuilt and pushed.
    expect(
      (await register(alice, 'other', 'o-1', { AWS_INSTANCE_IPV4: '10.5.0.1', AWS_INSTANCE_AVAILABILITY_ZONE: 'z1' }))
        .status,
    ).toBe(201);
    const other = await nextEds(stream);
    expect(names(other)).toEqual([otherCla]);
    // No AWS_INSTANCE_PORT: the node's listener port.
    expect(endpoints(assignmentIn(other, otherCla))).toEqual([`10.5.0.1:${port + 2} HEALTHY z1`]);
    // Rebuilt: the node's two assignments (its Envoy cluster's and its proxyless one), not the whole mesh's.
    expect(await counter('meshplane_endpoint_assignments_rebuilt_total')).toBe(rebuilt + 2);
    await stream.expectSilence(200);

    // Attribute filters: `canary` selects only instances with stage=canary; `backend` selects all.
    await register(alice, 'backend', 'b-1', { AWS_INSTANCE_IPV4: '10.6.0.1', AWS_INSTANCE_PORT: '8081' });
    const first = await nextEds(stream);
    expect(names(first)).toEqual([backendCla]); // canary's assignment was rebuilt, but did not change
    expect(endpoints(assignmentIn(first, backendCla))).toEqual(['10.6.0.1:8081 HEALTHY -']);
    await register(alice, 'backend', 'b-2', {
      AWS_INSTANCE_IPV4: '10.6.0.2',
      AWS_INSTANCE_IPV6: 'fd00::2',
      AWS_INSTANCE_PORT: '8082',
      stage: 'canary',
    });
    const second = await nextEds(stream);
    expect(names(second)).toEqual([backendCla, canaryCla].sort());
    expect(endpoints(assignmentIn(second, canaryCla))).toEqual(['10.6.0.2:8082 HEALTHY -']);
    expect(endpoints(assignmentIn(second, backendCla))).toEqual(['10.6.0.1:8081 HEALTHY -', '10.6.0.2:8082 HEALTHY -']);

    // Health: UNHEALTHY reaches Envoy as the endpoint's health status.
    await registry(alice)('PUT', '/shop.local/services/backend/instances/b-1/health', { Status: 'UNHEALTHY' });
    const sick = await nextEds(stream);
    expect(names(sick)).toEqual([backendCla]);
    expect(endpoints(assignmentIn(sick, backendCla))).toEqual(['10.6.0.1:8081 UNHEALTHY -', '10.6.0.2:8082 HEALTHY -']);
    expect(await counter('meshplane_mesh_compiles_total')).toBe(compiles); // all of it without a compile

    // A full compile of the same state builds the same bytes: nothing to publish, no push.
    const unchanged = await counter('meshplane_mesh_compiles_total', { status: 'unchanged' });
    await app.app.get(ReconcileQueue).enqueue(ref.tenantId, ref.meshId);
    await eventually('a compile that found nothing new', 10_000, async () =>
      (await counter('meshplane_mesh_compiles_total', { status: 'unchanged' })) > unchanged ? true : undefined,
    );
    await stream.expectSilence(300);

    // Deregistering removes the endpoint.
    await registry(alice)('DELETE', '/shop.local/services/backend/instances/b-1');
    const removed = await nextEds(stream);
    expect(endpoints(assignmentIn(removed, backendCla))).toEqual(['10.6.0.2:8082 HEALTHY -']);
    await registry(alice)('DELETE', '/shop.local/services/backend/instances/b-2');
    expect(endpoints(assignmentIn(await nextEds(stream), backendCla))).toEqual([]);
    await registry(alice)('DELETE', '/shop.local/services/other/instances/o-1');
    expect(endpoints(assignmentIn(await nextEds(stream), otherCla))).toEqual([]);
  });

  it("never puts one tenant's instances in another's EDS, with identical mesh, namespace and service names", async () => {
    const { stream: bobStream, first } = await frontendEds(bob);
    expect(endpoints(assignmentIn(first, backendCla))).toEqual([]);
    const { stream: aliceStream } = await frontendEds(alice);
    await register(alice, 'backend', 'x-1', { AWS_INSTANCE_IPV4: '10.20.0.1' });
    expect(endpoints(assignmentIn(await nextEds(aliceStream), backendCla))).toEqual([`10.20.0.1:${port} HEALTHY -`]);
    await bobStream.expectSilence(500);
    await register(bob, 'backend', 'x-1', { AWS_INSTANCE_IPV4: '10.30.0.1' });
    expect(endpoints(assignmentIn(await nextEds(bobStream), backendCla))).toEqual([`10.30.0.1:${port} HEALTHY -`]);
    await aliceStream.expectSilence(500);
    await registry(alice)('DELETE', '/shop.local/services/backend/instances/x-1');
    await registry(bob)('DELETE', '/shop.local/services/backend/instances/x-1');
    await nextEds(aliceStream);
    await nextEds(bobStream);
  });

  it('repairs a change whose notification was lost, through the sweep', async () => {
    const { stream } = await frontendEds(alice);
    // What a writer whose enqueue failed leaves behind: the instance and the service's stamp, no update.
    const { tenantId } = await refOf(alice);
    const prisma = app.app.get(PrismaService);
    const service = await prisma.registryService.findFirstOrThrow({ where: { tenantId, name: 'other' } });
    await prisma.$transaction([
      prisma.registryInstance.create({
        data: {
          tenantId,
          serviceId: service.id,
          instanceId: 'lost-1',
          ipv4: '10.40.0.1',
          attributes: { AWS_INSTANCE_IPV4: '10.40.0.1' },
        },
      }),
      prisma.$executeRaw`UPDATE registry_services SET updated_at = now() WHERE id = ${service.id}::uuid`,
    ]);
    // The sweep's repair looks at stamps from half a minute ago on; this one looks at them at once.
    expect(await app.app.get(RegistryChanges).repair(0)).toBeGreaterThanOrEqual(1);
    const repaired = await nextEds(stream);
    // Each stamp is repaired once: the next pass finds nothing new.
    expect(await app.app.get(RegistryChanges).repair(0)).toBe(0);
    expect(endpoints(assignmentIn(repaired, otherCla))).toEqual([`10.40.0.1:${port + 2} HEALTHY -`]);
    await registry(alice)('DELETE', '/shop.local/services/other/instances/lost-1');
    await nextEds(stream);
  });

  it('routes real traffic from an Envoy to upstreams registered through the API, by filter and health', async () => {
    const [a, b, c] = await Promise.all([startUpstream('a'), startUpstream('b'), startUpstream('c')]);
    upstreams.push(a!, b!, c!);
    const { envoy, reached } = await startFrontendEnvoy(app, alice, 15_000);
    const backendHost = `backend.shop.local:${port}`;
    const canaryHost = `canary.shop.local:${port + 1}`;
    try {
      const at = (u: Upstream, extra: Record<string, string> = {}) => ({
        AWS_INSTANCE_IPV4: '127.0.0.1',
        AWS_INSTANCE_PORT: String(u.port),
        ...extra,
      });
      await register(alice, 'backend', 'a', at(a!));
      await register(alice, 'backend', 'b', at(b!));
      await register(alice, 'backend', 'c', at(c!, { stage: 'canary' }));
      await reached(backendHost, ['a', 'b', 'c']);
      // The attribute filter: only the canary instance.
      await reached(canaryHost, ['c']);

      // UNHEALTHY leaves load balancing; HEALTHY brings it back.
      await registry(alice)('PUT', '/shop.local/services/backend/instances/b/health', { Status: 'UNHEALTHY' });
      await reached(backendHost, ['a', 'c']);
      await registry(alice)('PUT', '/shop.local/services/backend/instances/b/health', { Status: 'HEALTHY' });
      await reached(backendHost, ['a', 'b', 'c']);

      // Deregistering removes it.
      await registry(alice)('DELETE', '/shop.local/services/backend/instances/a');
      await reached(backendHost, ['b', 'c']);
      await registry(alice)('DELETE', '/shop.local/services/backend/instances/c');
      await reached(canaryHost, ['503']);
    } finally {
      await envoy.stop();
      await registry(alice)('DELETE', '/shop.local/services/backend/instances/b');
    }
  });
  it('lists the connected proxies of the selecting nodes as read-only proxy instances of the service', async () => {
    const token = (
      await app.app
        .get(ProxyTokenService)
        .issue(await app.app.get(TenantsService).scopeOf(alice.accountId), 'shop', 'virtualNode', 'backend')
    ).token;
    const proxy = openAds(client, 'sotw', token);
    streams.push(proxy);
    proxy.send({
      node: {
        id: 'mesh/shop/virtualNode/backend',
        cluster: 'backend',
        metadata: { meshplane: { address: '10.60.0.1' } },
        locality: { zone: 'z9' },
      },
      type_url: TYPE.cluster,
    });
    await proxy.next(15_000);
    const listed = await eventually('the proxy listed', 10_000, async () => {
      const res = await registry(alice)('GET', '/shop.local/services/backend/instances');
      return res.body.Instances.length > 0 ? res.body.Instances : undefined;
    });
    expect(listed).toEqual([
      expect.objectContaining({
        Id: 'proxy:shop/backend/10.60.0.1',
        Source: 'proxy',
        HealthStatus: 'HEALTHY',
        Attributes: {
          AWS_INSTANCE_IPV4: '10.60.0.1',
          AWS_INSTANCE_AVAILABILITY_ZONE: 'z9',
          MESHPLANE_MESH: 'shop',
          MESHPLANE_VIRTUAL_NODE: 'backend',
        },
      }),
    ]);
    // Read-only, and another tenant's identical names never show it.
    expect(
      (await registry(alice)('DELETE', '/shop.local/services/backend/instances/proxy:shop%2Fbackend%2F10.60.0.1'))
        .status,
    ).toBe(404);
    expect((await registry(bob)('GET', '/shop.local/services/backend/instances')).body.Instances).toEqual([]);
    proxy.close();
  });
});
