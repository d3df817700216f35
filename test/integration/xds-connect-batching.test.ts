import * as grpc from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaService } from '../../src/platform/prisma/prisma.service.js';
import { SessionMeter } from '../../src/billing/metering/session-meter.js';
import { TenantsService, type CreatedTenant } from '../../src/tenants/tenants.service.js';
import { newProxyToken } from '../../src/xds-fleet/identity/proxy-token-format.js';
import { ProxyTokensRepository } from '../../src/xds-fleet/identity/proxy-tokens.repository.js';
import { ProxyTokenService } from '../../src/xds-fleet/identity/proxy-tokens.service.js';
import { XdsGrpcServer } from '../../src/xds-fleet/server/xds-grpc-server.service.js';
import { SessionRegistry, type SessionRecord } from '../../src/xds-fleet/sessions/session-registry.js';
import { TYPE } from '../../src/xds-fleet/translator/envoy-types.js';
import { adsClient, openAds, type AdsStream } from '../support/ads-client.js';
import { eventually } from '../support/eventually.js';
import { createShopMesh } from '../support/mesh-fixture.js';
import { appMeshClient, createTenant } from '../support/tenant-builder.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * A fleet connecting at once (ADR 0028): the proxy tokens of streams that arrive together are read
 * in one query, their last-used stamps written together later, and their sessions admitted and
 * removed in one Redis round trip per batch. Each stream must still be decided on its own, a
 * revocation that lands while its batch is read must still refuse it, and every session of a
 * batch must be recorded, metered and ended.
 */
