import {
  CreateVirtualNodeCommand,
  UpdateVirtualNodeCommand,
  UpdateRouteCommand,
  type AppMeshClient,
} from '@aws-sdk/client-app-mesh';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TenantsService, type CreatedTenant } from '../../src/tenants/tenants.service.js';
import { ProxyTokenService } from '../../src/xds-fleet/identity/proxy-tokens.service.js';
import { XdsGrpcServer } from '../../src/xds-fleet/server/xds-grpc-server.service.js';
import { TYPE } from '../../src/xds-fleet/translator/envoy-types.js';
import { adsClient, openAds, type AdsStream } from '../support/ads-client.js';
import { createShopMesh, mainRouteUpdate } from '../support/mesh-fixture.js';
import { call, startTestApp, type TestApp } from '../support/test-app.js';
import { appMeshClient, createTenant } from '../support/tenant-builder.js';

type Json = Record<string, any>;

const NODE_ID = 'mesh/shop/virtualNode/web';
const node = (id = NODE_ID, metadata: Json = {}) => ({ id, cluster: 'web', metadata });
const namesOf = (response: Json): string[] =>
  response['resources'].map((r: Json) => (r['name'] ?? r['cluster_name']) as string).sort();
const arnsOf = (response: Json): string[] =>
  response['resources'].flatMap((r: Json) => {
    const arn = r['metadata']?.['filter_metadata']?.['meshplane']?.['fields']?.['arn']?.['string_value'];
    return arn ? [arn as string] : [];
  });

/**
 * The ADS server against a raw client that does exactly what each test says: nonces, versions,
 * NACKs, subscriptions, identity and isolation, quotas and malformed input. Everything runs for
 * real: the API commits, the worker compiles through the queue, the shard serves from Redis.
 */
