import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConfig } from '../../../test/support/test-config.js';
import type { PlansService } from '../../billing/plans/plans.service.js';
import type { Tenant } from '../../generated/prisma/client.js';
import { RedisService } from '../../platform/redis/redis.service.js';
import { LeasedBudget, leaseSize } from './leased-budget.js';
import { redisLeaseCounter, TenantRateLimiter } from './tenant-rate-limiter.js';

/**
 * The plan in force, as PlansService answers it (src/billing/plans): the free plan's 50 requests
 * per second. The limiter only asks it for the tenant's rate; the plans themselves are tested there.
 */
const freePlan = {
  inForce: async () => ({ plan: { name: 'free' }, quotas: { apiRequestsPerSecond: 50 } }),
} as unknown as PlansService;

const tenant = (plan = 'free'): Tenant =>
  ({ id: randomUUID(), accountId: '123456789012', name: 'rl', plan, status: 'active' }) as Tenant;

/** The rate limit on real Redis, several replicas (limiter instances) sharing one budget. */
describe('tenant rate limit', () => {
  let redis: RedisService;

  beforeAll(async () => {
    redis = new RedisService(testConfig(['api']));
    if (redis.client.status !== 'ready') await once(redis.client, 'ready');
  });
  afterAll(async () => {
    await redis?.onApplicationShutdown();
  });

  it('admits at most the limit in one second across replicas, and under-admits by at most a slice per other replica', async () => {
    const limit = 200;
    const second = 1_700_000_000_000;
    const replicas = Array.from({ length: 3 }, () => new LeasedBudget(redisLeaseCounter(redis), () => second + 500));
    const id = randomUUID();
    const answers = await Promise.all(Array.from({ length: 3 * limit }, (_, i) => replicas[i % 3]!.consume(id, limit)));
    const admitted = answers.filter((a) => a.allowed).length;
    expect(admitted).toBeLessThanOrEqual(limit);
    expect(admitted).toBeGreaterThanOrEqual(limit - 2 * leaseSize(limit));
    const refused = answers.find((a) => !a.allowed);
    expect(refused).toMatchObject({ allowed: false });
    expect(refused && !refused.allowed && refused.msBeforeNext).toBeGreaterThan(0);
    expect(refused && !refused.allowed && refused.msBeforeNext).toBeLessThanOrEqual(1000);
  });

  it('asks the shared counter once per slice, not once per request', async () => {
    let calls = 0;
    const counter = redisLeaseCounter(redis);
    const budget = new LeasedBudget(
      (t, p) => {
        calls++;
        return counter(t, p);
      },
      () => 1_700_000_000_000,
    );
    const id = randomUUID();
    const answers = await Promise.all(Array.from({ length: 1000 }, () => budget.consume(id, 5000)));
    expect(answers.every((a) => a.allowed)).toBe(true);
    expect(calls).toBe(1000 / leaseSize(5000));
  });

  it('opens a fresh window once the one the first request opened has ended', async () => {
    const budget = new LeasedBudget(redisLeaseCounter(redis));
    const id = randomUUID();
    for (let i = 0; i < 10; i++) expect((await budget.consume(id, 10)).allowed).toBe(true);
    const refused = await budget.consume(id, 10);
    expect(refused.allowed).toBe(false);
    await new Promise((r) => setTimeout(r, (refused.allowed ? 0 : refused.msBeforeNext) + 50));
    expect((await budget.consume(id, 10)).allowed).toBe(true);
  });

  it('throttles with TOO_MANY_REQUESTS and a retry delay, naming the plan', async () => {
    const limiter = new TenantRateLimiter(redis, freePlan);
    const t = tenant('free');
    const results = await Promise.allSettled(Array.from({ length: 150 }, () => limiter.consume(t)));
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    // The free plan allows 50 per second: 150 at once span at most two seconds.
    expect(refused.length).toBeGreaterThanOrEqual(50);
    expect(refused[0]!.reason).toMatchObject({
      code: 'TOO_MANY_REQUESTS',
      message: expect.stringContaining('may make 50 API requests per second on plan free'),
    });
  });

  it('keeps serving, limited per process, while Redis is unreachable', async () => {
    const down = new RedisService(testConfig(['api'], { REDIS_URL: 'redis://127.0.0.1:1/0' }));
    try {
      const limiter = new TenantRateLimiter(down, freePlan);
      const t = tenant('free');
      const results = await Promise.allSettled(Array.from({ length: 60 }, () => limiter.consume(t)));
      expect(results.filter((r) => r.status === 'fulfilled').length).toBeGreaterThanOrEqual(50);
      expect(results.filter((r) => r.status === 'rejected').length).toBeGreaterThan(0);
    } finally {
      await down.onApplicationShutdown();
    }
  });
});
