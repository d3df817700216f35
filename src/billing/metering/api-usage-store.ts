import { Injectable } from '@nestjs/common';
import { RedisService } from '../../platform/redis/redis.service.js';
import type { ApiRequestClass } from '../../tenants/auth/api-usage.js';
import { HOUR_MS } from './hours.js';

/** API request counts of one tenant in one hour. */
export interface ApiCounts {
  read: number;
  write: number;
}

/**
 * API request counts in Redis until the rollup has made them buckets: per hour, a hash of
 * `<tenantId>:<class>` → count (HINCRBY from every api replica), and a sorted set of the hours
 * that have counts. Kept for KEEP_HOURS, longer than the rollup's correction window reads them.
 * All keys share one hash tag (`{metering}`): a flush is one transaction in one Redis Cluster slot.
 */
@Injectable()
export class ApiUsageStore {
  static readonly KEEP_HOURS = 24 * 8;
  private readonly prefix: string;

  constructor(private readonly redis: RedisService) {
    this.prefix = `${redis.namespace}:{metering}:api`;
  }

  private hourKey(hour: number): string {
    return `${this.prefix}:${hour}`;
  }

  /**
   * Adds counts (hour → `tenantId:class` → n) in one MULTI: all or none, so a flush retried after
   * a failure never counts twice. Rejects when Redis did not take them.
   */
  async add(counts: ReadonlyMap<number, ReadonlyMap<string, number>>): Promise<void> {
    const pipeline = this.redis.client.multi();
    for (const [hour, fields] of counts) {
      const key = this.hourKey(hour);
      for (const [field, n] of fields) pipeline.hincrby(key, field, n);
      pipeline.pexpireat(key, hour + ApiUsageStore.KEEP_HOURS * HOUR_MS);
      pipeline.zadd(`${this.prefix}:hours`, hour, String(hour));
    }
    const failed = (await pipeline.exec())?.find(([err]) => err);
    if (failed) throw failed[0]!;
  }

  /** Every tenant's counts in `hour`. */
  async countsIn(hour: number): Promise<Map<string, ApiCounts>> {
    const fields = await this.redis.client.hgetall(this.hourKey(hour));
    const counts = new Map<string, ApiCounts>();
    for (const [field, value] of Object.entries(fields)) {
      const at = field.lastIndexOf(':');
      const tenantId = field.slice(0, at);
      const requestClass = field.slice(at + 1) as ApiRequestClass;
      let c = counts.get(tenantId);
      if (!c) counts.set(tenantId, (c = { read: 0, write: 0 }));
      if (requestClass === 'read' || requestClass === 'write') c[requestClass] += Number(value);
    }
    return counts;
  }

  /** Hours with counts in [from, to), oldest first; hours past KEEP_HOURS are forgotten on the way. */
  async hoursWithCounts(from: number, to: number, now: number): Promise<number[]> {
    const key = `${this.prefix}:hours`;
    await this.redis.client.zremrangebyscore(key, '-inf', now - ApiUsageStore.KEEP_HOURS * HOUR_MS);
    const hours = await this.redis.client.zrangebyscore(key, from, `(${to}`);
    return hours.map(Number);
  }
}
