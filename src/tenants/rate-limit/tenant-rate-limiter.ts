import { Injectable } from '@nestjs/common';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { DomainError } from '../../common/errors/domain-error.js';
import type { Tenant } from '../../generated/prisma/client.js';
import { RedisService } from '../../platform/redis/redis.service.js';
import { PlansService } from '../../billing/plans/plans.service.js';

/**
 * Per-tenant API rate limit, counted in Redis so that every api replica shares one budget.
 * If Redis is unreachable each process falls back to counting in memory (rate-limiter-flexible's
 * insurance limiter): requests keep being served, limited per replica instead of globally.
 */
@Injectable()
export class TenantRateLimiter {
  private readonly limiters = new Map<number, RateLimiterRedis>();

  constructor(
    private readonly redis: RedisService,
    private readonly plans: PlansService,
  ) {}

  async consume(tenant: Tenant): Promise<void> {
    const { plan, quotas } = await this.plans.inForce(tenant.id);
    const perSecond = quotas.apiRequestsPerSecond;
    try {
      await this.limiter(perSecond).consume(tenant.id);
    } catch (res) {
      if (!(res instanceof RateLimiterRes)) throw res;
      throw new DomainError(
        'TOO_MANY_REQUESTS',
        `Rate exceeded: account ${tenant.accountId} may make ${perSecond} API requests per second on plan ${plan.name}.`,
        Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
      );
    }
  }

  private limiter(perSecond: number): RateLimiterRedis {
    let limiter = this.limiters.get(perSecond);
    if (!limiter) {
      limiter = new RateLimiterRedis({
        storeClient: this.redis.client,
        keyPrefix: `meshplane:rl:api:${perSecond}`,
        points: perSecond,
        duration: 1,
        insuranceLimiter: new RateLimiterMemory({ points: perSecond, duration: 1 }),
      });
      this.limiters.set(perSecond, limiter);
    }
    return limiter;
  }
}
