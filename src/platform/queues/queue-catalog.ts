import type { AppConfig } from '../../config/config.schema.js';

/** A job's payload type, carried by the catalog for typing only. */
export interface Payload<T> {
  readonly __payload?: T;
}
const payload = <T>(): Payload<T> => ({});

/** A job the queue's worker creates on a schedule (a BullMQ job scheduler, upserted by every worker). */
export interface ScheduleDeclaration {
  /** The scheduler's id: stable, so every worker replica upserts the same one. */
  readonly id: string;
  readonly job: string;
  readonly everyMs: (config: AppConfig) => number;
}

export interface QueueDeclaration {
  readonly doc: string;
  readonly jobs: Readonly<Record<string, Payload<unknown>>>;
  /** Jobs one worker process runs at once on this queue. */
  readonly concurrency: (config: AppConfig) => number;
  readonly schedules: readonly ScheduleDeclaration[];
}

/** The payload of a `reconcile` job: the mesh to compile. Ids only, never names (names can be reused). */
export interface ReconcileJobData {
  readonly tenantId: string;
  readonly meshId: string;
}

/**
 * The payload of an `endpoints` `update` job: the mesh whose virtual nodes' endpoints changed, and
 * when (ms since the epoch): what the change-to-ACK clock of the resulting push starts from.
 */
export interface EndpointsJobData {
  readonly tenantId: string;
  readonly meshId: string;
  readonly changedAt: number;
  /**
   * Rebuild every assignment of the mesh, not only the nodes marked dirty: set for a change no
   * node was marked for (a removal's grace ending). Absent, an update with no marks does nothing.
   */
  readonly all?: boolean;
}

/** The payload of an `ec2-sync` `sync` job: the sync source to run. */
export interface Ec2SyncJobData {
  readonly tenantId: string;
  readonly sourceId: string;
}

/**
 * Every queue of the platform, the jobs on it and their schedules, declared once. Producers add
 * only declared jobs (typed by this table); the worker role refuses to start unless every
 * declared job has exactly one handler (`@JobHandler`, see job-handler.ts).
 */
export const QUEUES = {
  reconcile: {
    doc: 'Compiles meshes into Envoy configuration (src/xds-fleet/reconcile).',
    jobs: {
      /** Compile one mesh at its latest committed state. One pending job per mesh. */
      reconcile: payload<ReconcileJobData>(),
      /** Enqueue `reconcile` for every mesh whose generation is ahead of its compiled generation. */
      sweep: payload<Record<string, never>>(),
    },
    concurrency: (config) => config.reconcileConcurrency,
    schedules: [{ id: 'reconcile-sweep', job: 'sweep', everyMs: (config) => config.reconcileSweepIntervalMs }],
  },
  endpoints: {
    doc: 'Applies endpoint changes (proxies connecting and leaving) to compiled meshes without compiling them again (src/xds-fleet/endpoints).',
    jobs: {
      /** Rebuild the mesh's ClusterLoadAssignments from its live endpoints and publish them. One pending job per mesh. */
      update: payload<EndpointsJobData>(),
      /** Expire the endpoints of proxies whose shard died; enqueue `update` for every mesh whose endpoints changed. */
      sweep: payload<Record<string, never>>(),
    },
    // Updates are small (no database, no translation): the reconcile setting bounds them too.
    concurrency: (config) => config.reconcileConcurrency,
    schedules: [{ id: 'endpoints-sweep', job: 'sweep', everyMs: (config) => config.endpointsSweepIntervalMs }],
  },
  invoices: {
    doc: 'Closes the invoices of months past their grace: final and immutable from then on (src/billing/invoices).',
    jobs: {
      /** Close every month that ended more than BILLING_CLOSE_GRACE_HOURS ago, for every tenant. Idempotent. */
      close: payload<Record<string, never>>(),
    },
    // One close at a time: it walks every tenant, and two would only wait on each other's locks.
    concurrency: () => 1,
    schedules: [{ id: 'invoices-close', job: 'close', everyMs: (config) => config.billingCloseIntervalMs }],
  },
  metering: {
    doc: 'Rolls metered usage up into hourly buckets and samples the resources tenants hold (src/billing/metering).',
    jobs: {
      /** Write the buckets of every closed hour not rolled up yet, then correct rolled-up hours for late data. */
      rollup: payload<Record<string, never>>(),
      /** Sample the resources every tenant holds into the current hour. */
      sample: payload<Record<string, never>>(),
    },
    // One rollup at a time is all there is to do; two would only wait on each other's locks.
    concurrency: () => 1,
    schedules: [
      { id: 'metering-rollup', job: 'rollup', everyMs: (config) => config.meteringRollupIntervalMs },
      { id: 'metering-sample', job: 'sample', everyMs: (config) => config.meteringSampleIntervalMs },
    ],
  },
  'ec2-sync': {
    doc: 'Polls EC2 inventories into the service registry (src/registry/ec2).',
    jobs: {
      /** Run one sync source: DescribeInstances, then apply the difference. Created by the source's own job scheduler (or "sync now"). */
      sync: payload<Ec2SyncJobData>(),
      /** Upsert the job scheduler of every sync source that lacks one; remove those of deleted sources. */
      reschedule: payload<Record<string, never>>(),
    },
    concurrency: (config) => config.ec2SyncConcurrency,
    schedules: [
      { id: 'ec2-sync-reschedule', job: 'reschedule', everyMs: (config) => config.ec2SyncRescheduleIntervalMs },
    ],
  },
} as const satisfies Record<string, QueueDeclaration>;

export type Queues = typeof QUEUES;
export type QueueName = keyof Queues & string;
export type JobName<Q extends QueueName> = keyof Queues[Q]['jobs'] & string;
export type JobData<Q extends QueueName, J extends JobName<Q>> =
  Queues[Q]['jobs'][J] extends Payload<infer T> ? T : never;

/** The catalog as plain data, for code that walks every queue and job. */
export function declaredJobs(
  catalog: Readonly<Record<string, QueueDeclaration>> = QUEUES,
): { queue: string; job: string }[] {
  return Object.entries(catalog).flatMap(([queue, q]) => Object.keys(q.jobs).map((job) => ({ queue, job })));
}
