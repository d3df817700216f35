import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConfig } from '../../../test/support/test-config.js';
import { RedisService } from '../../platform/redis/redis.service.js';
import { EndpointRegistry, endpointKeys, type EndpointEntry } from './endpoint-registry.js';

const TTL = 45_000;

/**
 * The endpoint registry on real Redis. Time is passed in, so expiry (a shard that died and stopped
 * heartbeating) is tested without waiting for it.
 */
describe('endpoint registry', () => {
  let redis: RedisService;
  let registry: EndpointRegistry;

  beforeAll(async () => {
    redis = new RedisService(testConfig(['worker']));
    if (redis.client.status !== 'ready') await once(redis.client, 'ready');
    registry = new EndpointRegistry(redis);
  });
  afterAll(async () => {
    await redis?.onApplicationShutdown();
  });

  const mesh = () => ({ tenantId: randomUUID(), meshId: randomUUID() });
  const entry = (
    m: { tenantId: string; meshId: string },
    address: string,
    node = 'b',
    zone?: string,
  ): EndpointEntry => ({
    ...m,
    node,
    sessionId: randomUUID(),
    endpoint: { address, ...(zone ? { zone } : {}) },
  });

  it('reports a change when an address appears or loses its last session, not otherwise', async () => {
    const m = mesh();
    const first = entry(m, '10.0.0.1');
    const second = entry(m, '10.0.0.1');
    expect(await registry.upsert([first], TTL)).toEqual([{ ...m, nodes: ['b'] }]); // the node whose endpoints changed;
    expect(await registry.upsert([second], TTL)).toEqual([]); // same address: nothing new
    expect(await registry.upsert([first, second], TTL)).toEqual([]); // heartbeats
    expect(await registry.read(m, ['b', 'other'])).toEqual({ b: [{ address: '10.0.0.1', port: 0 }] });
    expect(await registry.remove(first)).toEqual({ now: false, later: false }); // the other session is still there
    expect(await registry.remove(second)).toEqual({ now: true, later: false });
    expect(await registry.read(m, ['b'])).toEqual({});
    expect(await redis.client.exists(endpointKeys(redis.namespace).node(m.tenantId, m.meshId, 'b'))).toBe(0);
  });

  it("keeps a closed session's endpoint for the grace, so a proxy that reconnects keeps it", async () => {
    const m = mesh();
    const t0 = Date.now();
    const old = entry(m, '10.0.0.1');
    await registry.upsert([old], TTL, t0);
    expect(await registry.remove(old, 5_000, t0 + 1)).toEqual({ now: false, later: true });
    expect(await registry.read(m, ['b'], t0 + 4_000)).toEqual({ b: [{ address: '10.0.0.1', port: 0 }] });
    // The proxy is back (a new session, same address) within the grace: nothing changes.
    const reconnected = entry(m, '10.0.0.1');
    expect(await registry.upsert([reconnected], TTL, t0 + 500)).toEqual([]);
    expect(await registry.read(m, ['b'], t0 + 6_000)).toEqual({ b: [{ address: '10.0.0.1', port: 0 }] });
    // Without a reconnect, the endpoint is gone when the grace ends.
    expect(await registry.remove(reconnected, 5_000, t0 + 1_000)).toEqual({ now: false, later: true });
    expect(await registry.read(m, ['b'], t0 + 6_001)).toEqual({});
    expect(await registry.purge(m, t0 + 6_001)).toBe(true);
  });

  it('reads one endpoint per address, sorted, with its zone', async () => {
    const m = mesh();
    await registry.upsert(
      [
        entry(m, '10.0.0.9', 'b', 'z2'),
        entry(m, '10.0.0.10'),
        entry(m, '10.0.0.9', 'b', 'z1'),
        entry(m, 'fd00::1', 'c'),
      ],
      TTL,
    );
    expect(await registry.read(m, ['b', 'c'])).toEqual({
      b: [
        { address: '10.0.0.10', port: 0 },
        { address: '10.0.0.9', port: 0, zone: 'z1' },
      ],
      c: [{ address: 'fd00::1', port: 0 }],
    });
  });

  it("expires the entries of a shard that stopped heartbeating, and the sweep's purge reports it", async () => {
    const m = mesh();
    const t0 = Date.now();
    const dead = entry(m, '10.0.0.1');
    const alive = entry(m, '10.0.0.2');
    await registry.upsert([dead, alive], TTL, t0);
    await registry.upsert([alive], TTL, t0 + 30_000); // only one shard still heartbeats
    const later = t0 + TTL + 1_000;
    expect(await registry.read(m, ['b'], later)).toEqual({ b: [{ address: '10.0.0.2', port: 0 }] });
    expect(await registry.purge(m, later)).toBe(true);
    expect(await registry.purge(m, later)).toBe(false);
    // The dead shard comes back and heartbeats again: its address reappears, which is a change.
    expect(await registry.upsert([dead], TTL, later)).toEqual([{ ...m, nodes: ['b'] }]);
    expect(await registry.read(m, ['b'], later)).toEqual({
      b: [
        { address: '10.0.0.1', port: 0 },
        { address: '10.0.0.2', port: 0 },
      ],
    });
  });

  it("reports an expired entry's disappearance to whichever write finds it first", async () => {
    const m = mesh();
    const t0 = Date.now();
    await registry.upsert([entry(m, '10.0.0.1')], TTL, t0);
    expect(await registry.upsert([entry(m, '10.0.0.2')], TTL, t0 + TTL + 1)).toEqual([{ ...m, nodes: ['b'] }]);
    expect(await registry.purge(m, t0 + TTL + 2)).toBe(false);
  });

  it('keeps tenants apart even with the same mesh id and node name', async () => {
    const meshId = randomUUID();
    const alice = { tenantId: randomUUID(), meshId };
    const bob = { tenantId: randomUUID(), meshId };
    await registry.upsert([entry(alice, '10.1.1.1')], TTL);
    expect(await registry.read(bob, ['b'])).toEqual({});
    expect(await registry.read(alice, ['b'])).toEqual({ b: [{ address: '10.1.1.1', port: 0 }] });
  });

  it('keeps a work list of meshes for the sweep, and a dirty set', async () => {
    const m = mesh();
    const now = Date.now();
    await registry.upsert([entry(m, '10.0.0.1')], TTL, now);
    expect(await registry.meshes()).toContainEqual({ ...m, seenAt: now });
    await registry.markDirty(m);
    expect(await registry.dirty()).toContainEqual(m);
    expect(await registry.takeDirty(m)).toBe('all');
    expect(await registry.dirty()).not.toContainEqual(m);
    // Marks naming nodes accumulate until the next update takes them; one without nodes means all.
    await registry.markDirty(m, ['a']);
    await registry.markDirty(m, ['b', 'a']);
    expect(await registry.dirty()).toContainEqual(m);
    expect(await registry.takeDirty(m)).toEqual(new Set(['a', 'b']));
    // Nothing recorded: an earlier update took the marks (it applied this job's change already).
    expect(await registry.takeDirty(m)).toEqual(new Set());
    await registry.markDirty(m, ['a']);
    await registry.markDirty(m);
    expect(await registry.takeDirty(m)).toBe('all');
    await registry.forget(m, now); // written at `now`: not before the cutoff, kept
    expect((await registry.meshes()).some((x) => x.meshId === m.meshId)).toBe(true);
    await registry.forget(m, now + 1);
    expect((await registry.meshes()).some((x) => x.meshId === m.meshId)).toBe(false);
  });
});
