import { Inject, Injectable, Logger } from '@nestjs/common';
import { Counter } from 'prom-client';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import type { MeshChangeListener } from '../../meshes/resources/mesh-change-listener.js';
import { MetricsService } from '../../platform/metrics/metrics.service.js';
import { DebounceWindow } from '../../platform/queues/debounce-window.js';
import { QueueRegistry, withTimeout } from '../../platform/queues/queue-registry.service.js';

/** First backoff between attempts of a failed reconcile job; it doubles each attempt. */
export const RECONCILE_BACKOFF_MS = 250;
/** Longest an API request waits for its reconcile to be enqueued. Redis answers in well under 1 ms. */
export const ENQUEUE_TIMEOUT_MS = 500;

/** ioredis connection states in which a command cannot be sent until Redis is reachable again. */
const LOST = new Set(['close', 'reconnecting', 'end']);

/**
 * The producer of reconcile jobs: one pending job per mesh, debounced, with a maximum delay.
 * See docs/adr/0004-reconcile-queue.md for how BullMQ's deduplication gives these semantics.
 *
 * - A change to a quiet mesh (no compile started in the last `RECONCILE_DEBOUNCE_MS`) compiles at
 *   once: a single change, the usual interactive case, waits for nothing.
 * - A change soon after a compile started schedules the next compile `RECONCILE_DEBOUNCE_MS` later.
 * - Each further change while that job is still delayed reschedules it to `RECONCILE_DEBOUNCE_MS`
 *   from now, but never later than `RECONCILE_MAX_DELAY_MS` after the first change it covers, so a
 *   steady stream of changes compiles at least that often.
 * - A change while the mesh compiles queues exactly one more compile, after the running one
 *   (that compile may have read the state before the change).
 */
@Injectable()
export class ReconcileQueue implements MeshChangeListener {
  private readonly log = new Logger(ReconcileQueue.name);
  private readonly window: DebounceWindow;
  private readonly attempts: number;
  private readonly enqueueFailures: Counter;

  constructor(
    private readonly queues: QueueRegistry,
    metrics: MetricsService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.window = new DebounceWindow(
      () => queues.connection,
      `${queues.prefix}:reconcile`,
      config.reconcileDebounceMs,
      config.reconcileMaxDelayMs,
    );
    this.attempts = config.reconcileAttempts;
    this.enqueueFailures = new Counter({
      name: 'meshplane_reconcile_enqueue_failures_total',
      help: 'Committed mesh changes whose reconcile job could not be enqueued (Redis unreachable or slow). The API answered normally; the sweep enqueues these meshes later.',
      registers: [metrics.registry],
    });
  }

  /**
   * Asks for a compile of the mesh at its latest committed state (debounced, see above).
   * Idempotent; rejects when Redis does not take the job. Resolves to the delay the compile was
   * scheduled with: 0 on the leading edge of a quiet mesh.
   */
  async enqueue(tenantId: string, meshId: string): Promise<number> {
    const delay = await this.window.delayFor(meshId);
    await this.queues.add(
      'reconcile',
      'reconcile',
      { tenantId, meshId },
      {
        delay,
        // One job per mesh: a new change reschedules the delayed job (keeping it), or, while the
        // job runs, leaves one more to be created when it finishes.
        deduplication: { id: meshId, keepLastIfActive: true, reschedule: true },
        attempts: this.attempts,
        backoff: { type: 'exponential', delay: RECONCILE_BACKOFF_MS },
      },
    );
    return delay;
  }

  /**
   * Asks for another compile of the mesh `delayMs` from now, after a failed one (the backoff): the
   * same one-job-per-mesh deduplication, so a new change still reschedules it to its debounce
   * (compiles at once), and called while the failed job runs, it becomes that job's follow-up.
   */
  async retryLater(tenantId: string, meshId: string, delayMs: number): Promise<void> {
    await this.queues.add(
      'reconcile',
      'reconcile',
      { tenantId, meshId },
      {
        delay: delayMs,
        deduplication: { id: meshId, keepLastIfActive: true, reschedule: true },
        attempts: this.attempts,
        backoff: { type: 'exponential', delay: RECONCILE_BACKOFF_MS },
      },
    );
  }

  /**
   * MeshChangeListener, called by the resource model after a commit. Never rejects: a failure is
   * logged and counted, the API answers normally, and the sweep enqueues the mesh later.
   */
  async meshChanged(tenantId: string, meshId: string): Promise<void> {
    try {
      // A connection known to be lost fails at once instead of holding every write for the
      // timeout; one still being established (start-up) is waited for.
      const status = this.queues.connection.status;
      if (LOST.has(status)) throw new Error(`Redis is unreachable (connection ${status})`);
      await withTimeout(this.enqueue(tenantId, meshId), ENQUEUE_TIMEOUT_MS, 'reconcile enqueue');
    } catch (err) {
      this.enqueueFailures.inc();
      this.log.warn(
        `reconcile of mesh ${meshId} (tenant ${tenantId}) not enqueued: ${err instanceof Error ? err.message : String(err)}; the sweep will enqueue it`,
      );
    }
  }

  /**
   * Called by the worker as a compile of the mesh starts, before it reads the mesh: a change from
   * now on may be missed by this compile, so it opens a new debounce window, and one within the
   * debounce does not compile at once. Best effort: if this fails, the window's key expires by
   * itself and changes meanwhile are compiled without delay.
   */
  compileStarting(meshId: string): Promise<void> {
    return this.window.starting(meshId);
  }
}
