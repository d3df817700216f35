import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { Counter, Gauge } from 'prom-client';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import { MetricsService } from '../../platform/metrics/metrics.service.js';
import { JobHandler, type JobProcessor } from '../../platform/queues/job-handler.js';
import type { ReconcileJobData } from '../../platform/queues/queue-catalog.js';
import { CompiledStore } from '../cache/compiled-store.js';
import type { CompileOutcome } from '../compiler/compile-outcome.js';
import { describeError } from '../compiler/compile-failure.js';
import { MeshCompiler } from '../compiler/mesh-compiler.js';
import { ReconcileBackoff } from './reconcile-backoff.js';
import { ReconcileQueue } from './reconcile-queue.js';
import { ReconcileSweepRepository } from './reconcile-sweep.repository.js';

/** Meshes read and enqueued per round trip of the sweep. */
const SWEEP_BATCH = 200;
/** Keys Redis examines per SCAN call when the sweep looks for compiled meshes. */
const SCAN_COUNT = 1000;
/** Change-log rows deleted per statement by the retention step. */
const PRUNE_BATCH = 5000;

/**
 * `reconcile`: compiles one mesh at its latest committed state. Idempotent (the compiler never
 * publishes an older generation over a newer one), so retries and duplicates are harmless.
 *
 * A compile that fails (outcome `failed`: the translator or the build threw; or a throw on
 * PostgreSQL/Redis), is `inconsistent` (a translator defect), or publishes without resources it
 * could not encode, is not retried by BullMQ nor left to the sweep: the job completes, and a
 * follow-up compile is scheduled after an exponential backoff per generation (ReconcileBackoff),
 * which the sweep respects; a new change reschedules it to its debounce. So a failing mesh costs
 * one compile per backoff step, never a stream of failed jobs. Only when Redis cannot take the
 * follow-up does the job throw (BullMQ's attempts, then the sweep).
 */
@Injectable()
@JobHandler('reconcile', 'reconcile')
export class ReconcileJobHandler implements JobProcessor<'reconcile', 'reconcile'> {
  private readonly log = new Logger(ReconcileJobHandler.name);

  constructor(
    private readonly compiler: MeshCompiler,
    private readonly reconcile: ReconcileQueue,
    private readonly backoff: ReconcileBackoff,
    private readonly meshes: ReconcileSweepRepository,
  ) {}

  async process(job: Job<ReconcileJobData>): Promise<CompileOutcome | { status: 'error'; retryInMs: number }> {
    const { tenantId, meshId } = job.data;
    await this.reconcile.compileStarting(meshId);
    let outcome: CompileOutcome;
    try {
      outcome = await this.compiler.compile(tenantId, meshId);
    } catch (err) {
      const generation = await this.meshes.generationOf(tenantId, meshId).catch(() => undefined);
      const retryInMs = await this.retryLater(tenantId, meshId, generation).catch(() => {
        throw err; // Redis cannot take the follow-up either: BullMQ's attempts, then the sweep
      });
      this.log.warn(`mesh ${meshId}: compile threw, retried in ${retryInMs} ms: ${describeError(err)}`);
      return { status: 'error', retryInMs };
    }
    if (outcome.status === 'failed') {
      await this.retryLater(tenantId, meshId, outcome.generation);
    } else if (
      outcome.status === 'inconsistent' ||
      ((outcome.status === 'published' || outcome.status === 'unchanged') && outcome.encoderFailures)
    ) {
      // A translator defect, or published without what could not be encoded: compiled again with
      // backoff, so a fix deployed serves the mesh without waiting for a change.
      await this.retryLater(tenantId, meshId, outcome.generation);
    } else if (outcome.status !== 'superseded') {
      await this.backoff.succeeded(meshId);
    }
    return outcome;
  }

  /**
   * Schedules the next compile of a mesh whose compile of `generation` failed, after its backoff.
   * A change committed meanwhile must not wait for it: the generation is read again after the
   * follow-up is scheduled (a change that enqueued before that was overwritten by it, and is seen
   * here; one after it rescheduled it itself), and a newer one is enqueued as any change is.
   */
  private async retryLater(tenantId: string, meshId: string, generation: string | undefined): Promise<number> {
    if (generation === undefined) {
      // The mesh is gone (or PostgreSQL is away): compile again soon; a deletion compiles quickly.
      const { waitMs } = await this.backoff.failed(meshId, 'unknown');
      await this.reconcile.retryLater(tenantId, meshId, waitMs);
      return waitMs;
    }
    const { waitMs } = await this.backoff.failed(meshId, generation);
    await this.reconcile.retryLater(tenantId, meshId, waitMs);
    const now = await this.meshes.generationOf(tenantId, meshId).catch(() => generation);
    if (now !== generation) await this.reconcile.enqueue(tenantId, meshId);
    return waitMs;
  }
}

