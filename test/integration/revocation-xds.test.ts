import {
  CreateMeshCommand,
  CreateVirtualNodeCommand,
  DeleteMeshCommand,
  DeleteVirtualNodeCommand,
} from '@aws-sdk/client-app-mesh';
import * as grpc from '@grpc/grpc-js';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaService } from '../../src/platform/prisma/prisma.service.js';
import { RedisService } from '../../src/platform/redis/redis.service.js';
import { TenantsService, type CreatedTenant } from '../../src/tenants/tenants.service.js';
import { revocationsChannel } from '../../src/tenants/revocation/revocation-notice.js';
import { ProxyTokenService } from '../../src/xds-fleet/identity/proxy-tokens.service.js';
import { XdsGrpcServer } from '../../src/xds-fleet/server/xds-grpc-server.service.js';
import { SessionRegistry } from '../../src/xds-fleet/sessions/session-registry.js';
import { TYPE } from '../../src/xds-fleet/translator/envoy-types.js';
import { adsClient, openAds, type AdsStream } from '../support/ads-client.js';
import { eventually } from '../support/eventually.js';
import { spawnNode } from '../support/processes.js';
import { testEnv } from '../support/test-config.js';
import { createShopMesh } from '../support/mesh-fixture.js';
import { appMeshClient, createTenant } from '../support/tenant-builder.js';
import { call, startTestApp, type TestApp } from '../support/test-app.js';

/** The bound the design states for ending open streams after a revocation (docs/adr/0013). */
const BOUND_MS = 2_000;

