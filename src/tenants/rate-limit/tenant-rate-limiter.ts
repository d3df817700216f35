import { Injectable, Logger } from '@nestjs/common';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { DomainError } from '../../common/errors/domain-error.js';
import type { Tenant } from '../../generated/prisma/client.js';
import { RedisService } from '../../platform/redis/redis.service.js';
import { PlansService } from '../../billing/plans/plans.service.js';
import { LeasedBudget, WINDOW_MS, type BudgetAnswer, type LeaseCounter } from './leased-budget.js';

/**
 * Adds a lease to the tenant's window counter, opening a window (the key's lifetime) when none is.
 * KEYS: counter. ARGV: points, window ms. Returns {total after the increment, ms left}.
 */
const LEASE = `
local total = redis.call('INCRBY', KEYS[1], ARGV[1])
if total == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
local left = redis.call('PTTL', KEYS[1])
if left < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]); left = tonumber(ARGV[2]) end
return {total, left}
`;

/** One warning per this while Redis is away, not one per request. */
const WARN_EVERY_MS = 30_000;

/** The shared counter of leased-budget.ts in Redis: one key per tenant and second, in the installation's namespace. */
export function redisLeaseCounter(redis: RedisService): LeaseCounter {
  return async (tenantId, points) => {
    const [total, msLeft] = (await redis.client.eval(
      LEASE,
      1,
      `${redis.namespace}:rl:api:{${tenantId}}`,
      points,
      WINDOW_MS,
    )) as [number, number];
    return { total: Number(total), msLeft: Number(msLeft) };
  };
}

/**
 * Per-tenant API rate limit, one budget per second shared by every api replica (counted in Redis),
 * spent mostly in memory: a replica leases slices of the second's budget and asks Redis again
 * only when a slice is spent (leased-budget.ts, ADR 0025). At 5000 requests/s a tenant costs
 * about 20 Redis round trips a second instead of 5000.
 *
 * If Redis is unreachable each process falls back to counting in memory: requests keep being
 * served, limited per replica instead of globally.
 */
@Injectable()
export class TenantRateLimiter {
  private readonly log = new Logger(TenantRateLimiter.name);
  private readonly budget: LeasedBudget;
  private readonly fallbacks = new Map<number, RateLimiterMemory>();

  private lastWarnAt = 0;

  constructor(
    redis: RedisService,
    private readonly plans: PlansService,
  ) {
    this.budget = new LeasedBudget(redisLeaseCounter(redis));
  }

  async consume(tenant: Tenant): Promise<void> {
    const { plan, quotas } = await this.plans.inForce(tenant.id);
    const perSecond = quotas.apiRequestsPerSecond;
    let answer: BudgetAnswer;
    try {
      answer = await this.budget.consume(tenant.id, perSecond);
    } catch (err) {
      if (Date.now() - this.lastWarnAt > WARN_EVERY_MS) {
        this.lastWarnAt = Date.now();
        this.log.warn(`rate limit counter unavailable (${(err as Error).message}); counting in this process`);
      }
      answer = await this.consumeLocally(tenant.id, perSecond);
    }
    if (!answer.allowed) {
      throw new DomainError(
        'TOO_MANY_REQUESTS',
        `Rate exceeded: account ${tenant.accountId} may make ${perSecond} API requests per second on plan ${plan.name}.`,
        Math.max(1, Math.ceil(answer.msBeforeNext / 1000)),
      );
    }
  }

  private async consumeLocally(tenantId: string, perSecond: number): Promise<BudgetAnswer> {
    let limiter = this.fallbacks.get(perSecond);
    if (!limiter) this.fallbacks.set(perSecond, (limiter = new RateLimiterMemory({ points: perSecond, duration: 1 })));
    try {
      await limiter.consume(tenantId);
      return { allowed: true };
    } catch (res) {
      if (!(res instanceof RateLimiterRes)) throw res;
      return { allowed: false, msBeforeNext: res.msBeforeNext };
    }
  }
}