describe('streams that connect together are decided, recorded and ended each on its own', () => {
  let app: TestApp;
  let client: grpc.Client;
  let alice: CreatedTenant;
  let bob: CreatedTenant;
  let carol: CreatedTenant; // suspended
  const streams: AdsStream[] = [];
  const tenantIds = new Map<string, string>();
  let tokenFor: (tenant: CreatedTenant, name: string) => Promise<{ token: string; tokenId: string }>;

  const open = (token: string, name = 'web') => {
    const stream = openAds(client, 'sotw', token);
    streams.push(stream);
    stream.send({ node: { id: `mesh/shop/virtualNode/${name}`, cluster: name }, type_url: TYPE.cluster });
    return stream;
  };
  /** Served (its first response arrived) or ended, with its status. */
  const outcome = async (stream: AdsStream): Promise<'served' | grpc.status> => {
    const ended = stream.status.then((s) => s.code);
    const served = stream.next(15_000).then(
      () => 'served' as const,
      () => ended,
    );
    return Promise.race([served, ended]);
  };
  const sessions = (tenant: CreatedTenant) => app.app.get(SessionRegistry).list(tenantIds.get(tenant.accountId)!);

  beforeAll(async () => {
    app = await startTestApp(['api', 'worker', 'xds'], {
      RECONCILE_DEBOUNCE_MS: '10',
      METERING_FLUSH_INTERVAL_MS: '100',
      METERING_HEARTBEAT_MS: '200',
    });
    [alice, bob, carol] = await Promise.all([createTenant(app), createTenant(app), createTenant(app)]);
    await Promise.all([alice, bob, carol].map((t) => createShopMesh(appMeshClient(app, t.accessKey))));
    const tenants = app.app.get(TenantsService);
    const tokens = app.app.get(ProxyTokenService);
    tokenFor = async (tenant, name) => {
      const scope = await tenants.scopeOf(tenant.accountId);
      tenantIds.set(tenant.accountId, scope.tenantId);
      return tokens.issue(scope, 'shop', 'virtualNode', name);
    };
    client = adsClient(app.app.get(XdsGrpcServer).port!);
  });

  afterAll(async () => {
    for (const s of streams) s.close();
    client?.close();
    await app?.close();
  });

  it('decides a mix of valid, revoked, unknown, malformed and suspended tokens arriving together, each correctly', async () => {
    const valid = await Promise.all([
      ...Array.from({ length: 6 }, () => tokenFor(alice, 'web')),
      ...Array.from({ length: 6 }, () => tokenFor(bob, 'web')),
    ]);
    const revoked = await Promise.all(Array.from({ length: 4 }, () => tokenFor(alice, 'web')));
    const scope = await app.app.get(TenantsService).scopeOf(alice.accountId);
    for (const r of revoked) await app.app.get(ProxyTokenService).revoke(scope, r.tokenId);
    const suspended = await Promise.all(Array.from({ length: 3 }, () => tokenFor(carol, 'web')));
    expect((await app.admin('POST', `/admin/v1/tenants/${carol.accountId}/suspend`)).status).toBe(200);
    // One token of bob's presented for a node it is not for: authenticated, then refused by node.id.
    const wrongNode = await tokenFor(bob, 'web');

    // All opened in the same turn, interleaved, and the same valid token twice.
    const cases: { stream: AdsStream; want: 'served' | grpc.status; what: string }[] = [];
    const add = (token: string, want: 'served' | grpc.status, what: string, name = 'web') =>
      cases.push({ stream: open(token, name), want, what });
    for (let i = 0; i < 6; i++) {
      add(valid[i]!.token, 'served', `alice valid ${i}`);
      add(valid[6 + i]!.token, 'served', `bob valid ${i}`);
      if (i < 4) add(revoked[i]!.token, grpc.status.UNAUTHENTICATED, `revoked ${i}`);
      if (i < 3) add(suspended[i]!.token, grpc.status.PERMISSION_DENIED, `suspended ${i}`);
      add(newProxyToken(), grpc.status.UNAUTHENTICATED, `unknown ${i}`);
    }
    add('not-a-token', grpc.status.UNAUTHENTICATED, 'malformed');
    add(valid[0]!.token, 'served', 'alice valid 0 again');
    add(wrongNode.token, grpc.status.PERMISSION_DENIED, "bob's token for another node", 'api');

    const outcomes = await Promise.all(cases.map((c) => outcome(c.stream)));
    expect(Object.fromEntries(cases.map((c, i) => [c.what, outcomes[i]]))).toEqual(
      Object.fromEntries(cases.map((c) => [c.what, c.want])),
    );
    // Each served stream is a session of its own tenant, and of no other.
    expect((await sessions(alice)).length).toBe(7);
    expect((await sessions(bob)).length).toBe(6);
    expect((await sessions(carol)).length).toBe(0);
  });

  it('refuses a stream whose token is revoked while its batch is being read', async () => {
    const doomed = await tokenFor(alice, 'web');
    const kept = await tokenFor(alice, 'web');
    const scope = await app.app.get(TenantsService).scopeOf(alice.accountId);
    // Seam: hold the batch's query result until the revocation's notice has been delivered, so
    // the row read says "valid" although the token is gone by the time the stream would start.
    const repo = app.app.get(ProxyTokensRepository);
    const read = repo.findForVerification.bind(repo);
    let gate!: () => void;
    const held = new Promise<void>((resolve) => (gate = resolve));
    let reading!: () => void;
    const started = new Promise<void>((resolve) => (reading = resolve));
    repo.findForVerification = async (hashes) => {
      const rows = await read(hashes);
      reading();
      await held;
      return rows;
    };
    try {
      const streamsOf = [open(doomed.token), open(kept.token), open(doomed.token)];
      await started;
      await app.app.get(ProxyTokenService).revoke(scope, doomed.tokenId);
      gate();
      expect(await Promise.all(streamsOf.map(outcome))).toEqual([
        grpc.status.UNAUTHENTICATED,
        'served',
        grpc.status.UNAUTHENTICATED,
      ]);
    } finally {
      repo.findForVerification = read;
      gate();
    }
  });

  it('stamps the last use of every token of a batch, eventually', async () => {
    const tokens = await Promise.all(Array.from({ length: 8 }, () => tokenFor(bob, 'web')));
    const prisma = app.app.get(PrismaService);
    const ids = tokens.map((t) => t.tokenId);
    expect(await prisma.proxyToken.count({ where: { id: { in: ids }, lastUsedAt: { not: null } } })).toBe(0);
    const before = Date.now();
    const opened = tokens.map((t) => open(t.token));
    expect(await Promise.all(opened.map(outcome))).toEqual(tokens.map(() => 'served'));
    const stamped = await eventually('every last use stamped', 10_000, async () => {
      const rows = await prisma.proxyToken.findMany({ where: { id: { in: ids }, lastUsedAt: { not: null } } });
      return rows.length === ids.length ? rows : undefined;
    });
    // Stamped with the time of the batched write: after the streams opened, to the second or so.
    for (const row of stamped) expect(row.lastUsedAt!.getTime()).toBeGreaterThanOrEqual(before - 1_000);
  });

  it('records, meters and ends every session of a batch', async () => {
    const tokens = await Promise.all(Array.from({ length: 12 }, () => tokenFor(bob, 'api')));
    const before = new Set((await sessions(bob)).map((s) => s.sessionId));
    const opened = tokens.map((t) => open(t.token, 'api'));
    expect(await Promise.all(opened.map(outcome))).toEqual(tokens.map(() => 'served'));
    const added = (await sessions(bob)).filter((s) => !before.has(s.sessionId));
    expect(added.map((s) => s.name)).toEqual(tokens.map(() => 'api'));
    expect(new Set(added.map((s) => s.sessionId)).size).toBe(12);

    const prisma = app.app.get(PrismaService);
    const ids = added.map((s) => s.sessionId);
    await app.app.get(SessionMeter).flush();
    expect(await prisma.meteredSession.count({ where: { id: { in: ids }, closedAt: null } })).toBe(12);

    for (const s of opened) s.close();
    await eventually('every session of the batch removed', 10_000, async () => {
      const left = (await sessions(bob)).filter((s) => ids.includes(s.sessionId));
      return left.length === 0 ? true : undefined;
    });
    await eventually('every session end metered', 10_000, async () =>
      (await prisma.meteredSession.count({ where: { id: { in: ids }, closedAt: { not: null } } })) === 12
        ? true
        : undefined,
    );
  });

  it('admits exactly up to the quota when one identity asks for more sessions than it has left, in one batch', async () => {
    const registry = app.app.get(SessionRegistry);
    const tenantId = tenantIds.get(alice.accountId)!;
    const name = `batch-${randomUUID()}`;
    const record = (): SessionRecord => ({
      sessionId: randomUUID(),
      tenantId,
      shard: 'test',
      meshId: randomUUID(),
      meshName: 'shop',
      kind: 'virtualNode',
      name,
      nodeId: `mesh/shop/virtualNode/${name}`,
      cluster: name,
      metadata: {},
      userAgent: 'test/1',
      protocol: 'sotw',
      peer: 'ipv4:127.0.0.1:1',
      connectedAt: new Date().toISOString(),
      acked: {},
    });
    const meshId = randomUUID();
    const records = Array.from({ length: 7 }, () => ({ ...record(), meshId }));
    // Asked for in the same turn: one batch.
    const admitted = await Promise.all(records.map((r) => registry.admit(r, tenantId, 3)));
    expect(admitted.filter(Boolean).length).toBe(3);
    const listed = new Set((await registry.list(tenantId, meshId)).map((r) => r.sessionId));
    expect(records.filter((_, i) => admitted[i]).every((r) => listed.has(r.sessionId))).toBe(true);
    expect(listed.size).toBe(3);
    // Admitting an admitted session again is idempotent, even at the limit.
    const first = records[admitted.indexOf(true)]!;
    expect(await registry.admit(first, tenantId, 3)).toBe(true);
    // Their ends, together, free the quota.
    await Promise.all(records.filter((_, i) => admitted[i]).map((r) => registry.remove(tenantId, r)));
    expect(await registry.list(tenantId, meshId)).toEqual([]);
    expect(await Promise.all(records.slice(0, 3).map((r) => registry.admit(r, tenantId, 3)))).toEqual([
      true,
      true,
      true,
    ]);
    await Promise.all(records.slice(0, 3).map((r) => registry.remove(tenantId, r)));
  });
});