/** The stream's status if it ends within `ms`, else `undefined` (still open). */
async function endsWithin(stream: AdsStream, ms: number): Promise<grpc.StatusObject | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const open = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  try {
    return await Promise.race([stream.status, open]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Revocation reaches every shard at once: two xds shards (two app instances on the same Redis and
 * database) serve real ADS streams; revoking a proxy token through /v1, suspending or deleting a
 * tenant through /admin/v1, and deleting a mesh end those streams on both shards within the bound
 * with a clear status, refuse new ones at once, clean up their session records, and leave other
 * tenants' streams open. A shard that missed a notice (its subscription cut) catches up when it
 * subscribes again.
 */
describe('revocation ends xDS streams on every shard', () => {
  let a: TestApp; // api, worker and xds shard A
  let b: TestApp; // xds shard B only
  let shards: { name: string; client: grpc.Client }[];
  let alice: CreatedTenant;
  let bob: CreatedTenant;
  const streams: AdsStream[] = [];
  let installation: NodeJS.ProcessEnv;
  let tokenFor: (tenant: CreatedTenant, name: string, mesh?: string) => Promise<{ token: string; tokenId: string }>;

  const node = (name: string, mesh = 'shop') => ({ id: `mesh/${mesh}/virtualNode/${name}`, cluster: name });
  /** Opens a stream as `name` and waits for its first response: it is then a session on that shard. */
  const serve = async (
    client: grpc.Client,
    token: string,
    name = 'web',
    mesh = 'shop',
    protocol: 'sotw' | 'delta' = 'sotw',
  ) => {
    const stream = openAds(client, protocol, token);
    streams.push(stream);
    stream.send({ node: node(name, mesh), type_url: TYPE.cluster });
    await stream.next(15_000);
    return stream;
  };
  /** A new stream's refusal: its status, which must come at once. */
  const refusal = async (client: grpc.Client, token: string, name = 'web', mesh = 'shop') => {
    const stream = openAds(client, 'sotw', token);
    streams.push(stream);
    stream.send({ node: node(name, mesh), type_url: TYPE.cluster });
    const status = await endsWithin(stream, BOUND_MS);
    expect(status, 'a new stream with a revoked credential must be refused at once').toBeDefined();
    return status!;
  };
  const sessions = (tenant: CreatedTenant) =>
    a.app
      .get(SessionRegistry)
      .list(tenantIdOf(tenant))
      .then((records) => records.map((r) => r.sessionId));
  const tenantIds = new Map<string, string>();
  const tenantIdOf = (tenant: CreatedTenant) => tenantIds.get(tenant.accountId)!;

  beforeAll(async () => {
    // An installation of its own (QUEUE_PREFIX): the subscriptions cut below are only these two shards'.
    installation = { QUEUE_PREFIX: `revocation-${randomBytes(4).toString('hex')}` };
    a = await startTestApp(['api', 'worker', 'xds'], {
      ...installation,
      RECONCILE_DEBOUNCE_MS: '10',
      XDS_SHARD_ID: 'a',
    });
    b = await startTestApp(['xds'], { ...installation, XDS_SHARD_ID: 'b' });
    shards = [
      { name: 'A', client: adsClient(a.app.get(XdsGrpcServer).port!) },
      { name: 'B', client: adsClient(b.app.get(XdsGrpcServer).port!) },
    ];
    [alice, bob] = await Promise.all([createTenant(a), createTenant(a)]);
    await Promise.all([alice, bob].map((t) => createShopMesh(appMeshClient(a, t.accessKey))));
    const tenants = a.app.get(TenantsService);
    const tokens = a.app.get(ProxyTokenService);
    tokenFor = async (tenant, name, mesh = 'shop') => {
      const scope = await tenants.scopeOf(tenant.accountId);
      tenantIds.set(tenant.accountId, scope.tenantId);
      return tokens.issue(scope, mesh, 'virtualNode', name);
    };
  });

  afterAll(async () => {
    for (const s of streams) s.close();
    for (const s of shards ?? []) s.client.close();
    await b?.close();
    await a?.close();
  });

  it('ends the streams of a token revoked through /v1 on both shards, refuses it at once, and keeps its sibling', async () => {
    const revoked = await tokenFor(alice, 'web');
    const sibling = await tokenFor(alice, 'web');
    const open = [];
    // State of the world on shard A, Delta on shard B: both end the same way.
    open.push(await serve(shards[0]!.client, revoked.token));
    open.push(await serve(shards[1]!.client, revoked.token, 'web', 'shop', 'delta'));
    const kept = await serve(shards[1]!.client, sibling.token);
    const before = await sessions(alice);
    expect(before.length).toBeGreaterThanOrEqual(3);

    const res = await call(a.baseUrl, 'DELETE', `/v1/meshes/shop/proxyTokens/${revoked.tokenId}`, {
      authorization: `Bearer ${alice.apiToken.token}`,
    });
    expect(res.status).toBe(200);

    for (const [i, stream] of open.entries()) {
      const status = await endsWithin(stream, BOUND_MS);
      expect(status?.code, `shard ${shards[i]!.name}`).toBe(grpc.status.UNAUTHENTICATED);
      expect(status?.details).toContain(`proxy token ${revoked.tokenId} was revoked`);
    }
    for (const shard of shards) {
      const status = await refusal(shard.client, revoked.token);
      expect(status.code, `shard ${shard.name}`).toBe(grpc.status.UNAUTHENTICATED);
    }
    expect(await endsWithin(kept, 200)).toBeUndefined();
    // The ended streams left the session registry, as any stream end does; the sibling's stayed.
    await eventually('session records removed', BOUND_MS, async () =>
      (await sessions(alice)).length === 1 ? true : undefined,
    );
  });

  it("ends a suspended tenant's streams on both shards with PERMISSION_DENIED, and no other tenant's", async () => {
    const token = (await tokenFor(alice, 'web')).token;
    const bobs = (await tokenFor(bob, 'web')).token;
    const open = [];
    const others = [];
    for (const shard of shards) {
      open.push(
        await serve(shard.client, token),
        await serve(shard.client, (await tokenFor(alice, 'api')).token, 'api'),
      );
      others.push(await serve(shard.client, bobs));
    }

    const res = await a.admin('POST', `/admin/v1/tenants/${alice.accountId}/suspend`);
    expect(res.status).toBe(200);

    for (const stream of open) {
      const status = await endsWithin(stream, BOUND_MS);
      expect(status?.code).toBe(grpc.status.PERMISSION_DENIED);
      expect(status?.details).toBe(`account ${alice.accountId} is suspended; contact the platform operator`);
    }
    for (const shard of shards) {
      const status = await refusal(shard.client, token);
      expect(status.code, `shard ${shard.name}`).toBe(grpc.status.PERMISSION_DENIED);
    }
    for (const stream of others) expect(await endsWithin(stream, 100)).toBeUndefined();
    await eventually('session records removed', BOUND_MS, async () =>
      (await sessions(alice)).length === 0 ? true : undefined,
    );
    expect((await sessions(bob)).length).toBe(2);

    // Resuming needs no notice: refusals are never cached.
    expect((await a.admin('POST', `/admin/v1/tenants/${alice.accountId}/resume`)).status).toBe(200);
    for (const shard of shards) await serve(shard.client, token);
  });

  it('ends the streams of a tenant suspended through the operator CLI (a process of its own) too', async () => {
    const dave = await createTenant(a);
    await createShopMesh(appMeshClient(a, dave.accessKey));
    const token = (await tokenFor(dave, 'web')).token;
    const open = [];
    for (const shard of shards) open.push(await serve(shard.client, token));

    const cli = spawnNode('dist/cli.js', ['tenant', 'suspend', dave.accountId], testEnv(installation));
    expect(await cli.exited, cli.output()).toBe(0);

    for (const stream of open) expect((await endsWithin(stream, BOUND_MS))?.code).toBe(grpc.status.PERMISSION_DENIED);
  });

  it("ends a deleted tenant's streams on both shards with UNAUTHENTICATED, and no other tenant's", async () => {
    const carol = await createTenant(a);
    await createShopMesh(appMeshClient(a, carol.accessKey));
    const token = (await tokenFor(carol, 'web')).token;
    const open = [];
    for (const shard of shards) open.push(await serve(shard.client, token));
    const others = [await serve(shards[0]!.client, (await tokenFor(bob, 'web')).token)];

    expect((await a.admin('DELETE', `/admin/v1/tenants/${carol.accountId}`)).status).toBe(204);

    for (const stream of open) {
      const status = await endsWithin(stream, BOUND_MS);
      expect(status?.code).toBe(grpc.status.UNAUTHENTICATED);
      expect(status?.details).toBe(`account ${carol.accountId} was deleted`);
    }
    for (const shard of shards) expect((await refusal(shard.client, token)).code).toBe(grpc.status.UNAUTHENTICATED);
    for (const stream of others) expect(await endsWithin(stream, 100)).toBeUndefined();
    await eventually('session records removed', BOUND_MS, async () =>
      (await sessions(carol)).length === 0 ? true : undefined,
    );
  });

  it('ends the streams of a deleted mesh (its tokens went with it) once its deletion is compiled', async () => {
    const mesh = appMeshClient(a, bob.accessKey);
    await mesh.send(new CreateMeshCommand({ meshName: 'solo' }));
    await mesh.send(
      new CreateVirtualNodeCommand({
        meshName: 'solo',
        virtualNodeName: 'one',
        spec: {
          listeners: [{ portMapping: { port: 80, protocol: 'http' } }],
          serviceDiscovery: { dns: { hostname: 'one.local' } },
        },
      }),
    );
    const token = (await tokenFor(bob, 'one', 'solo')).token;
    const open = [];
    for (const shard of shards) open.push(await serve(shard.client, token, 'one', 'solo'));
    const kept = await serve(shards[1]!.client, (await tokenFor(bob, 'web')).token);

    // A deleted virtual node keeps its tokens (they name it by name); deleting the mesh does not.
    await mesh.send(new DeleteVirtualNodeCommand({ meshName: 'solo', virtualNodeName: 'one' }));
    expect(await endsWithin(open[0]!, 300)).toBeUndefined();
    await mesh.send(new DeleteMeshCommand({ meshName: 'solo' }));

    for (const stream of open) {
      const status = await endsWithin(stream, 5_000);
      expect(status?.code).toBe(grpc.status.UNAUTHENTICATED);
      expect(status?.details).toContain('is no longer valid');
    }
    expect(await endsWithin(kept, 100)).toBeUndefined();
  });

  it('catches up with a notice it missed when its subscription comes back', async () => {
    const { token, tokenId } = await tokenFor(bob, 'web');
    const open = [];
    for (const shard of shards) open.push(await serve(shard.client, token));
    // Revoked behind the shards' backs: no notice is published, as when one is lost.
    await a.app.get(PrismaService).proxyToken.delete({ where: { id: tokenId } });
    expect(await endsWithin(open[0]!, 300)).toBeUndefined();

    // Cut both shards' revocation subscriptions (CLIENT KILL, as a Redis failover would).
    const redis = new Redis(process.env['REDIS_URL']!);
    try {
      const name = revocationsChannel(a.app.get(RedisService).namespace);
      const ids = ((await redis.client('LIST')) as string)
        .split('\n')
        .filter((line) => line.includes(` name=${name} `))
        .map((line) => /^id=(\d+)/.exec(line)?.[1])
        .filter((id): id is string => id !== undefined);
      expect(ids.length).toBe(2);
      for (const id of ids) await redis.client('KILL', 'ID', id);
    } finally {
      redis.disconnect();
    }

    for (const stream of open) {
      const status = await endsWithin(stream, 5_000);
      expect(status?.code).toBe(grpc.status.UNAUTHENTICATED);
    }
    for (const shard of shards) expect((await refusal(shard.client, token)).code).toBe(grpc.status.UNAUTHENTICATED);
  });

  it("treats a notice it cannot read (another version's) as missed, and catches up", async () => {
    const { token, tokenId } = await tokenFor(bob, 'web');
    const open = [];
    for (const shard of shards) open.push(await serve(shard.client, token));
    await a.app.get(PrismaService).proxyToken.delete({ where: { id: tokenId } });
    expect(await endsWithin(open[1]!, 300)).toBeUndefined();

    const channel = revocationsChannel(a.app.get(RedisService).namespace);
    await a.app.get(RedisService).client.publish(channel, JSON.stringify({ kind: 'accessKey', version: 2 }));

    for (const stream of open) expect((await endsWithin(stream, BOUND_MS))?.code).toBe(grpc.status.UNAUTHENTICATED);
  });
});
