import { describe, expect, it } from 'vitest';
import type { ProxyIdentity } from '../../xds-fleet/identity/proxy-identity.js';
import { RevocableCache } from './revocable-cache.js';

const identity = (tenantId: string, tokenId: string): ProxyIdentity => ({
  tenantId,
  accountId: '123456789012',
  meshId: 'mesh-1',
  meshName: 'shop',
  kind: 'virtualNode',
  name: 'web',
  tokenId,
});

describe('RevocableCache', () => {
  it('returns an entry until its time to live has passed', () => {
    const cache = new RevocableCache<ProxyIdentity>(1_000, 10);
    cache.set('a', identity('t1', 'k1'), cache.generation, 0);
    expect(cache.get('a', 999)?.tokenId).toBe('k1');
    expect(cache.get('a', 1_000)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('evicts the identities that match, and only those', () => {
    const cache = new RevocableCache<ProxyIdentity>(1_000, 10);
    cache.set('a', identity('t1', 'k1'), cache.generation, 0);
    cache.set('b', identity('t1', 'k2'), cache.generation, 0);
    cache.set('c', identity('t2', 'k3'), cache.generation, 0);
    cache.evict((i) => i.tokenId === 'k1');
    expect(cache.get('a', 1)).toBeUndefined();
    expect(cache.get('b', 1)?.tokenId).toBe('k2');
    cache.evict((i) => i.tenantId === 't1');
    expect(cache.get('b', 1)).toBeUndefined();
    expect(cache.get('c', 1)?.tokenId).toBe('k3');
    cache.clear();
    expect(cache.get('c', 1)).toBeUndefined();
  });

  it('does not store a lookup that started before an invalidation (it may predate the revocation)', () => {
    const cache = new RevocableCache<ProxyIdentity>(1_000, 10);
    const started = cache.generation;
    cache.evict((i) => i.tokenId === 'unrelated');
    cache.set('a', identity('t1', 'k1'), started, 0);
    expect(cache.get('a', 1)).toBeUndefined();
    const afterClear = cache.generation;
    cache.clear();
    cache.set('a', identity('t1', 'k1'), afterClear, 0);
    expect(cache.get('a', 1)).toBeUndefined();
    cache.set('a', identity('t1', 'k1'), cache.generation, 0);
    expect(cache.get('a', 1)?.tokenId).toBe('k1');
  });

  it('drops the oldest entry when full', () => {
    const cache = new RevocableCache<ProxyIdentity>(1_000, 2);
    cache.set('a', identity('t1', 'k1'), cache.generation, 0);
    cache.set('b', identity('t1', 'k2'), cache.generation, 0);
    cache.set('c', identity('t1', 'k3'), cache.generation, 0);
    expect(cache.size).toBe(2);
    expect(cache.get('a', 1)).toBeUndefined();
    expect(cache.get('c', 1)?.tokenId).toBe('k3');
  });
});
