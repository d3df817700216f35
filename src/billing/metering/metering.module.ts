import { Global, Module, type DynamicModule, type Provider } from '@nestjs/common';
import type { AppConfig } from '../../config/config.schema.js';
import { API_USAGE_LISTENER } from '../../tenants/auth/api-usage.js';
import { SESSION_METER } from '../../xds-fleet/sessions/session-registry.js';
import { ApiRequestMeter } from './api-request-meter.js';
import { ApiUsageStore } from './api-usage-store.js';
import { MeteringRollupHandler, ResourceSampleHandler } from './metering.handlers.js';
import { MeteringClock } from './metering-clock.js';
import { MeteringMetrics } from './metering.metrics.js';
import { ResourceSampler } from './resource-sampler.js';
import { ResourceSamplesRepository } from './resource-samples.repository.js';
import { SessionLedgerRepository } from './session-ledger.repository.js';
import { SessionMeter } from './session-meter.js';
import { UsageRollupRepository } from './usage-rollup.repository.js';
import { UsageRollup } from './usage-rollup.service.js';

/**
 * Metering (src/billing/metering, ADR 0023), per role:
 * - api: counts API requests by tenant and class (the AuthGuard's API_USAGE_LISTENER);
 * - xds: records session starts and ends and the shard run's heartbeat (the session registry's
 *   SESSION_METER);
 * - worker: the `metering` queue's handlers, the hourly rollup and the resource sampler.
 * Global, so the AuthGuard, the GraphQL gate and the xDS fleet find their listeners without
 * importing billing. With METERING_ENABLED=false the api and xds roles collect nothing (the
 * worker's jobs still run, over whatever was collected).
 */
@Global()
@Module({})
export class MeteringModule {
  static forRoles(config: AppConfig): DynamicModule {
    const providers: Provider[] = [MeteringClock];
    const exports: DynamicModule['exports'] = [MeteringClock];
    if (config.meteringEnabled && config.roles.includes('api')) {
      providers.push(ApiUsageStore, ApiRequestMeter, { provide: API_USAGE_LISTENER, useExisting: ApiRequestMeter });
      exports.push(API_USAGE_LISTENER);
    }
    if (config.meteringEnabled && config.roles.includes('xds')) {
      providers.push(SessionLedgerRepository, SessionMeter, { provide: SESSION_METER, useExisting: SessionMeter });
      exports.push(SESSION_METER);
    }
    if (config.roles.includes('worker')) {
      if (!providers.includes(ApiUsageStore)) providers.push(ApiUsageStore);
      providers.push(
        UsageRollupRepository,
        UsageRollup,
        MeteringMetrics,
        MeteringRollupHandler,
        ResourceSamplesRepository,
        ResourceSampler,
        ResourceSampleHandler,
      );
    }
    return { module: MeteringModule, providers, exports };
  }
}
