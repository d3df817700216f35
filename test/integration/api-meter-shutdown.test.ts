import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { hourOf } from '../../src/billing/metering/hours.js';
import { RedisService } from '../../src/platform/redis/redis.service.js';
import { TenantsService } from '../../src/tenants/tenants.service.js';
import { createTenant } from '../support/tenant-builder.js';
import { call, startTestApp } from '../support/test-app.js';

/**
 * The api role counts requests in memory and adds them to Redis every METERING_API_FLUSH_MS; a
 * clean shutdown adds what it counted since the last flush before Redis's connection closes,
 * whatever order Nest runs the modules' shutdown hooks in.
 */
describe('API request counts at shutdown', () => {
  it('reach Redis when the api role stops before its next flush', async () => {
    const app = await startTestApp(['api'], { METERING_API_FLUSH_MS: '60000' });
    const tenant = await createTenant(app);
    const { tenantId } = await app.app.get(TenantsService).scopeOf(tenant.accountId);
    const namespace = app.app.get(RedisService).namespace;
    const hours = [hourOf(Date.now())];
    for (let i = 0; i < 3; i++) {
      const res = await call(app.baseUrl, 'GET', '/v1/account', { authorization: `Bearer ${tenant.apiToken.token}` });
      expect(res.status).toBe(200);
    }
    hours.push(hourOf(Date.now()));
    await app.close();

    const redis = new Redis(process.env['REDIS_URL']!);
    try {
      let reads = 0;
      for (const hour of new Set(hours)) {
        reads += Number((await redis.hget(`${namespace}:{metering}:api:${hour}`, `${tenantId}:read`)) ?? 0);
      }
      expect(reads).toBe(3);
    } finally {
      redis.disconnect();
    }
  }, 30_000);
});
