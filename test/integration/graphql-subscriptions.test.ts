import { CreateMeshCommand, type AppMeshClient } from '@aws-sdk/client-app-mesh';
import type * as grpc from '@grpc/grpc-js';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CreatedTenant } from '../../src/tenants/tenants.service.js';
import { PrismaService } from '../../src/platform/prisma/prisma.service.js';
import { RedisService } from '../../src/platform/redis/redis.service.js';
import { TenantRateLimiter } from '../../src/tenants/rate-limit/tenant-rate-limiter.js';
import { TenantsService } from '../../src/tenants/tenants.service.js';
import { fleetEventsChannel, parseFleetEventBatch } from '../../src/xds-fleet/events/fleet-events.js';
import { MeshTranslator } from '../../src/xds-fleet/compiler/mesh-translator.js';
import { ProxyTokenService } from '../../src/xds-fleet/identity/proxy-tokens.service.js';
import { XdsGrpcServer } from '../../src/xds-fleet/server/xds-grpc-server.service.js';
import { TYPE } from '../../src/xds-fleet/translator/envoy-types.js';
import { adsClient, openAds, type AdsStream } from '../support/ads-client.js';
import { eventually } from '../support/eventually.js';
import { bearer, graphqlWs, type Feed, type WsClient } from '../support/graphql-ws.js';
import { createShopMesh, mainRouteUpdate } from '../support/mesh-fixture.js';
import { appMeshClient, createTenant } from '../support/tenant-builder.js';
import { call, startTestApp, type TestApp } from '../support/test-app.js';

type Json = Record<string, any>;

const PROXY_EVENTS = `subscription($m: String!) { proxyEvents(meshName: $m) {
  type meshName sessionId kind name nodeId protocol at version nack { typeUrl message resources { name } }
} }`;
const PROPAGATION = `subscription($m: String!) { meshPropagation(meshName: $m) {
  meshName generation compiledVersion inSync lastAckAt proxies { connected inSync withNack }
} }`;
const PROPAGATED = `subscription($m: String!) { meshPropagated(meshName: $m) {
  generation compiledVersion inSync lastAckAt proxies { connected inSync }
} }`;
const REJECTIONS = `subscription($m: String!) { meshRejections(meshName: $m) { meshName generation reason problems { arn } } }`;

/**
 * GraphQL subscriptions over graphql-ws (ADR 0019) across two api replicas: `fleet` runs the api,
 * the worker and an xds shard; `replica` is another api process of the same installation. The
 * proxy is a raw ADS client of the shard; the changes are made through the App Mesh API of
 * `fleet`; the subscribers listen on `replica` (and on `fleet`): what they receive crossed Redis.
 */
