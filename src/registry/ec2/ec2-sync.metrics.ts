import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { MetricsService } from '../../platform/metrics/metrics.service.js';

/** What a run ended as: applied, or why not. */
export type Ec2SyncResult =
  | 'applied'
  | 'throttled'
  | 'credentials'
  | 'unreachable'
  | 'service-missing'
  | 'aws'
  | 'backing-off'
  | 'gone'
  | 'superseded';

/**
 * The EC2 sync's instruments on the worker's /metrics. `source` labels are sync source ids: a
 * bounded set (the plans' quota), removed when a run finds its source deleted.
 */
@Injectable()
export class Ec2SyncMetrics {
  private readonly duration: Histogram<'result'>;
  private readonly runs: Counter<'result'>;
  private readonly instances: Gauge<'source'>;

  constructor(metrics: MetricsService) {
    this.duration = new Histogram({
      name: 'meshplane_ec2_sync_duration_seconds',
      help: 'Time one EC2 sync run took, from loading its source to recording its status (DescribeInstances pages and the apply), by result.',
      labelNames: ['result'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [metrics.registry],
    });
    this.runs = new Counter({
      name: 'meshplane_ec2_sync_runs_total',
      help: 'EC2 sync runs by result: applied; throttled, credentials, unreachable, service-missing, aws (failed: the source is THROTTLED or STALE, its instances unchanged); backing-off (skipped while throttled); gone (source deleted); superseded (source changed during the run).',
      labelNames: ['result'],
      registers: [metrics.registry],
    });
    this.instances = new Gauge({
      name: 'meshplane_ec2_sync_instances',
      help: 'Registry instances each EC2 sync source has, as of its last successful run in this worker.',
      labelNames: ['source'],
      registers: [metrics.registry],
    });
  }

  /** Starts timing a run; call the result with how it ended. */
  start(): (result: Ec2SyncResult) => void {
    const end = this.duration.startTimer();
    return (result) => {
      end({ result });
      this.runs.inc({ result });
    };
  }

  instancesOf(sourceId: string, count: number): void {
    this.instances.set({ source: sourceId }, count);
  }

  forget(sourceId: string): void {
    this.instances.remove({ source: sourceId });
  }
}
