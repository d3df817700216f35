import { DiscoveryService } from '@nestjs/core';
import type { Job } from 'bullmq';
import { declaredJobs, type JobData, type JobName, type QueueDeclaration, type QueueName } from './queue-catalog.js';

/**
 * Handles one job of one queue. `process` must be idempotent: a job can run more than once
 * (retries, a worker that died mid-job). What it returns is stored as the job's result.
 */
export interface JobProcessor<Q extends QueueName, J extends JobName<Q>> {
  process(job: Job<JobData<Q, J>>): Promise<unknown>;
}

export interface JobHandlerKey {
  readonly queue: string;
  readonly job: string;
}

/** Nest's discoverable metadata behind @JobHandler; QueueWorkers finds the decorated providers by it. */
export const JOB_HANDLER_METADATA = DiscoveryService.createDecorator<JobHandlerKey>();

/**
 * Registers a provider as THE handler of one declared job:
 *
 * ```ts
 * @Injectable()
 * @JobHandler('reconcile', 'reconcile')
 * export class ReconcileJobHandler implements JobProcessor<'reconcile', 'reconcile'> { ... }
 * ```
 *
 * The class must also be a provider of a module the worker role imports; at start-up the worker
 * collects every decorated provider and refuses to start when a declared job has no handler or
 * two.
 */
export function JobHandler<Q extends QueueName, J extends JobName<Q>>(queue: Q, job: J) {
  return <C extends abstract new (...args: any[]) => JobProcessor<Q, J>>(target: C): void => {
    (JOB_HANDLER_METADATA({ queue, job }) as ClassDecorator)(target);
  };
}

/** A handler found at start-up, with where it came from (for error messages). */
export interface FoundHandler extends JobHandlerKey {
  readonly handler: { process(job: Job): Promise<unknown> };
  readonly provider: string;
}

/** Thrown at start-up of the worker role when the handlers do not match the queue catalog. */
export class JobHandlerRegistryError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      `The worker cannot start; job handlers do not match the queue catalog:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'JobHandlerRegistryError';
  }
}

/**
 * Matches the handlers found against the catalog: every declared job gets exactly one handler,
 * and every handler handles a declared job. Returns handlers by queue, then by job name; throws
 * with every problem listed otherwise.
 */
export function resolveJobHandlers(
  found: readonly FoundHandler[],
  catalog?: Readonly<Record<string, QueueDeclaration>>,
): Map<string, Map<string, FoundHandler>> {
  const declared = declaredJobs(catalog);
  const problems: string[] = [];
  const byQueue = new Map<string, Map<string, FoundHandler>>();
  for (const { queue, job } of declared) {
    const matches = found.filter((h) => h.queue === queue && h.job === job);
    if (matches.length === 0) {
      problems.push(
        `queue "${queue}" job "${job}" has no handler (decorate a provider with @JobHandler('${queue}', '${job}') and import its module in the worker role)`,
      );
    } else if (matches.length > 1) {
      problems.push(
        `queue "${queue}" job "${job}" has ${matches.length} handlers (${matches.map((m) => m.provider).join(', ')}); exactly one is allowed`,
      );
    } else {
      const jobs = byQueue.get(queue) ?? new Map<string, FoundHandler>();
      jobs.set(job, matches[0]!);
      byQueue.set(queue, jobs);
    }
  }
  for (const h of found) {
    if (!declared.some((d) => d.queue === h.queue && d.job === h.job)) {
      problems.push(
        `${h.provider} handles queue "${h.queue}" job "${h.job}", which the queue catalog (src/platform/queues/queue-catalog.ts) does not declare`,
      );
    }
  }
  if (problems.length > 0) throw new JobHandlerRegistryError(problems);
  return byQueue;
}
