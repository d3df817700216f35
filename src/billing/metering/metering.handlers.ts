import { Injectable } from '@nestjs/common';
import { JobHandler, type JobProcessor } from '../../platform/queues/job-handler.js';
import { ResourceSampler } from './resource-sampler.js';
import { UsageRollup } from './usage-rollup.service.js';

/**
 * `rollup` (every METERING_ROLLUP_INTERVAL_MS): closes the hours that ended at least
 * METERING_ROLLUP_DELAY_MS ago and corrects late data. Idempotent; a run that dies is resumed
 * by the next one.
 */
@Injectable()
@JobHandler('metering', 'rollup')
export class MeteringRollupHandler implements JobProcessor<'metering', 'rollup'> {
  constructor(private readonly rollup: UsageRollup) {}

  async process(): Promise<{ hours: string[]; buckets: number; adjustments: number; deadSessions: number }> {
    const outcome = await this.rollup.run();
    return {
      hours: outcome.hours.map((h) => new Date(h).toISOString()),
      buckets: outcome.buckets,
      adjustments: outcome.adjustments,
      deadSessions: outcome.deadSessions,
    };
  }
}

/** `sample` (every METERING_SAMPLE_INTERVAL_MS): resources held, per tenant and kind, into the current hour. */
@Injectable()
@JobHandler('metering', 'sample')
export class ResourceSampleHandler implements JobProcessor<'metering', 'sample'> {
  constructor(private readonly sampler: ResourceSampler) {}

  process(): Promise<{ hour: string; rows: number }> {
    return this.sampler.sample();
  }
}