/**
 * `sweep` (scheduled every RECONCILE_SWEEP_INTERVAL_MS): the level-triggered safety net. Enqueues
 * every mesh of every tenant whose generation is ahead of its compiled generation, whatever lost
 * its job: a failed enqueue after commit, a crashed worker, a restarted Redis. And every mesh
 * with compiled data in Redis that no longer exists in PostgreSQL (its deletion's job was lost):
 * the compile of a missing mesh removes its data and tells the shards. Last, it deletes change-log
 * rows older than MESH_CHANGE_RETENTION_MS (a worker that needs them reads its mesh whole).
 */
@Injectable()
@JobHandler('reconcile', 'sweep')
export class ReconcileSweepHandler implements JobProcessor<'reconcile', 'sweep'> {
  private readonly behind: Gauge;
  private readonly failing: Gauge;
  private readonly orphaned: Gauge;
  private readonly pruned: Counter;

  constructor(
    private readonly meshes: ReconcileSweepRepository,
    private readonly reconcile: ReconcileQueue,
    private readonly compiled: CompiledStore,
    private readonly backoff: ReconcileBackoff,
    metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.pruned = new Counter({
      name: 'meshplane_mesh_changes_pruned_total',
      help: 'Change-log rows (mesh_changes) older than MESH_CHANGE_RETENTION_MS deleted by the reconcile sweep.',
      registers: [metrics.registry],
    });
    this.behind = new Gauge({
      name: 'meshplane_reconcile_meshes_behind',
      help: 'Meshes whose generation was ahead of their compiled generation at the last sweep (all enqueued by it).',
      registers: [metrics.registry],
    });
    this.failing = new Gauge({
      name: 'meshplane_reconcile_meshes_failing',
      help: 'Meshes whose compile is failing at the last sweep, wholly (the translator or the build threw, or storage did) or in part (resources the encoder refused, or a translator defect): compiled again with backoff until it succeeds. Alert when above 0 for long; /v1/meshes/{mesh}/status shows each one.',
      registers: [metrics.registry],
    });
    this.orphaned = new Gauge({
      name: 'meshplane_reconcile_compiled_orphans',
      help: 'Meshes with compiled data in Redis but no longer in PostgreSQL at the last sweep (all enqueued by it, to be removed).',
      registers: [metrics.registry],
    });
  }

  async process(): Promise<{ behind: number; orphaned: number; pruned: number }> {
    const behind = await this.sweepBehind();
    const orphaned = await this.sweepOrphans();
    const cutoff = new Date(Date.now() - this.config.meshChangeRetentionMs);
    const pruned = await this.meshes.pruneChangeLogAcrossAllTenants(cutoff, PRUNE_BATCH);
    this.pruned.inc(pruned);
    return { behind, orphaned, pruned };
  }

  /** Meshes behind, except those whose failing compile waits for its backoff (its follow-up is scheduled). */
  private async sweepBehind(): Promise<number> {
    let behind = 0;
    let after: string | undefined;
    for (;;) {
      const batch = await this.meshes.listMeshIdsBehindAcrossAllTenants(SWEEP_BATCH, after);
      const waiting = await this.backoff.waiting(batch.map((m) => m.meshId));
      const due = batch.filter((m) => !waiting.has(m.meshId));
      await Promise.all(due.map((m) => this.reconcile.enqueue(m.tenantId, m.meshId)));
      behind += batch.length;
      if (batch.length < SWEEP_BATCH) break;
      after = batch.at(-1)?.meshId;
    }
    this.behind.set(behind);
    this.failing.set(await this.backoff.count());
    return behind;
  }

  /** Compiled meshes in Redis (SCAN over their meta keys) whose mesh is gone from PostgreSQL. */
  private async sweepOrphans(): Promise<number> {
    let orphaned = 0;
    let cursor = '0';
    do {
      const page = await this.compiled.scanCompiledMeshes(cursor, SCAN_COUNT);
      cursor = page.cursor;
      const missing = await this.meshes.listMissingMeshesAcrossAllTenants(page.meshes);
      await Promise.all(missing.map((m) => this.reconcile.enqueue(m.tenantId, m.meshId)));
      orphaned += missing.length;
    } while (cursor !== '0');
    this.orphaned.set(orphaned);
    return orphaned;
  }
}