describe('GraphQL subscriptions', () => {
  let fleet: TestApp;
  let replica: TestApp;
  let alice: CreatedTenant;
  let bob: CreatedTenant;
  let aliceMesh: AppMeshClient;
  let grpcClient: grpc.Client;
  const clients: WsClient[] = [];
  const streams: AdsStream[] = [];
  const faults = { translatorMeshArn: undefined as string | undefined };

  const ws = (app: TestApp, params?: Json) => {
    const c = graphqlWs(app.baseUrl, params);
    clients.push(c);
    return c;
  };
  const data = (field: string) => (p: Json) => p['data']?.[field] as Json;
  const ofType = (type: string) => (p: Json) => p['data']?.proxyEvents?.type === type;

  /** Subscribes `feeds`, then waits for a propagation subscription's first state: the tenant's channel is listened to. */
  const ready = async (client: WsClient, mesh = 'shop'): Promise<Feed> => {
    const progress = client.subscribe(PROPAGATION, { m: mesh });
    await progress.next();
    await sleep(200);
    return progress;
  };

  beforeAll(async () => {
    const installation = { QUEUE_PREFIX: `test-gql-subs-${randomBytes(4).toString('hex')}` };
    fleet = await startTestApp(['api', 'worker', 'xds'], {
      ...installation,
      RECONCILE_DEBOUNCE_MS: '10',
      RECONCILE_FAILURE_BACKOFF_MS: '500',
    });
    replica = await startTestApp(['api'], installation);
    const translator = fleet.app.get(MeshTranslator);
    const translate = translator.translate.bind(translator);
    // The one fault valid input cannot produce: a translator defect, for a rejected change.
    vi.spyOn(translator, 'translate').mockImplementation((...args) => {
      if (args[0].meshArn === faults.translatorMeshArn) throw new TypeError('stubbed translator defect');
      return translate(...args);
    });
    [alice, bob] = await Promise.all([createTenant(fleet), createTenant(fleet)]);
    aliceMesh = appMeshClient(fleet, alice.accessKey);
    await createShopMesh(aliceMesh);
    // Bob has a mesh of the same name: names are per tenant.
    await createShopMesh(appMeshClient(fleet, bob.accessKey));
    grpcClient = adsClient(fleet.app.get(XdsGrpcServer).port!);
  });

  afterAll(async () => {
    for (const s of streams) s.close();
    grpcClient?.close();
    await Promise.all(clients.map((c) => c.dispose().catch(() => undefined)));
    await replica?.close();
    await fleet?.close();
  });

  it('closes a connection without valid credentials with 4403, before anything runs', async () => {
    for (const params of [
      undefined,
      {},
      { authorization: 'Basic abc' },
      bearer('mpt_not-a-token'),
      { authorization: 42 },
    ]) {
      const client = ws(replica, params);
      const feed = client.subscribe(PROXY_EVENTS, { m: 'shop' });
      expect((await client.closed).code, JSON.stringify(params)).toBe(4403);
      await expect(feed.failed).resolves.toBeDefined();
      expect(feed.payloads).toEqual([]);
    }
  });

  it('streams a proxy on a shard behind the other replica: connected, ACKed, a change propagated, a NACK, disconnected', async () => {
    const watcher = ws(replica, bearer(alice.apiToken.token));
    const events = watcher.subscribe(PROXY_EVENTS, { m: 'shop' });
    const propagated = watcher.subscribe(PROPAGATED, { m: 'shop' });
    const progress = await ready(watcher);
    // Bob watches his own mesh of the same name: he must see none of it.
    const bobWatcher = ws(fleet, bearer(bob.apiToken.token));
    const bobEvents = bobWatcher.subscribe(PROXY_EVENTS, { m: 'shop' });
    const bobRejections = bobWatcher.subscribe(REJECTIONS, { m: 'shop' });
    await ready(bobWatcher);

    const scope = await fleet.app.get(TenantsService).scopeOf(alice.accountId);
    const { token } = await fleet.app.get(ProxyTokenService).issue(scope, 'shop', 'virtualNode', 'web');
    const stream = openAds(grpcClient, 'sotw', token);
    streams.push(stream);
    const node = { id: 'mesh/shop/virtualNode/web', cluster: 'web', metadata: {} };
    stream.send({ node, type_url: TYPE.cluster });
    const cds = await stream.next(15_000);
    stream.send({ type_url: TYPE.cluster, version_info: cds['version_info'], response_nonce: cds['nonce'] });
    stream.send({ type_url: TYPE.listener });
    const lds = await stream.next();
    stream.send({ type_url: TYPE.listener, version_info: lds['version_info'], response_nonce: lds['nonce'] });
    const rdsName = 'rds_egress_web_http_8080';
    stream.send({ type_url: TYPE.routeConfiguration, resource_names: [rdsName] });
    const rds = await stream.next();
    stream.send({
      type_url: TYPE.routeConfiguration,
      resource_names: [rdsName],
      version_info: rds['version_info'],
      response_nonce: rds['nonce'],
    });

    const connected = data('proxyEvents')(await events.next(ofType('CONNECTED')));
    expect(connected).toMatchObject({
      meshName: 'shop',
      kind: 'virtualNode',
      name: 'web',
      nodeId: 'mesh/shop/virtualNode/web',
      protocol: 'sotw',
      version: null,
      nack: null,
    });
    const acked = data('proxyEvents')(await events.next(ofType('ACKED')));
    expect(acked.version).toEqual(expect.any(String));
    const synced = data('meshPropagation')(
      await progress.next((p) => p['data']?.meshPropagation?.proxies?.inSync === 1),
    );
    expect(synced).toMatchObject({ meshName: 'shop', inSync: true, proxies: { connected: 1, inSync: 1, withNack: 0 } });
    expect(synced.lastAckAt).toEqual(expect.any(String));

    // A route change through the API: pushed, ACKed, and announced as propagated.
    await aliceMesh.send(mainRouteUpdate({ api: 1 }, '/v2'));
    const pushed = await stream.next(10_000);
    expect(pushed['type_url']).toBe(TYPE.routeConfiguration);
    stream.send({
      type_url: TYPE.routeConfiguration,
      resource_names: [rdsName],
      version_info: pushed['version_info'],
      response_nonce: pushed['nonce'],
    });
    const landed = data('meshPropagated')(
      await propagated.next((p) => BigInt(p['data']?.meshPropagated?.generation ?? 0) > BigInt(synced.generation)),
    );
    expect(landed).toMatchObject({ inSync: true, proxies: { connected: 1, inSync: 1 } });
    expect(landed.compiledVersion).not.toBe(synced.compiledVersion);
    expect(landed.lastAckAt >= synced.lastAckAt).toBe(true);
    const ackedChange = data('proxyEvents')(
      await events.next(
        (p) => p['data']?.proxyEvents?.type === 'ACKED' && p['data'].proxyEvents.version !== acked.version,
      ),
    );
    expect(ackedChange.version).toBe(landed.compiledVersion);

    // A change the proxy refuses: the NACK with Envoy's text and the resources.
    await aliceMesh.send(mainRouteUpdate({ api: 1 }, '/v3'));
    const refused = await stream.next(10_000);
    stream.send({
      type_url: TYPE.routeConfiguration,
      resource_names: [rdsName],
      version_info: pushed['version_info'],
      response_nonce: refused['nonce'],
      error_detail: { code: 3, message: 'route: something Envoy did not like' },
    });
    const nacked = data('proxyEvents')(await events.next(ofType('NACKED')));
    expect(nacked).toMatchObject({
      name: 'web',
      nack: {
        typeUrl: TYPE.routeConfiguration,
        message: 'route: something Envoy did not like',
        resources: expect.arrayContaining([{ name: rdsName }]),
      },
    });
    const withNack = data('meshPropagation')(
      await progress.next((p) => p['data']?.meshPropagation?.proxies?.withNack === 1),
    );
    expect(withNack).toMatchObject({ inSync: false, proxies: { connected: 1, inSync: 0, withNack: 1 } });

    stream.close();
    const gone = data('proxyEvents')(await events.next(ofType('DISCONNECTED')));
    expect(gone).toMatchObject({ name: 'web', sessionId: connected.sessionId });
    await progress.next((p) => p['data']?.meshPropagation?.proxies?.connected === 0);

    // Nothing of Alice's reached Bob, whose mesh has the same name.
    await sleep(1_500);
    expect(bobEvents.payloads).toEqual([]);
    expect(bobRejections.payloads).toEqual([]);
  });

  it('announces a rejected change, to its tenant only', async () => {
    const watcher = ws(replica, bearer(alice.apiToken.token));
    const rejections = watcher.subscribe(REJECTIONS, { m: 'shop' });
    await ready(watcher);
    const bobWatcher = ws(replica, bearer(bob.apiToken.token));
    const bobRejections = bobWatcher.subscribe(REJECTIONS, { m: 'shop' });
    await ready(bobWatcher);

    const meshArn = `arn:aws:appmesh:${fleet.config.region}:${alice.accountId}:mesh/shop`;
    faults.translatorMeshArn = meshArn;
    try {
      await aliceMesh.send(mainRouteUpdate({ api: 1 }, '/v4'));
      const rejected = data('meshRejections')(await rejections.next());
      expect(rejected).toMatchObject({ meshName: 'shop', problems: [{ arn: meshArn }] });
      expect(rejected.reason).toMatch(/^internal error: generation \d+ could not be compiled/);
      expect(rejected.reason).not.toContain('stubbed');
    } finally {
      faults.translatorMeshArn = undefined;
    }
    await sleep(1_000);
    expect(bobRejections.payloads).toEqual([]);
  });

  it("refuses, with the query codes, a mesh the tenant does not have (another tenant's included), bad arguments and bad documents", async () => {
    await aliceMesh.send(new CreateMeshCommand({ meshName: 'alice-only' }));
    const bobWatcher = ws(replica, bearer(bob.apiToken.token));
    const codeOf = async (feed: Feed) => {
      const errors = (await feed.failed) as Json[];
      return { code: errors[0]?.extensions?.code, message: errors[0]?.message };
    };
    expect(await codeOf(bobWatcher.subscribe(PROXY_EVENTS, { m: 'alice-only' }))).toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('alice-only'),
    });
    expect(await codeOf(bobWatcher.subscribe(PROPAGATION, { m: 'alice-only' }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await codeOf(bobWatcher.subscribe(REJECTIONS, { m: 'alice-only' }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await codeOf(bobWatcher.subscribe(PROXY_EVENTS, { m: '' }))).toMatchObject({
      code: 'VALIDATION',
      message: expect.stringContaining('meshName'),
    });
    expect(await codeOf(bobWatcher.subscribe('subscription { proxyEvents(meshName: "shop") { nope } }'))).toMatchObject(
      { code: 'GRAPHQL_VALIDATION_FAILED' },
    );
    // The same cost rule as queries: a subscription cannot ask for more than a query could.
    const fields = Array.from({ length: 10_001 }, (_, i) => `a${i}: meshName`).join(' ');
    expect(
      await codeOf(bobWatcher.subscribe(`subscription { meshPropagation(meshName: "shop") { ${fields} } }`)),
    ).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED' });
    // The connection is still usable: refusals end the subscription, not the socket.
    const fine = bobWatcher.subscribe(PROPAGATION, { m: 'shop' });
    expect(data('meshPropagation')(await fine.next())).toMatchObject({ meshName: 'shop' });
  });

  it('caps the subscriptions of one connection', async () => {
    const watcher = ws(replica, bearer(alice.apiToken.token));
    const feeds = Array.from({ length: 25 }, () => watcher.subscribe(PROPAGATION, { m: 'shop' }));
    await Promise.all(feeds.map((f) => f.next()));
    const metrics = String((await call(replica.baseUrl, 'GET', '/metrics')).body);
    expect(Number(/^meshplane_graphql_subscriptions (\d+)/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(25);
    expect(Number(/^meshplane_graphql_subscription_sockets (\d+)/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(1);
    const over = watcher.subscribe(PROPAGATION, { m: 'shop' });
    const errors = (await over.failed) as Json[];
    expect(errors[0]?.extensions?.code).toBe('LIMIT_EXCEEDED');
    // Stopping one frees its place.
    feeds[0]!.stop();
    await sleep(200);
    const again = watcher.subscribe(PROPAGATION, { m: 'shop' });
    expect(data('meshPropagation')(await again.next())).toMatchObject({ meshName: 'shop' });
  });

  it("counts each subscription start against the tenant's rate limit (THROTTLED, with when to retry)", async () => {
    const created = await fleet.admin('POST', '/admin/v1/tenants', {
      name: `free-${randomBytes(4).toString('hex')}`,
      plan: 'free',
    });
    expect(created.status).toBe(201);
    const erin = created.body as CreatedTenant;
    await createShopMesh(appMeshClient(fleet, erin.accessKey));
    const watcher = ws(replica, bearer(erin.apiToken.token));
    await watcher.subscribe(PROPAGATION, { m: 'shop' }).next();
    // The free plan's 50 requests a second, used up on the replica the subscription starts on (a
    // replica spends the slices of the shared budget it leased before asking Redis again: ADR 0025).
    const tenant = await fleet.app
      .get(PrismaService)
      .tenant.findUniqueOrThrow({ where: { accountId: erin.accountId } });
    const limiter = replica.app.get(TenantRateLimiter);
    await Promise.all(Array.from({ length: 60 }, () => limiter.consume(tenant).catch(() => undefined)));
    const errors = (await watcher.subscribe(PROPAGATION, { m: 'shop' }).failed) as Json[];
    expect(errors[0]?.extensions).toMatchObject({ code: 'THROTTLED', retryAfterSeconds: expect.any(Number) });
    expect(errors[0]?.message).toContain('50 API requests per second');
  });

  it('ends the subscriptions of a revoked API token on every replica, and only those', async () => {
    const auth = { authorization: `Bearer ${alice.apiToken.token}` };
    const created = await call(fleet.baseUrl, 'POST', '/v1/api-tokens', auth, { name: 'console' });
    expect(created.status).toBe(201);
    const { id, token } = created.body.apiToken as { id: string; token: string };
    const onReplica = ws(replica, bearer(token));
    const onFleet = ws(fleet, bearer(token));
    const other = ws(replica, bearer(alice.apiToken.token));
    const feeds = [onReplica, onFleet, other].map((c) => c.subscribe(PROPAGATION, { m: 'shop' }));
    await Promise.all(feeds.map((f) => f.next()));

    const revoked = await call(fleet.baseUrl, 'DELETE', `/v1/api-tokens/${id}`, auth);
    expect(revoked.status).toBe(200);
    for (const client of [onReplica, onFleet]) {
      expect(await client.closed).toEqual({ code: 4403, reason: 'The API token has been revoked.' });
    }
    // A new connection with it is refused; the tenant's other token keeps its subscription.
    expect((await ws(replica, bearer(token)).closed).code).toBe(4403);
    await aliceMesh.send(mainRouteUpdate({ api: 1 }, '/v5'));
    await feeds[2]!.next((p) => p['data']?.meshPropagation?.inSync === false);
  });

  it("ends a suspended tenant's subscriptions", async () => {
    const carol = await createTenant(fleet);
    await createShopMesh(appMeshClient(fleet, carol.accessKey));
    const watcher = ws(replica, bearer(carol.apiToken.token));
    await watcher.subscribe(PROPAGATION, { m: 'shop' }).next();
    expect((await fleet.admin('POST', `/admin/v1/tenants/${carol.accountId}/suspend`)).status).toBe(200);
    expect((await watcher.closed).code).toBe(4403);
  });

  it("publishes no proxy event of a tenant nobody watches (a shard's ACK storm costs nothing), but its compiles", async () => {
    const dave = await createTenant(fleet);
    const daveMesh = appMeshClient(fleet, dave.accessKey);
    await createShopMesh(daveMesh);
    const tenantId = (
      await fleet.app.get(PrismaService).tenant.findUniqueOrThrow({ where: { accountId: dave.accountId } })
    ).id;
    // A raw listener of Dave's channel: it sets no interest mark, as an api replica would.
    const redis = fleet.app.get(RedisService);
    const listener = redis.duplicateForBlocking();
    const heard: string[] = [];
    listener.on('message', (_channel: string, message: string) =>
      heard.push(...(parseFleetEventBatch(message)?.events.map((e) => e.type) ?? ['unreadable'])),
    );
    await listener.subscribe(fleetEventsChannel(redis.namespace, tenantId));
    try {
      const scope = await fleet.app.get(TenantsService).scopeOf(dave.accountId);
      const { token } = await fleet.app.get(ProxyTokenService).issue(scope, 'shop', 'virtualNode', 'web');
      const stream = openAds(grpcClient, 'sotw', token);
      streams.push(stream);
      stream.send({ node: { id: 'mesh/shop/virtualNode/web', cluster: 'web', metadata: {} }, type_url: TYPE.cluster });
      const cds = await stream.next(15_000);
      stream.send({ type_url: TYPE.cluster, version_info: cds['version_info'], response_nonce: cds['nonce'] });
      await daveMesh.send(mainRouteUpdate({ api: 1 }, '/quiet'));
      await eventually('the compile announced', 15_000, async () =>
        heard.includes('meshCompiled') ? true : undefined,
      );
      // Two registry flushes later, still only the commit's and the compile's events went out.
      await sleep(2_500);
      expect(heard).toContain('meshChanged');
      expect(heard.filter((type) => type.startsWith('proxy'))).toEqual([]);
      stream.close();
    } finally {
      await listener.quit();
    }
  });
});
