import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConfig } from '../../../test/support/test-config.js';
import { RedisService } from '../redis/redis.service.js';
import { DebounceWindow } from './debounce-window.js';

const MINUTE = 60_000;

/**
 * The leading-edge debounce on real Redis. The debounce is a minute, so the delays asserted are
 * far from any boundary the test's own running time could cross.
 */
describe('debounce window', () => {
  let redis: RedisService;
  const prefix = `test-debounce-${randomUUID()}`;

  beforeAll(async () => {
    redis = new RedisService(testConfig(['worker']));
    if (redis.client.status !== 'ready') await once(redis.client, 'ready');
  });
  afterAll(async () => {
    const keys = await redis.client.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.client.del(...keys);
    await redis?.onApplicationShutdown();
  });

  const windowOf = (debounce: number, maxDelay: number) =>
    new DebounceWindow(() => redis.client, prefix, debounce, maxDelay);

  it('runs an isolated change at once, and debounces the changes soon after a job started', async () => {
    const window = windowOf(MINUTE, MINUTE);
    const id = randomUUID();
    expect(await window.delayFor(id)).toBe(0);
    // Before the job starts, a change joins the open window (its job is already due at once).
    const joined = await window.delayFor(id);
    expect(joined).toBeGreaterThan(MINUTE / 2);
    expect(joined).toBeLessThanOrEqual(MINUTE);
    await window.starting(id);
    // A burst: the change after the job started waits for the debounce, and so do the ones it gathers.
    const afterStart = await window.delayFor(id);
    expect(afterStart).toBeGreaterThan(MINUTE / 2);
    expect(afterStart).toBeLessThanOrEqual(MINUTE);
    expect(await window.delayFor(id)).toBeLessThanOrEqual(afterStart);
    // Another subject is quiet: its change runs at once.
    expect(await window.delayFor(randomUUID())).toBe(0);
  });

  it('never waits with a debounce of 0', async () => {
    const window = windowOf(0, 0);
    const id = randomUUID();
    expect(await window.delayFor(id)).toBe(0);
    await window.starting(id);
    expect(await window.delayFor(id)).toBe(0);
  });

  it('caps the debounce at the maximum delay', async () => {
    const window = windowOf(MINUTE, MINUTE / 4);
    const id = randomUUID();
    await window.starting(id);
    const delay = await window.delayFor(id);
    expect(delay).toBeGreaterThan(0);
    expect(delay).toBeLessThanOrEqual(MINUTE / 4);
  });
});
