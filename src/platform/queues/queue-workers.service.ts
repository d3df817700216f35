import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnModuleInit,
} from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { Counter, Histogram } from 'prom-client';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import { ReadinessService } from '../health/readiness.service.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { RedisService } from '../redis/redis.service.js';
import { JOB_HANDLER_METADATA, resolveJobHandlers, type FoundHandler } from './job-handler.js';
import { QUEUES, type QueueDeclaration, type QueueName } from './queue-catalog.js';
import { QueueRegistry } from './queue-registry.service.js';
import { throttledWarn } from './throttled-warn.js';

/**
 * A job's lock lasts this long and is renewed at half of it while the job runs. When a worker
 * dies mid-job, another worker's stalled-job check (every STALLED_CHECK_MS) finds the lock expired
 * and runs the job again: within about 15 s instead of BullMQ's default of up to a minute.
 */
const LOCK_MS = 10_000;
const STALLED_CHECK_MS = 5_000;

interface RunningWorker {
  readonly queue: QueueName;
  readonly worker: Worker;
  /** Ours (BullMQ only borrows it), so we close it. */
  readonly connection: Redis;
}

/**
 * The consumer side, in the worker role only: one BullMQ Worker per declared queue, dispatching
 * each job to the provider registered for it with @JobHandler. Start-up fails, naming the queue
 * and job, unless every declared job has exactly one handler. Declared schedules are upserted at
 * start and again whenever Redis comes back (a restarted Redis may have lost them).
 */
@Injectable()
export class QueueWorkers implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger('QueueWorkers');
  private readonly warn = throttledWarn(this.log);
  private handlers = new Map<string, Map<string, FoundHandler>>();
  private readonly workers: RunningWorker[] = [];
  private stopping = false;
  private readonly duration: Histogram<'queue' | 'job' | 'outcome'>;
  private readonly failures: Counter<'queue' | 'job' | 'final'>;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly queues: QueueRegistry,
    private readonly redis: RedisService,
    private readonly readiness: ReadinessService,
    metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.duration = new Histogram({
      name: 'meshplane_queue_job_duration_seconds',
      help: 'Time a worker spent on one attempt of a job, by queue, job name and outcome (completed, failed).',
      labelNames: ['queue', 'job', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [metrics.registry],
    });
    this.failures = new Counter({
      name: 'meshplane_queue_job_failures_total',
      help: 'Failed job attempts by queue and job name; final="true" when no attempt is left (the job is recorded as failed).',
      labelNames: ['queue', 'job', 'final'],
      registers: [metrics.registry],
    });
  }

  /** Collects the handlers before anything starts, so a missing one stops the process early. */
  onModuleInit(): void {
    const found = this.discovery.getProviders({ metadataKey: JOB_HANDLER_METADATA.KEY }).flatMap((wrapper) => {
      const key = this.discovery.getMetadataByDecorator(JOB_HANDLER_METADATA, wrapper);
      if (!key) return [];
      const provider = typeof wrapper.name === 'string' ? wrapper.name : String(wrapper.token);
      if (!wrapper.isDependencyTreeStatic() || !wrapper.instance) {
        throw new Error(`job handler ${provider} must be a singleton provider (not request- or transient-scoped)`);
      }
      return [{ queue: key.queue, job: key.job, handler: wrapper.instance as FoundHandler['handler'], provider }];
    });
    this.handlers = resolveJobHandlers(found);
    this.readiness.register('queue-workers', () => {
      const stopped = this.workers.filter((w) => !w.worker.isRunning()).map((w) => w.queue);
      if (stopped.length > 0) throw new Error(`not consuming: ${stopped.join(', ')}`);
    });
  }

  onApplicationBootstrap(): void {
    for (const [queue, declaration] of Object.entries(QUEUES) as [QueueName, QueueDeclaration][]) {
      // BullMQ workers need a connection that never gives up on a command (maxRetriesPerRequest: null);
      // the Worker duplicates it for its blocking fetch.
      const connection = this.redis.duplicateForBlocking();
      connection.on('error', () => undefined); // reported by RedisService and the Worker's 'error' event
      connection.on('ready', () => void this.upsertSchedules(queue, declaration));
      const worker = new Worker(queue, (job: Job) => this.run(queue, job), {
        connection,
        prefix: this.queues.prefix,
        concurrency: declaration.concurrency(this.config),
        lockDuration: LOCK_MS,
        stalledInterval: STALLED_CHECK_MS,
      });
      worker.on('error', (err: Error) => this.warn(`worker of queue ${queue}`, err));
      this.workers.push({ queue, worker, connection });
    }
  }

  /**
   * Before the HTTP server and the pools close: stop taking jobs and let the running ones finish,
   * for at most half of SHUTDOWN_TIMEOUT_MS. A job still running then is abandoned; its lock
   * expires and another worker retries it (handlers are idempotent).
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    const boundMs = Math.floor(this.config.shutdownTimeoutMs / 2);
    let timer: NodeJS.Timeout | undefined;
    const closed = await Promise.race([
      Promise.allSettled(this.workers.map((w) => w.worker.close())).then(() => true),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), boundMs))),
    ]);
    clearTimeout(timer);
    if (!closed) this.log.warn(`jobs still running after ${boundMs} ms of shutdown; they will be retried elsewhere`);
    await Promise.all(
      this.workers.map((w) =>
        closed ? w.connection.quit().catch(() => w.connection.disconnect()) : w.connection.disconnect(),
      ),
    );
  }

  private async run(queue: QueueName, job: Job): Promise<unknown> {
    const found = this.handlers.get(queue)?.get(job.name);
    if (!found) throw new UnrecoverableError(`queue ${queue} declares no job "${job.name}"`);
    const end = this.duration.startTimer({ queue, job: job.name });
    try {
      const result = await found.handler.process(job);
      end({ outcome: 'completed' });
      return result;
    } catch (err) {
      end({ outcome: 'failed' });
      const final = err instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      this.failures.inc({ queue, job: job.name, final: String(final) });
      const message = `queue ${queue} job ${job.name} (${job.id}) attempt ${job.attemptsMade + 1}/${job.opts.attempts ?? 1} failed: ${err instanceof Error ? err.message : String(err)}`;
      if (final) this.log.error(message, err instanceof Error ? err.stack : undefined);
      else this.log.warn(message);
      throw err;
    }
  }

  private async upsertSchedules(queue: QueueName, declaration: QueueDeclaration): Promise<void> {
    for (const schedule of declaration.schedules) {
      if (this.stopping) return;
      try {
        await this.queues.queue(queue).upsertJobScheduler(
          schedule.id,
          { every: schedule.everyMs(this.config) },
          {
            name: schedule.job,
            data: {},
            opts: { attempts: 1, removeOnComplete: true, removeOnFail: { count: 100 } },
          },
        );
      } catch (err) {
        this.log.warn(
          `queue ${queue}: could not upsert schedule ${schedule.id} (${err instanceof Error ? err.message : String(err)}); retrying when Redis reconnects`,
        );
      }
    }
  }
}
