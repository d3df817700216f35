import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import { QueueRegistry } from '../../platform/queues/queue-registry.service.js';

/** Attempts of one endpoints update (a Redis hiccup); the sweep re-enqueues meshes still marked dirty. */
const ATTEMPTS = 3;
const BACKOFF_MS = 100;

/**
 * The producer of `endpoints` `update` jobs: one pending job per mesh, `ENDPOINTS_DEBOUNCE_MS`
 * after the first change it covers. Unlike the reconcile queue's debounce, later changes do not
 * postpone it (a reconnect storm must not hold a new instance's traffic back): they are absorbed
 * while the job waits, and kept as one more job while it runs (it may have read the endpoints
 * before them), BullMQ's `keepLastIfActive`.
 */
@Injectable()
export class EndpointsQueue {
  private readonly debounceMs: number;

  constructor(
    private readonly queues: QueueRegistry,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.debounceMs = config.endpointsDebounceMs;
  }

  /**
   * With `afterMs`, an update for a change that happens then (a removal's grace ends): a job of its
   * own per mesh, which a later such change moves to its own time, so it never runs before the
   * last of them (BullMQ's `reschedule`). Updates apply whatever is live when they run, so the two
   * kinds of job never conflict, and the sweep catches what either misses.
   */
  async enqueue(tenantId: string, meshId: string, options: { afterMs?: number } = {}): Promise<void> {
    const later = options.afterMs !== undefined;
    await this.queues.add(
      'endpoints',
      'update',
      { tenantId, meshId, changedAt: Date.now() + (options.afterMs ?? 0) },
      {
        delay: later ? options.afterMs! + this.debounceMs : this.debounceMs,
        deduplication: later
          ? { id: `${meshId}:later`, keepLastIfActive: true, reschedule: true }
          : { id: meshId, keepLastIfActive: true },
        attempts: ATTEMPTS,
        backoff: { type: 'exponential', delay: BACKOFF_MS },
      },
    );
  }
}
