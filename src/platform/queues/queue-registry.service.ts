import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Queue, type Job, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { Gauge } from 'prom-client';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { RedisService } from '../redis/redis.service.js';
import { QUEUES, type JobData, type JobName, type QueueName } from './queue-catalog.js';
import { throttledWarn } from './throttled-warn.js';

/** How long a /metrics scrape waits for a queue's counts before leaving the gauge out. */
const DEPTH_TIMEOUT_MS = 1_000;

/**
 * The producer side of every declared queue: one BullMQ `Queue` per queue of the catalog, on one
 * Redis connection of their own. Any role that adds jobs (api, worker) uses it; only the worker
 * role consumes (QueueWorkers). Exposes `meshplane_queue_depth` on /metrics.
 */
@Injectable()
export class QueueRegistry implements OnApplicationShutdown {
  private readonly log = new Logger('Queues');
  /**
   * The producers' Redis connection, also for the few keys producers keep beside their queues
   * (e.g. the reconcile debounce windows). Commands wait while it connects and fail after one
   * failed reconnection attempt (RedisService.duplicateForQueues).
   */
  readonly connection: Redis;
  private readonly queues = new Map<QueueName, Queue>();
  private readonly warn = throttledWarn(this.log);
  /** The Redis key prefix of every queue (`QUEUE_PREFIX`). */
  readonly prefix: string;

  constructor(redis: RedisService, metrics: MetricsService, @Inject(APP_CONFIG) config: AppConfig) {
    this.prefix = config.queuePrefix;
    this.connection = redis.duplicateForQueues();
    // RedisService and BullMQ (below) report connection errors; this only keeps ioredis quiet.
    this.connection.on('error', () => undefined);
    for (const name of Object.keys(QUEUES) as QueueName[]) {
      const queue = new Queue(name, {
        connection: this.connection,
        prefix: this.prefix,
        defaultJobOptions: {
          // Finished jobs are history, not state: keep a little for inspection, then drop it.
          removeOnComplete: { age: 3_600, count: 100 },
          removeOnFail: { age: 7 * 24 * 3_600, count: 1_000 },
        },
      });
      queue.on('error', (err: Error) => this.warn(`queue ${name}`, err));
      this.queues.set(name, queue);
    }
    const queues = this.queues;
    new Gauge({
      name: 'meshplane_queue_depth',
      help: 'Jobs waiting, delayed (debounced, backing off or scheduled) and active, per queue; read from Redis on each scrape.',
      labelNames: ['queue'],
      registers: [metrics.registry],
      async collect() {
        this.reset();
        await Promise.all(
          [...queues].map(async ([name, queue]) => {
            try {
              const depth = await withTimeout(
                queue.getJobCountByTypes('waiting', 'prioritized', 'delayed', 'active'),
                DEPTH_TIMEOUT_MS,
              );
              this.set({ queue: name }, depth);
            } catch {
              // Redis unreachable: the series is absent from this scrape rather than wrong.
            }
          }),
        );
      },
    });
  }

  /** The BullMQ queue, for what `add` does not cover (schedulers, inspection in tests). */
  queue(name: QueueName): Queue {
    const queue = this.queues.get(name);
    if (!queue) throw new Error(`queue ${name} is not declared in the queue catalog`);
    return queue;
  }

  /** Adds a declared job with its typed payload. Rejects when Redis does not take it. */
  add<Q extends QueueName, J extends JobName<Q>>(
    queue: Q,
    job: J,
    data: JobData<Q, J>,
    opts?: JobsOptions,
  ): Promise<Job<JobData<Q, J>>> {
    return this.queue(queue).add(job, data, opts) as Promise<Job<JobData<Q, J>>>;
  }

  /** After the HTTP server drained: requests in flight may still enqueue. */
  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
    await this.connection.quit().catch(() => this.connection.disconnect());
  }
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what = 'operation'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  promise.catch(() => undefined); // the loser of the race must not become an unhandled rejection
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
