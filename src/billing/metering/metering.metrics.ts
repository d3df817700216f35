import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { MetricsService } from '../../platform/metrics/metrics.service.js';
import { MeteringClock } from './metering-clock.js';
import { UsageRollupRepository } from './usage-rollup.repository.js';

/** The worker role's metering instruments. */
@Injectable()
export class MeteringMetrics {
  readonly rollupDuration: Histogram<'stage'>;
  readonly buckets: Counter;
  readonly adjustments: Counter<'source'>;
  readonly deadSessions: Counter;

  constructor(metrics: MetricsService, repository: UsageRollupRepository, clock: MeteringClock) {
    new Gauge({
      name: 'meshplane_metering_lag_seconds',
      help: 'Now minus the end of the last hour rolled up for every tenant (read from PostgreSQL on each scrape). Rollups run METERING_ROLLUP_DELAY_MS after each hour ends, so this stays between that delay and an hour plus it; alert when it grows beyond two hours.',
      registers: [metrics.registry],
      async collect() {
        this.reset();
        try {
          const rolledUntil = await repository.cursor('rollup');
          if (rolledUntil !== undefined) this.set(Math.max(0, clock.now() - rolledUntil) / 1000);
        } catch {
          // PostgreSQL unreachable: the series is absent from this scrape rather than wrong.
        }
      },
    });
    this.rollupDuration = new Histogram({
      name: 'meshplane_metering_rollup_duration_seconds',
      help: 'Time the rollup took: stage="hour" per hour rolled up (every tenant), stage="corrections" per pass over late data, stage="run" per job.',
      labelNames: ['stage'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers: [metrics.registry],
    });
    this.buckets = new Counter({
      name: 'meshplane_metering_buckets_written_total',
      help: 'Hourly usage buckets (usage_hours rows) written by the rollup.',
      registers: [metrics.registry],
    });
    this.adjustments = new Counter({
      name: 'meshplane_metering_adjustments_total',
      help: 'Adjustment rows written for late data, by source (sessions, api).',
      labelNames: ['source'],
      registers: [metrics.registry],
    });
    this.deadSessions = new Counter({
      name: 'meshplane_metering_dead_shard_sessions_total',
      help: 'Sessions of xds shard runs that stopped heartbeating, ended by the rollup at their last heartbeat.',
      registers: [metrics.registry],
    });
  }
}
