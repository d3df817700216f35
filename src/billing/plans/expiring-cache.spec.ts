import { describe, expect, it } from 'vitest';
import { ExpiringCache } from './expiring-cache.js';

/** A load the test resolves by hand, counting how many were started. */
function loads() {
  const started: ((value: string) => void)[] = [];
  const load = () => new Promise<string>((resolve) => started.push(resolve));
  return { started, load };
}

describe('ExpiringCache.getOrLoad', () => {
  it('shares one load among the callers that miss while it runs, then serves it from the cache', async () => {
    const cache = new ExpiringCache<string>(60_000, 10);
    const { started, load } = loads();
    const a = cache.getOrLoad('k', load);
    const b = cache.getOrLoad('k', load);
    expect(started.length).toBe(1);
    started[0]!('v1');
    expect(await Promise.all([a, b])).toEqual(['v1', 'v1']);
    expect(await cache.getOrLoad('k', load)).toBe('v1');
    expect(started.length).toBe(1);
  });

  it('starts a load of its own for a caller after an invalidation, and stores only that one', async () => {
    const cache = new ExpiringCache<string>(60_000, 10);
    const { started, load } = loads();
    const before = cache.getOrLoad('k', load);
    cache.delete('k'); // e.g. a plan change announced while the first load read the database
    const after = cache.getOrLoad('k', load);
    expect(started.length).toBe(2);
    started[1]!('new');
    started[0]!('old');
    expect(await before).toBe('old');
    expect(await after).toBe('new');
    expect(cache.get('k', Date.now())).toBe('new');
  });

  it('does not store what `keep` refuses, and loads again next time', async () => {
    const cache = new ExpiringCache<string>(60_000, 10);
    const { started, load } = loads();
    const first = cache.getOrLoad('k', load, (v) => v !== '');
    started[0]!('');
    expect(await first).toBe('');
    const second = cache.getOrLoad('k', load, (v) => v !== '');
    expect(started.length).toBe(2);
    started[1]!('v');
    expect(await second).toBe('v');
  });
});
