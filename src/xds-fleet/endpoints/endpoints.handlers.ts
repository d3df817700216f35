import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { JobHandler, type JobProcessor } from '../../platform/queues/job-handler.js';
import type { EndpointsJobData } from '../../platform/queues/queue-catalog.js';
import { SESSION_TTL_MS } from '../sessions/session-registry.js';
import { EndpointMetrics } from './endpoint.metrics.js';
import { EndpointRegistry, type EndpointMeshRef } from './endpoint-registry.js';
import { EndpointUpdater, type EndpointUpdateOutcome } from './endpoint-updater.js';
import { EndpointsQueue } from './endpoints-queue.js';
import { RegistryChanges } from './registry-changes.listener.js';

/** Meshes the sweep works on at once. */
const SWEEP_PARALLEL = 32;

/**
 * `update`: rebuilds one mesh's ClusterLoadAssignments from its live endpoints and publishes them
 * (the fast path, EndpointUpdater). Idempotent: it always applies the current endpoints.
 */
@Injectable()
@JobHandler('endpoints', 'update')
export class EndpointsUpdateHandler implements JobProcessor<'endpoints', 'update'> {
  constructor(
    private readonly updater: EndpointUpdater,
    private readonly queue: EndpointsQueue,
  ) {}

  async process(job: Job<EndpointsJobData>): Promise<EndpointUpdateOutcome> {
    const { tenantId, meshId, changedAt, all } = job.data;
    // Changes from now on may be missed by this update: they are debounced into the next one.
    await this.queue.updateStarting(meshId);
    return this.updater.update({ tenantId, meshId }, Math.min(changedAt, job.timestamp), { all: all === true });
  }
}

/**
 * `sweep` (every ENDPOINTS_SWEEP_INTERVAL_MS): the endpoints of proxies whose shard died expire
 * with their sessions, and nobody closes their streams to say so; the sweep drops them and marks
 * their meshes dirty. Then it enqueues an update for every dirty mesh: one whose change was
 * recorded but whose enqueue was lost is repaired here. Meshes without entries for twice the
 * session TTL leave its work list. Registry services stamped since the previous sweep (half a
 * minute late, see RegistryChanges.repair) are applied again first, so a registry change whose
 * notification was lost is repaired too.
 */
@Injectable()
@JobHandler('endpoints', 'sweep')
export class EndpointsSweepHandler implements JobProcessor<'endpoints', 'sweep'> {
  constructor(
    private readonly registry: EndpointRegistry,
    private readonly queue: EndpointsQueue,
    private readonly metrics: EndpointMetrics,
    private readonly registryChanges: RegistryChanges,
  ) {}

  async process(): Promise<{ meshes: number; expired: number; enqueued: number; registryServices: number }> {
    const registryServices = await this.registryChanges.repair();
    const now = Date.now();
    const idleSince = now - 2 * SESSION_TTL_MS;
    const meshes = await this.registry.meshes();
    let expired = 0;
    const sweep = async (mesh: EndpointMeshRef & { seenAt: number }) => {
      if (await this.registry.purge(mesh, now)) {
        expired++;
        await this.registry.markDirty(mesh);
      } else if (mesh.seenAt < idleSince && !(await this.registry.hasEntries(mesh))) {
        await this.registry.forget(mesh, idleSince);
      }
    };
    for (let i = 0; i < meshes.length; i += SWEEP_PARALLEL) {
      await Promise.all(meshes.slice(i, i + SWEEP_PARALLEL).map(sweep));
    }
    this.metrics.expired.inc(expired);
    const dirty = await this.registry.dirty();
    for (let i = 0; i < dirty.length; i += SWEEP_PARALLEL) {
      await Promise.all(dirty.slice(i, i + SWEEP_PARALLEL).map((m) => this.queue.enqueue(m.tenantId, m.meshId)));
    }
    return { meshes: meshes.length, expired, enqueued: dirty.length, registryServices };
  }
}
