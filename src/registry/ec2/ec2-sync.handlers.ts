import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import { JobHandler, type JobProcessor } from '../../platform/queues/job-handler.js';
import type { Ec2SyncJobData } from '../../platform/queues/queue-catalog.js';
import { Ec2ClientFactory, type SourceForRun } from './ec2-client.factory.js';
import { mapInstances } from './ec2-instance-map.js';
import { describeRunningInstances } from './ec2-inventory.js';
import type { TagFilter } from './ec2-sync-source.inputs.js';
import { Ec2SyncApplyRepository, type ApplyOutcome } from './ec2-sync-apply.repository.js';
import { classifyFailure, type Ec2SyncFailure } from './ec2-sync-failure.js';
import { Ec2SyncMetrics, type Ec2SyncResult } from './ec2-sync.metrics.js';
import { Ec2SyncSchedules } from './ec2-sync-schedules.js';
import { RegistryChangeNotifier } from './registry-change-notifier.js';

export type Ec2SyncRunResult =
  | { readonly result: Exclude<Ec2SyncResult, 'applied'>; readonly error?: string }
  | ({
      readonly result: 'applied';
      readonly pages: number;
      /** Time spent in DescribeInstances (every page) and in the apply transaction. */
      readonly describeMs: number;
      readonly applyMs: number;
    } & Extract<ApplyOutcome, { status: 'applied' }>);

/**
 * `sync`: one run of one source. DescribeInstances (every page, filtered), mapped to registry
 * instances, applied as a difference in one transaction; then the registry hears which services
 * changed. A failure of AWS or of the credentials changes the source's status and error, never
 * its instances: an unreachable AWS must not empty a service that Envoys route to. Throttling
 * (after the SDK's own retries) also backs the source off: its runs are skipped until
 * `backoffUntil`, which doubles with each throttled run in a row (EC2_SYNC_THROTTLE_BACKOFF_MAX_MS).
 * The job itself completes either way: the status is the record, and the schedule runs it again.
 */
@Injectable()
@JobHandler('ec2-sync', 'sync')
export class Ec2SyncJobHandler implements JobProcessor<'ec2-sync', 'sync'> {
  private readonly log = new Logger(Ec2SyncJobHandler.name);

  constructor(
    private readonly sources: Ec2SyncApplyRepository,
    private readonly clients: Ec2ClientFactory,
    private readonly schedules: Ec2SyncSchedules,
    private readonly changes: RegistryChangeNotifier,
    private readonly metrics: Ec2SyncMetrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async process(job: Job<Ec2SyncJobData>): Promise<Ec2SyncRunResult> {
    return this.run(job.data.tenantId, job.data.sourceId);
  }

  /** One run, also what the benchmark calls. */
  async run(tenantId: string, sourceId: string): Promise<Ec2SyncRunResult> {
    const done = this.metrics.start();
    const source = await this.sources.loadForRun(tenantId, sourceId);
    if (source === null) {
      // Deleted: its scheduler should be gone too; a lost removal is repaired here.
      await this.schedules.remove(sourceId).catch(() => undefined);
      this.metrics.forget(sourceId);
      done('gone');
      return { result: 'gone' };
    }
    const now = new Date();
    if (source.backoffUntil !== null && source.backoffUntil > now) {
      done('backing-off');
      return { result: 'backing-off' };
    }
    let pages = 0;
    let describeMs = 0;
    let applyMs = 0;
    let outcome: ApplyOutcome;
    try {
      const client = this.clients.create(source);
      try {
        const describing = performance.now();
        const found = await describeRunningInstances(
          client,
          source.tagFilters as unknown as TagFilter[],
          this.config.ec2SyncPageSize,
        );
        pages = found.pages;
        describeMs = Math.round(performance.now() - describing);
        const inventory = mapInstances(found.instances, {
          port: source.port,
          attributeTags: source.attributeTags as unknown as string[],
        });
        const applying = performance.now();
        outcome = await this.sources.apply(source, inventory, new Date());
        applyMs = Math.round(performance.now() - applying);
      } finally {
        client.destroy();
      }
    } catch (err) {
      const failure = classifyFailure(err);
      await this.recordFailure(source, failure, now);
      done(failure.kind);
      return { result: failure.kind, error: failure.message };
    }
    if (outcome.status !== 'applied') {
      done(outcome.status);
      return { result: outcome.status };
    }
    await this.changes.servicesChanged(tenantId, outcome.changedServiceIds);
    await this.sources.refreshStatistics(outcome);
    this.metrics.instancesOf(sourceId, outcome.instanceCount);
    done('applied');
    return { result: 'applied', pages, describeMs, applyMs, ...outcome };
  }

  private async recordFailure(source: SourceForRun, failure: Ec2SyncFailure, at: Date): Promise<void> {
    let backoffUntil: Date | null = null;
    if (failure.kind === 'throttled') {
      const inARow = (source.status === 'THROTTLED' ? source.consecutiveFailures : 0) + 1;
      const waitMs = Math.min(source.intervalSeconds * 1000 * 2 ** inARow, this.config.ec2SyncThrottleBackoffMaxMs);
      backoffUntil = new Date(at.getTime() + waitMs);
    }
    this.log.warn(`EC2 sync source ${source.id} (tenant ${source.tenantId}): ${failure.message}`);
    await this.sources.recordFailure(
      source,
      { status: failure.kind === 'throttled' ? 'THROTTLED' : 'STALE', message: failure.message, backoffUntil },
      at,
    );
  }
}

/**
 * `reschedule` (every EC2_SYNC_RESCHEDULE_INTERVAL_MS): every source has its job scheduler at its
 * interval, and no scheduler outlives its source. Redis may have lost them (restart) or the api's
 * write after commit may have failed; PostgreSQL is the record.
 */
@Injectable()
@JobHandler('ec2-sync', 'reschedule')
export class Ec2SyncRescheduleHandler implements JobProcessor<'ec2-sync', 'reschedule'> {
  constructor(
    private readonly sources: Ec2SyncApplyRepository,
    private readonly schedules: Ec2SyncSchedules,
  ) {}

  async process(): Promise<{ upserted: number; removed: number }> {
    const [sources, scheduled] = await Promise.all([
      this.sources.listSchedulesAcrossAllTenants(),
      this.schedules.list(),
    ]);
    const everyMs = new Map(scheduled.map((s) => [s.sourceId, s.everyMs]));
    let upserted = 0;
    for (const s of sources) {
      if (everyMs.get(s.id) === s.intervalSeconds * 1000) continue;
      await this.schedules.upsert({ tenantId: s.tenantId, sourceId: s.id, intervalSeconds: s.intervalSeconds });
      upserted++;
    }
    const live = new Set(sources.map((s) => s.id));
    let removed = 0;
    for (const s of scheduled) {
      if (live.has(s.sourceId)) continue;
      await this.schedules.remove(s.sourceId);
      removed++;
    }
    return { upserted, removed };
  }
}
