import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import { DebounceWindow } from '../../platform/queues/debounce-window.js';
import { QueueRegistry } from '../../platform/queues/queue-registry.service.js';

/** Attempts of one endpoints update (a Redis hiccup); the sweep re-enqueues meshes still marked dirty. */
const ATTEMPTS = 3;
const BACKOFF_MS = 100;

/**
 * The producer of `endpoints` `update` jobs: one pending job per mesh, on the reconcile queue's
 * leading-edge debounce (DebounceWindow, ADR 0026). A change to a mesh whose last update started
 * `ENDPOINTS_DEBOUNCE_MS` ago or more is applied at once: an isolated registration waits for
 * nothing. A change sooner after an update started waits until `ENDPOINTS_DEBOUNCE_MS` after that
 * start (a throttle: at most one update per mesh per debounce), so a deployment's burst becomes a
 * few updates. Unlike the reconcile
 * queue's debounce, later changes never postpone the pending job (a reconnect storm must not hold
 * a new instance's traffic back): they are absorbed while the job waits, and kept as one more job
 * while it runs (it may have read the endpoints before them), BullMQ's `keepLastIfActive`.
 */
@Injectable()
export class EndpointsQueue {
  private readonly debounceMs: number;
  private readonly window: DebounceWindow;

  constructor(
    private readonly queues: QueueRegistry,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.debounceMs = config.endpointsDebounceMs;
    // The maximum delay is the debounce (the pending job is never rescheduled), and the wait is
    // counted from the last update's start: at most one update per debounce, no change waits longer.
    this.window = new DebounceWindow(
      () => queues.connection,
      `${queues.prefix}:endpoints`,
      this.debounceMs,
      this.debounceMs,
      true,
    );
  }

  /**
   * With `afterMs`, an update for a change that happens then (a removal's grace ends): a job of its
   * own per mesh, which a later such change moves to its own time, so it never runs before the
   * last of them (BullMQ's `reschedule`). Updates apply whatever is live when they run, so the two
   * kinds of job never conflict, and the sweep catches what either misses.
   */
  async enqueue(tenantId: string, meshId: string, options: { afterMs?: number } = {}): Promise<void> {
    const later = options.afterMs !== undefined;
    const delay = later ? options.afterMs! + this.debounceMs : await this.window.delayFor(meshId);
    await this.queues.add(
      'endpoints',
      'update',
      // A grace's end is marked on no node (a mark would be taken by an update before it): all.
      { tenantId, meshId, changedAt: Date.now() + (options.afterMs ?? 0), ...(later ? { all: true } : {}) },
      {
        delay,
        deduplication: later
          ? { id: `${meshId}:later`, keepLastIfActive: true, reschedule: true }
          : { id: meshId, keepLastIfActive: true },
        attempts: ATTEMPTS,
        backoff: { type: 'exponential', delay: BACKOFF_MS },
      },
    );
  }

  /**
   * An update of the mesh starts, before it reads the endpoints: a change from now on is debounced
   * (it may be part of a burst) and is applied by another update.
   */
  updateStarting(meshId: string): Promise<void> {
    return this.window.starting(meshId);
  }
}
