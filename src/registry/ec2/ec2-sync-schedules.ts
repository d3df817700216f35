import { Injectable } from '@nestjs/common';
import { QueueRegistry } from '../../platform/queues/queue-registry.service.js';

/** The scheduler id of a source: stable, so every writer upserts the same one. */
export const schedulerIdOf = (sourceId: string) => `ec2-sync-source-${sourceId}`;
export const SCHEDULER_PREFIX = 'ec2-sync-source-';

/** A source as its schedule needs it. */
export interface ScheduledSource {
  readonly tenantId: string;
  readonly sourceId: string;
  readonly intervalSeconds: number;
}

/**
 * One BullMQ job scheduler per sync source on the `ec2-sync` queue, every `intervalSeconds`
 * (its first run at once). The api role upserts and removes them after its commits; the worker's
 * `reschedule` job repairs what a failed Redis write or a lost Redis left behind, so Redis is
 * never the only record of a schedule.
 */
@Injectable()
export class Ec2SyncSchedules {
  constructor(private readonly queues: QueueRegistry) {}

  async upsert(source: ScheduledSource): Promise<void> {
    await this.queues.queue('ec2-sync').upsertJobScheduler(
      schedulerIdOf(source.sourceId),
      { every: source.intervalSeconds * 1000 },
      {
        name: 'sync',
        data: { tenantId: source.tenantId, sourceId: source.sourceId },
        // A failed run records its failure on the source and completes: attempts are for crashes.
        opts: { attempts: 1, removeOnComplete: true, removeOnFail: { count: 100 } },
      },
    );
  }

  async remove(sourceId: string): Promise<void> {
    await this.queues.queue('ec2-sync').removeJobScheduler(schedulerIdOf(sourceId));
  }

  /**
   * A run now (a tenant's "sync now", a changed source). One pending per source: a second
   * request while one waits is the same job.
   */
  async runNow(tenantId: string, sourceId: string): Promise<void> {
    await this.queues.add(
      'ec2-sync',
      'sync',
      { tenantId, sourceId },
      { jobId: `ec2-sync-now-${sourceId}`, attempts: 1, removeOnComplete: true, removeOnFail: true },
    );
  }

  /** Every source scheduler in Redis: its source id and interval. */
  async list(): Promise<{ sourceId: string; everyMs: number | undefined }[]> {
    const schedulers = await this.queues.queue('ec2-sync').getJobSchedulers(0, -1);
    return schedulers
      .filter((s) => (s.id ?? s.key).startsWith(SCHEDULER_PREFIX))
      .map((s) => ({
        sourceId: (s.id ?? s.key).slice(SCHEDULER_PREFIX.length),
        everyMs: s.every === undefined || s.every === null ? undefined : Number(s.every),
      }));
  }
}