describe('xDS server protocol (raw ADS client)', () => {
  let app: TestApp;
  let alice: CreatedTenant;
  let bob: CreatedTenant;
  let aliceMesh: AppMeshClient;
  let client: grpc.Client;
  const streams: AdsStream[] = [];
  let tokenFor: (tenant: CreatedTenant, name: string, kind?: 'virtualNode' | 'virtualGateway') => Promise<string>;

  const open = (protocol: 'sotw' | 'delta', token: string | undefined) => {
    const stream = openAds(client, protocol, token);
    streams.push(stream);
    return stream;
  };
  const proxies = async (tenant: CreatedTenant) =>
    (await call(app.baseUrl, 'GET', '/v1/meshes/shop/proxies', { authorization: `Bearer ${tenant.apiToken.token}` }))
      .body;

  beforeAll(async () => {
    app = await startTestApp(['api', 'worker', 'xds'], { RECONCILE_DEBOUNCE_MS: '10' });
    [alice, bob] = await Promise.all([createTenant(app), createTenant(app)]);
    aliceMesh = appMeshClient(app, alice.accessKey);
    await createShopMesh(aliceMesh);
    await createShopMesh(appMeshClient(app, bob.accessKey));
    const tokens = app.app.get(ProxyTokenService);
    const tenants = app.app.get(TenantsService);
    tokenFor = async (tenant, name, kind = 'virtualNode') =>
      (await tokens.issue(await tenants.scopeOf(tenant.accountId), 'shop', kind, name)).token;
    client = adsClient(app.app.get(XdsGrpcServer).port!);
  });

  afterAll(async () => {
    for (const s of streams) s.close();
    client?.close();
    await app?.close();
  });

  describe('state of the world', () => {
    let stream: AdsStream;
    let cds: Json;

    it('answers a wildcard CDS request with the node view, once the mesh is compiled', async () => {
      stream = open('sotw', await tokenFor(alice, 'web'));
      stream.send({ node: node(), type_url: TYPE.cluster });
      cds = await stream.next(15_000);
      expect(cds['type_url']).toBe(TYPE.cluster);
      expect(cds['version_info']).not.toBe('');
      expect(cds['nonce']).not.toBe('');
      expect(namesOf(cds)).toEqual(['cds_egress_shop_api_http_8080', 'cds_ingress_shop_web_http_9080']);
      // Every resource is alice's: her account's ARNs, never bob's.
      expect(arnsOf(cds).every((arn) => arn.includes(`:${alice.accountId}:mesh/shop/`))).toBe(true);
    });

    it('sends nothing for an ACK', async () => {
      stream.send({ type_url: TYPE.cluster, version_info: cds['version_info'], response_nonce: cds['nonce'] });
      await stream.expectSilence(300);
    });

    it('answers LDS and then the route configurations the listeners name', async () => {
      stream.send({ type_url: TYPE.listener });
      const lds = await stream.next();
      expect(namesOf(lds)).toEqual(['lds_egress_0.0.0.0_15001', 'lds_ingress_0.0.0.0_15000']);
      stream.send({ type_url: TYPE.listener, version_info: lds['version_info'], response_nonce: lds['nonce'] });
      stream.send({ type_url: TYPE.routeConfiguration, resource_names: ['rds_egress_web_http_8080'] });
      const rds = await stream.next();
      expect(namesOf(rds)).toEqual(['rds_egress_web_http_8080']);
      stream.send({
        type_url: TYPE.routeConfiguration,
        resource_names: ['rds_egress_web_http_8080'],
        version_info: rds['version_info'],
        response_nonce: rds['nonce'],
      });
      await stream.expectSilence(200);
    });

    it('ignores a request with a stale nonce, even one that changes the subscription', async () => {
      stream.send({
        type_url: TYPE.routeConfiguration,
        resource_names: ['rds_egress_web_http_8080', 'rds_ingress_http_9080'],
        response_nonce: 'not-the-last-nonce',
      });
      await stream.expectSilence(300);
    });

    it('answers a changed subscription even when nothing changed, and never serves names outside the view', async () => {
      stream.send({
        type_url: TYPE.routeConfiguration,
        // rds_egress_api_…: another node's route configuration; cds names are not route configurations at all.
        resource_names: ['rds_egress_web_http_8080', 'rds_ingress_http_9080', 'rds_egress_api_http_8080'],
      });
      const rds = await stream.next();
      expect(namesOf(rds)).toEqual(['rds_egress_web_http_8080', 'rds_ingress_http_9080']);
      stream.send({
        type_url: TYPE.routeConfiguration,
        resource_names: ['rds_egress_web_http_8080', 'rds_ingress_http_9080', 'rds_egress_api_http_8080'],
        version_info: rds['version_info'],
        response_nonce: rds['nonce'],
      });
    });

    it('pushes a change, records a NACK in the proxies API, and does not push the rejected version again', async () => {
      await aliceMesh.send(mainRouteUpdate({ api: 1 }, '/v2'));
      const rds = await stream.next(10_000);
      expect(rds['type_url']).toBe(TYPE.routeConfiguration);
      expect(JSON.stringify(rds['resources'])).toContain('/v2');
      stream.send({
        type_url: TYPE.routeConfiguration,
        resource_names: ['rds_egress_web_http_8080', 'rds_ingress_http_9080', 'rds_egress_api_http_8080'],
        version_info: 'the-previous-version',
        response_nonce: rds['nonce'],
        error_detail: { code: 3, message: 'route: something Envoy did not like' },
      });
      await stream.expectSilence(500);
      let seen: Json | undefined;
      for (let i = 0; i < 40 && !seen?.['lastNack']; i++) {
        await new Promise((r) => setTimeout(r, 100));
        seen = (await proxies(alice))['proxies'].find((p: Json) => p['lastNack']);
      }
      expect(seen?.['lastNack']).toMatchObject({
        typeUrl: TYPE.routeConfiguration,
        message: 'route: something Envoy did not like',
      });
      expect(seen?.['lastNack']['resources']).toContainEqual(
        expect.objectContaining({ name: 'rds_egress_web_http_8080' }),
      );
      expect(seen?.['inSync']).toBe(false);
    });

    it('sends a name the view lacked once it appears', async () => {
      const other = open('sotw', await tokenFor(alice, 'web'));
      other.send({ node: node(), type_url: TYPE.cluster, resource_names: ['cds_egress_shop_db_http_5432'] });
      const first = await other.next(5_000);
      expect(namesOf(first)).toEqual([]);
      other.send({
        type_url: TYPE.cluster,
        resource_names: ['cds_egress_shop_db_http_5432'],
        version_info: first['version_info'],
        response_nonce: first['nonce'],
      });
      await aliceMesh.send(
        new CreateVirtualNodeCommand({
          meshName: 'shop',
          virtualNodeName: 'db',
          spec: {
            listeners: [{ portMapping: { port: 5432, protocol: 'tcp' } }],
            serviceDiscovery: { dns: { hostname: 'db.local' } },
          },
        }),
      );
      await aliceMesh.send(
        new UpdateVirtualNodeCommand({
          meshName: 'shop',
          virtualNodeName: 'web',
          spec: {
            listeners: [{ portMapping: { port: 9080, protocol: 'http' } }],
            serviceDiscovery: { dns: { hostname: 'web.local' } },
            backends: [{ virtualService: { virtualServiceName: 'api.shop.local' } }],
          },
        }),
      );
      // db is not web's backend (it has no virtual service), so it never enters web's view.
      await other.expectSilence(1_500);
    });
  });

  describe('identity and isolation', () => {
    it('refuses a stream without a token, with an unknown token, or with a token for another node', async () => {
      const none = open('sotw', undefined);
      none.send({ node: node(), type_url: TYPE.cluster });
      expect((await none.status).code).toBe(grpc.status.UNAUTHENTICATED);

      const unknown = open('sotw', 'mpx_' + 'A'.repeat(43));
      unknown.send({ node: node(), type_url: TYPE.cluster });
      expect((await unknown.status).code).toBe(grpc.status.UNAUTHENTICATED);

      const apiToken = open('sotw', await tokenFor(alice, 'api'));
      apiToken.send({ node: node(), type_url: TYPE.cluster });
      const status = await apiToken.status;
      expect(status.code).toBe(grpc.status.PERMISSION_DENIED);
      expect(status.details).toContain('mesh/shop/virtualNode/api');
    });

    it('refuses a node.id naming the same resource in another account', async () => {
      const stream = open('sotw', await tokenFor(alice, 'web'));
      stream.send({
        node: node(`arn:aws:appmesh:${app.config.region}:${bob.accountId}:mesh/shop/virtualNode/web`),
        type_url: TYPE.cluster,
      });
      expect((await stream.status).code).toBe(grpc.status.PERMISSION_DENIED);
    });

    it("accepts the resource ARN as node.id and serves only the token's tenant", async () => {
      const stream = open('sotw', await tokenFor(bob, 'web'));
      stream.send({
        node: node(`arn:aws:appmesh:${app.config.region}:${bob.accountId}:mesh/shop/virtualNode/web`),
        type_url: TYPE.cluster,
      });
      const cds = await stream.next(15_000);
      expect(arnsOf(cds).length).toBeGreaterThan(0);
      expect(arnsOf(cds).every((arn) => arn.includes(`:${bob.accountId}:`))).toBe(true);
      // Bob sees his proxy, never alice's.
      const bobs = (await proxies(bob))['proxies'] as Json[];
      expect(bobs.length).toBeGreaterThan(0);
      expect(bobs.every((p) => p['nodeId'].includes(bob.accountId))).toBe(true);
    });

    it('fails a stream whose first request has no node', async () => {
      const stream = open('sotw', await tokenFor(alice, 'web'));
      stream.send({ type_url: TYPE.cluster });
      expect((await stream.status).code).toBe(grpc.status.INVALID_ARGUMENT);
    });

    it('fails a stream that sends garbage, and keeps serving others', async () => {
      const stream = open('sotw', await tokenFor(alice, 'web'));
      stream.sendRaw(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]));
      expect((await stream.status).code).not.toBe(grpc.status.OK);
      const healthy = open('sotw', await tokenFor(alice, 'web'));
      healthy.send({ node: node(), type_url: TYPE.cluster });
      expect(namesOf(await healthy.next())).toContain('cds_egress_shop_api_http_8080');
    });
  });

  describe('quota', () => {
    it('refuses proxies beyond the plan limit per virtual node with RESOURCE_EXHAUSTED', async () => {
      const res = await app.admin('POST', '/admin/v1/tenants', { name: `free-${Date.now()}`, plan: 'free' });
      const carol = res.body as CreatedTenant;
      await createShopMesh(appMeshClient(app, carol.accessKey));
      const token = await tokenFor(carol, 'web');
      const admitted: AdsStream[] = [];
      for (let i = 0; i < 5; i++) {
        const s = open('delta', token);
        s.send({ node: node(), type_url: TYPE.cluster });
        admitted.push(s);
        await s.next(15_000);
      }
      const sixth = open('delta', token);
      sixth.send({ node: node(), type_url: TYPE.cluster });
      const status = await sixth.status;
      expect(status.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
      expect(status.details).toContain('5');
      // A slot frees up when a proxy goes away.
      admitted[0]!.close();
      let ok = false;
      for (let i = 0; i < 20 && !ok; i++) {
        await new Promise((r) => setTimeout(r, 100));
        const again = open('delta', token);
        again.send({ node: node(), type_url: TYPE.cluster });
        ok = await again.next(2_000).then(
          () => true,
          () => false,
        );
      }
      expect(ok).toBe(true);
    });
  });

  describe('delta', () => {
    it('sends resources with versions, only changes afterwards, and removals', async () => {
      const stream = open('delta', await tokenFor(alice, 'web'));
      stream.send({ node: node(), type_url: TYPE.cluster });
      const first = await stream.next(15_000);
      const names = first['resources'].map((r: Json) => r['name']).sort();
      expect(names).toContain('cds_egress_shop_api_http_8080');
      expect(first['resources'].every((r: Json) => typeof r['version'] === 'string' && r['version'] !== '')).toBe(true);
      stream.send({ type_url: TYPE.cluster, response_nonce: first['nonce'] });
      stream.send({ type_url: TYPE.routeConfiguration, resource_names_subscribe: ['rds_egress_web_http_8080'] });
      const rds = await stream.next();
      expect(rds['resources'].map((r: Json) => r['name'])).toEqual(['rds_egress_web_http_8080']);
      stream.send({ type_url: TYPE.routeConfiguration, response_nonce: rds['nonce'] });
      await stream.expectSilence(200);

      // A route change changes the route configuration only: clusters are not re-sent.
      await aliceMesh.send(mainRouteUpdate({ api: 1 }, '/v3'));
      const change = await stream.next(10_000);
      expect(change['type_url']).toBe(TYPE.routeConfiguration);
      expect(JSON.stringify(change['resources'])).toContain('/v3');
      stream.send({ type_url: TYPE.routeConfiguration, response_nonce: change['nonce'] });
      await stream.expectSilence(300);

      // Unsubscribe and resubscribe: sent again. A name that is not in the view is just not sent.
      stream.send({ type_url: TYPE.routeConfiguration, resource_names_unsubscribe: ['rds_egress_web_http_8080'] });
      stream.send({
        type_url: TYPE.routeConfiguration,
        resource_names_subscribe: ['rds_egress_web_http_8080', 'rds_egress_api_http_8080'],
      });
      const again = await stream.next();
      expect(again['resources'].map((r: Json) => r['name'])).toEqual(['rds_egress_web_http_8080']);
    });

    it('does not resend what a reconnecting proxy already holds', async () => {
      const first = open('delta', await tokenFor(alice, 'web'));
      first.send({ node: node(), type_url: TYPE.cluster });
      const held = await first.next(15_000);
      first.close();
      const versions = Object.fromEntries(held['resources'].map((r: Json) => [r['name'], r['version']]));
      const second = open('delta', await tokenFor(alice, 'web'));
      second.send({ node: node(), type_url: TYPE.cluster, initial_resource_versions: versions });
      await second.expectSilence(500);
    });
  });
});
