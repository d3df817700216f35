import { Inject, Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { Counter, Gauge } from 'prom-client';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import { MetricsService } from '../../platform/metrics/metrics.service.js';
import { JobHandler, type JobProcessor } from '../../platform/queues/job-handler.js';
import type { ReconcileJobData } from '../../platform/queues/queue-catalog.js';
import { CompiledStore } from '../cache/compiled-store.js';
import type { CompileOutcome } from '../compiler/compile-outcome.js';
import { MeshCompiler } from '../compiler/mesh-compiler.js';
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
 * publishes an older generation over a newer one), so retries and duplicates are harmless; a
 * failure is retried with exponential backoff, then left to the sweep.
 */
@Injectable()
@JobHandler('reconcile', 'reconcile')
export class ReconcileJobHandler implements JobProcessor<'reconcile', 'reconcile'> {
  constructor(
    private readonly compiler: MeshCompiler,
    private readonly reconcile: ReconcileQueue,
  ) {}

  async process(job: Job<ReconcileJobData>): Promise<CompileOutcome> {
    const { tenantId, meshId } = job.data;
    await this.reconcile.compileStarting(meshId);
    return this.compiler.compile(tenantId, meshId);
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
  private readonly orphaned: Gauge;
  private readonly pruned: Counter;

  constructor(
    private readonly meshes: ReconcileSweepRepository,
    private readonly reconcile: ReconcileQueue,
    private readonly compiled: CompiledStore,
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

  private async sweepBehind(): Promise<number> {
    let behind = 0;
    let after: string | undefined;
    for (;;) {
      const batch = await this.meshes.listMeshIdsBehindAcrossAllTenants(SWEEP_BATCH, after);
      await Promise.all(batch.map((m) => this.reconcile.enqueue(m.tenantId, m.meshId)));
      behind += batch.length;
      if (batch.length < SWEEP_BATCH) break;
      after = batch.at(-1)?.meshId;
    }
    this.behind.set(behind);
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
