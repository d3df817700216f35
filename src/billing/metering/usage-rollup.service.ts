import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import { SESSION_TTL_MS } from '../../xds-fleet/sessions/session-registry.js';
import { ApiUsageStore } from './api-usage-store.js';
import { HOUR_MS, hourOf } from './hours.js';
import { METERS } from './meters.js';
import { MeteringClock } from './metering-clock.js';
import { MeteringMetrics } from './metering.metrics.js';
import { UsageRollupRepository, type Bucket } from './usage-rollup.repository.js';

/** Whole tenant-hours written per transaction. */
const TENANTS_PER_TRANSACTION = 250;
/** Hours one run rolls up at most (a worker back after days catches up over a few runs). */
const MAX_HOURS_PER_RUN = 48;
/**
 * Slack on the corrections' PostgreSQL-time comparisons: a shard's write is stamped when its
 * transaction starts and seen when it commits, a few milliseconds later (a batch of sessions),
 * at worst the transaction timeout (5 s) later.
 */
const CORRECTIONS_MARGIN_MS = 60_000;

export interface RollupOptions {
  /** The time the run takes as now (the MeteringClock by default). */
  readonly now?: number;
  /**
   * Fault seam: awaited after each transaction of buckets commits (with the hour and how many
   * batches of it are done). Throwing from it stops the run there, as a crash would.
   */
  readonly afterBatch?: (hour: number, batches: number) => void | Promise<void>;
}

export interface RollupOutcome {
  /** Hours rolled up by this run (their starts, ms). */
  readonly hours: number[];
  readonly buckets: number;
  readonly adjustments: number;
  readonly deadSessions: number;
  /** The end of the last hour rolled up for every tenant. */
  readonly rolledUntil: number;
}

/**
 * The hourly rollup (ADR 0023). For every closed hour after the `rollup` cursor, for every
 * tenant: session seconds per meter and virtual node/gateway, API requests per class, and
 * resource-hours per kind become immutable `usage_hours` rows, one transaction per batch of whole
 * tenant-hours; the cursor moves past the hour once all are written. A run that dies half-way
 * leaves some tenants' hours written: the next run writes the others and leaves those as they
 * are, so running twice, or resuming, gives the same buckets.
 *
 * Then late data: session data changed after its hour was rolled up, and API requests counted
 * after it, are corrected by `usage_adjustments` rows (the difference), never by rewriting a
 * bucket. An hour is closed METERING_ROLLUP_DELAY_MS after it ends, longer than the session TTL:
 * by then a dead shard's sessions have been found and ended at its last heartbeat.
 */
@Injectable()
export class UsageRollup {
  constructor(
    private readonly repository: UsageRollupRepository,
    private readonly api: ApiUsageStore,
    private readonly clock: MeteringClock,
    private readonly metrics: MeteringMetrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async run(options: RollupOptions = {}): Promise<RollupOutcome> {
    const endRun = this.metrics.rollupDuration.startTimer({ stage: 'run' });
    const now = options.now ?? this.clock.now();
    const closedUntil = hourOf(now - this.config.meteringRollupDelayMs);
    const deadSessions = await this.repository.closeSessionsOfDeadRunsAcrossAllTenants(now - SESSION_TTL_MS);
    this.metrics.deadSessions.inc(deadSessions);

    let rolledUntil = (await this.repository.cursor('rollup')) ?? 0;
    const hours: number[] = [];
    let buckets = 0;
    while (rolledUntil < closedUntil && hours.length < MAX_HOURS_PER_RUN) {
      // Hours without any usage are skipped, not rolled one by one.
      const hour = await this.firstHourWithUsage(rolledUntil, closedUntil, now);
      if (hour === undefined) {
        rolledUntil = closedUntil;
        await this.repository.advanceCursor('rollup', rolledUntil);
        break;
      }
      buckets += await this.rollHour(hour, options);
      hours.push(hour);
      rolledUntil = hour + HOUR_MS;
      await this.repository.advanceCursor('rollup', rolledUntil);
    }
    this.metrics.buckets.inc(buckets);

    const adjustments = await this.correct(rolledUntil, now);
    await this.repository.pruneAcrossAllTenants(this.windowStart(rolledUntil) - HOUR_MS);
    endRun();
    return { hours, buckets, adjustments, deadSessions, rolledUntil };
  }

  private windowStart(rolledUntil: number): number {
    return rolledUntil - this.config.meteringCorrectionWindowHours * HOUR_MS;
  }

  private async firstHourWithUsage(from: number, to: number, now: number): Promise<number | undefined> {
    const [stored, apiHours] = await Promise.all([
      this.repository.firstHourWithUsageAcrossAllTenants(from, to),
      this.api.hoursWithCounts(from, to, now),
    ]);
    const candidates = [stored, apiHours[0]].filter((h): h is number => h !== undefined);
    return candidates.length === 0 ? undefined : Math.min(...candidates);
  }

  /** Writes every tenant's buckets of `hour`; returns how many rows were written. */
  private async rollHour(hour: number, options: RollupOptions): Promise<number> {
    const endHour = this.metrics.rollupDuration.startTimer({ stage: 'hour' });
    await this.repository.hourStarting(hour);
    const [sessions, resources, api] = await Promise.all([
      this.repository.sessionBucketsAcrossAllTenants(hour),
      this.repository.resourceBucketsAcrossAllTenants(hour),
      this.api.countsIn(hour),
    ]);
    const byTenant = new Map<string, Bucket[]>();
    const add = (b: Bucket) => {
      let list = byTenant.get(b.tenantId);
      if (!list) byTenant.set(b.tenantId, (list = []));
      list.push(b);
    };
    sessions.forEach(add);
    resources.forEach(add);
    apiBuckets(api).forEach(add);

    const tenants = [...byTenant.keys()].sort();
    let written = 0;
    let batches = 0;
    for (let i = 0; i < tenants.length; i += TENANTS_PER_TRANSACTION) {
      const batch = tenants.slice(i, i + TENANTS_PER_TRANSACTION).flatMap((t) => byTenant.get(t)!);
      written += await this.repository.writeBucketsAcrossAllTenants(hour, batch);
      await options.afterBatch?.(hour, ++batches);
    }
    endHour();
    return written;
  }

  /** Late data of the hours in the correction window before `rolledUntil`. */
  private async correct(rolledUntil: number, now: number): Promise<number> {
    const endCorrections = this.metrics.rollupDuration.startTimer({ stage: 'corrections' });
    const windowStart = this.windowStart(rolledUntil);
    const sessions = await this.repository.correctSessionsAcrossAllTenants(
      windowStart,
      rolledUntil,
      CORRECTIONS_MARGIN_MS,
    );
    this.metrics.adjustments.inc({ source: 'sessions' }, sessions);
    let api = 0;
    for (const hour of await this.api.hoursWithCounts(windowStart, rolledUntil, now)) {
      api += await this.repository.correctApiAcrossAllTenants(hour, apiBuckets(await this.api.countsIn(hour)));
    }
    this.metrics.adjustments.inc({ source: 'api' }, api);
    endCorrections();
    return sessions + api;
  }
}

function apiBuckets(counts: ReadonlyMap<string, { read: number; write: number }>): Bucket[] {
  return [...counts].flatMap(([tenantId, c]) => [
    ...(c.read > 0 ? [{ tenantId, meter: METERS.apiReadRequests, dimension: '', quantity: BigInt(c.read) }] : []),
    ...(c.write > 0 ? [{ tenantId, meter: METERS.apiWriteRequests, dimension: '', quantity: BigInt(c.write) }] : []),
  ]);
}
