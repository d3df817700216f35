import { Injectable } from '@nestjs/common';
import { hourOf } from './hours.js';
import { MeteringClock } from './metering-clock.js';
import { ResourceSamplesRepository } from './resource-samples.repository.js';

/**
 * Samples the resources every tenant holds into the current hour (every
 * METERING_SAMPLE_INTERVAL_MS). The hour keeps its largest sample: a resource held for part of
 * an hour counts for that hour, as hourly billing does elsewhere.
 */
@Injectable()
export class ResourceSampler {
  constructor(
    private readonly samples: ResourceSamplesRepository,
    private readonly clock: MeteringClock,
  ) {}

  async sample(now = this.clock.now()): Promise<{ hour: string; rows: number }> {
    const hour = hourOf(now);
    return { hour: new Date(hour).toISOString(), rows: await this.samples.sampleAcrossAllTenants(hour) };
  }
}
