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

  it('as a throttle, waits only until one debounce after the last job started', async () => {
    const window = new DebounceWindow(() => redis.client, prefix, MINUTE, MINUTE, true);
    const id = randomUUID();
    expect(await window.delayFor(id)).toBe(0);
    // The job started a while ago (as its start would record it): the next change waits the rest.
    await redis.client.set(`${prefix}:last-start:${id}`, String(Date.now() - (3 * MINUTE) / 4), 'PX', 2 * MINUTE);
    await redis.client.del(`${prefix}:first-pending:${id}`);
    const rest = await window.delayFor(id);
    expect(rest).toBeGreaterThan(0);
    expect(rest).toBeLessThanOrEqual(MINUTE / 4);
    // A change joining that window runs with it, no later.
    expect(await window.delayFor(id)).toBeLessThanOrEqual(rest);
    // Without the throttle, the same change would wait a whole debounce.
    const debounced = randomUUID();
    await redis.client.set(
      `${prefix}:last-start:${debounced}`,
      String(Date.now() - (3 * MINUTE) / 4),
      'PX',
      2 * MINUTE,
    );
    expect(await windowOf(MINUTE, MINUTE).delayFor(debounced)).toBeGreaterThan(MINUTE / 2);
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
