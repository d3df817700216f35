import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import { RedisService } from '../../platform/redis/redis.service.js';
import type { ApiRequestClass, ApiUsageListener } from '../../tenants/auth/api-usage.js';
import { ApiUsageStore } from './api-usage-store.js';
import { hourOf } from './hours.js';
import { MeteringClock } from './metering-clock.js';

/**
 * The api role's request meter: counts in memory per hour, tenant and class (a Map increment on
 * the request's path, nothing else), and adds the counts to Redis every METERING_API_FLUSH_MS in
 * one transaction (ApiUsageStore). A per-request Redis INCR would cost a command per request on
 * the hot path and Redis load proportional to the API's rate; a flush costs one pipeline per
 * replica per interval, whatever the rate. The price: a replica that is SIGKILLed loses at most
 * one interval of its counts (a clean shutdown flushes, before Redis's connection closes). Counts that Redis refuses are kept and
 * added with the next flush, in the hour they were made.
 */
@Injectable()
export class ApiRequestMeter implements ApiUsageListener, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(ApiRequestMeter.name);
  /** hour → `tenantId:class` → count. */
  private pending = new Map<number, Map<string, number>>();
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: ApiUsageStore,
    private readonly clock: MeteringClock,
    private readonly redis: RedisService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.flush(), this.config.meteringApiFlushMs);
    this.timer.unref();
    // The last flush, after the HTTP server drained, runs before the connection closes.
    this.redis.beforeClose(() => this.flush());
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  counted(tenantId: string, requestClass: ApiRequestClass): void {
    const hour = hourOf(this.clock.now());
    let fields = this.pending.get(hour);
    if (!fields) this.pending.set(hour, (fields = new Map()));
    const field = `${tenantId}:${requestClass}`;
    fields.set(field, (fields.get(field) ?? 0) + 1);
  }

  /** Adds what was counted to Redis (one flush at a time). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.pending.size === 0) return;
    const counts = this.pending;
    this.pending = new Map();
    this.flushing = this.store
      .add(counts)
      .catch((err: unknown) => {
        for (const [hour, fields] of counts) {
          let into = this.pending.get(hour);
          if (!into) this.pending.set(hour, (into = new Map()));
          for (const [field, n] of fields) into.set(field, (into.get(field) ?? 0) + n);
        }
        this.log.warn(`adding API request counts: ${err instanceof Error ? err.message : String(err)}; retried`);
      })
      .finally(() => (this.flushing = undefined));
    await this.flushing;
  }
}
