import type { AppMeshClient } from '@aws-sdk/client-app-mesh';
import type * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TenantsService, type CreatedTenant } from '../../src/tenants/tenants.service.js';
import { ProxyTokenService } from '../../src/xds-fleet/identity/proxy-tokens.service.js';
import { XdsGrpcServer } from '../../src/xds-fleet/server/xds-grpc-server.service.js';
import { TYPE } from '../../src/xds-fleet/translator/envoy-types.js';
import { adsClient, openAds, type AdsStream } from '../support/ads-client.js';
import { createShopMesh, mainRouteUpdate } from '../support/mesh-fixture.js';
import { appMeshClient, createTenant } from '../support/tenant-builder.js';
import { call, startTestApp, type TestApp } from '../support/test-app.js';

type Json = Record<string, any>;

/**
 * `Mesh.proxies` and `VirtualNode.proxies` over a real fleet: the API commits, the worker compiles,
 * the xds shard serves a raw ADS client, which ACKs and then NACKs like an Envoy would.
 */
describe('GraphQL proxies', () => {
  let app: TestApp;
  let alice: CreatedTenant;
  let bob: CreatedTenant;
  let aliceMesh: AppMeshClient;
  let client: grpc.Client;
  let stream: AdsStream;

  const gql = (tenant: CreatedTenant, query: string) =>
    call(app.baseUrl, 'POST', '/graphql', { authorization: `Bearer ${tenant.apiToken.token}` }, { query });
  const PROXIES = `{ mesh(name: "shop") {
    proxies { kind name nodeId protocol inSync lastNack { typeUrl message resources { name } } }
    virtualNodes { nodes { name proxies { name inSync } } }
  } }`;

  beforeAll(async () => {
    app = await startTestApp(['api', 'worker', 'xds'], { RECONCILE_DEBOUNCE_MS: '10' });
    [alice, bob] = await Promise.all([createTenant(app), createTenant(app)]);
    aliceMesh = appMeshClient(app, alice.accessKey);
    await createShopMesh(aliceMesh);
    // Bob has a mesh of the same name, with no proxy: names are per tenant.
    await createShopMesh(appMeshClient(app, bob.accessKey));
    const scope = await app.app.get(TenantsService).scopeOf(alice.accountId);
    const token = (await app.app.get(ProxyTokenService).issue(scope, 'shop', 'virtualNode', 'web')).token;
    client = adsClient(app.app.get(XdsGrpcServer).port!);
    stream = openAds(client, 'sotw', token);
  });
  afterAll(async () => {
    stream?.close();
    client?.close();
    await app?.close();
  });

  it('shows the connected proxy on its mesh and its virtual node, and its last NACK', async () => {
    stream.send({ node: { id: 'mesh/shop/virtualNode/web', cluster: 'web', metadata: {} }, type_url: TYPE.cluster });
    const cds = await stream.next(15_000);
    stream.send({ type_url: TYPE.cluster, version_info: cds['version_info'], response_nonce: cds['nonce'] });

    // The registry is written as the session starts; poll rather than assume it is already there.
    let connected = await gql(alice, PROXIES);
    for (let i = 0; i < 50 && connected.body.data?.mesh?.proxies?.length !== 1; i++) {
      await new Promise((r) => setTimeout(r, 100));
      connected = await gql(alice, PROXIES);
    }
    expect(connected.body.errors).toBeUndefined();
    expect(connected.body.data.mesh.proxies).toEqual([
      expect.objectContaining({
        kind: 'virtualNode',
        name: 'web',
        nodeId: 'mesh/shop/virtualNode/web',
        protocol: 'sotw',
        lastNack: null,
      }),
    ]);
    const byNode = Object.fromEntries(
      connected.body.data.mesh.virtualNodes.nodes.map((n: Json) => [n.name, n.proxies.map((p: Json) => p.name)]),
    );
    expect(byNode).toEqual({ api: [], web: ['web'] });

    // A change the proxy refuses.
    stream.send({ type_url: TYPE.listener });
    const lds = await stream.next();
    stream.send({ type_url: TYPE.listener, version_info: lds['version_info'], response_nonce: lds['nonce'] });
    stream.send({ type_url: TYPE.routeConfiguration, resource_names: ['rds_egress_web_http_8080'] });
    const rds = await stream.next();
    stream.send({
      type_url: TYPE.routeConfiguration,
      resource_names: ['rds_egress_web_http_8080'],
      version_info: rds['version_info'],
      response_nonce: rds['nonce'],
    });
    await aliceMesh.send(mainRouteUpdate({ api: 1 }, '/v2'));
    const pushed = await stream.next(10_000);
    expect(pushed['type_url']).toBe(TYPE.routeConfiguration);
    stream.send({
      type_url: TYPE.routeConfiguration,
      resource_names: ['rds_egress_web_http_8080'],
      version_info: rds['version_info'],
      response_nonce: pushed['nonce'],
      error_detail: { code: 3, message: 'route: something Envoy did not like' },
    });
    let nacked: Json | undefined;
    for (let i = 0; i < 50 && !nacked?.['lastNack']; i++) {
      await new Promise((r) => setTimeout(r, 100));
      nacked = (await gql(alice, PROXIES)).body.data.mesh.proxies[0];
    }
    expect(nacked).toMatchObject({
      inSync: false,
      lastNack: {
        typeUrl: TYPE.routeConfiguration,
        message: 'route: something Envoy did not like',
        resources: expect.arrayContaining([{ name: 'rds_egress_web_http_8080' }]),
      },
    });
  });

  it("never shows one tenant another tenant's proxies, even in a mesh of the same name", async () => {
    const res = await gql(bob, PROXIES);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.mesh.proxies).toEqual([]);
    expect(res.body.data.mesh.virtualNodes.nodes.every((n: Json) => n.proxies.length === 0)).toBe(true);
  });
});
