import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import { SESSION_TTL_MS, type SessionObserver, type SessionRecord } from '../sessions/session-registry.js';
import { EndpointRegistry, type EndpointEntry, type EndpointMeshChange } from './endpoint-registry.js';
import { EndpointsQueue } from './endpoints-queue.js';

/**
 * The endpoint source fed by connected proxies: every session of a virtual node that has an
 * endpoint (see proxy-endpoint.ts) is an entry in the EndpointRegistry for as long as the session
 * registry keeps it, with the same TTL and heartbeat, and ENDPOINTS_REMOVAL_GRACE_MS beyond a
 * clean close. When a node's set of endpoints changes, the mesh is marked dirty and an `endpoints`
 * update is enqueued (the sweep re-enqueues a dirty mesh whose enqueue was lost). Errors are
 * logged, never thrown: a proxy is served whether or not its endpoint could be recorded.
 */
@Injectable()
export class ProxyEndpoints implements SessionObserver {
  private readonly log = new Logger(ProxyEndpoints.name);
  private readonly graceMs: number;

  constructor(
    private readonly registry: EndpointRegistry,
    private readonly queue: EndpointsQueue,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.graceMs = config.endpointsRemovalGraceMs;
  }

  async admitted(records: readonly SessionRecord[]): Promise<void> {
    const entries = records.flatMap((r) => entryOf(r) ?? []);
    if (entries.length === 0) return;
    await this.guard('registering', async () => this.changed(await this.registry.upsert(entries, SESSION_TTL_MS)));
  }

  async removed(records: readonly SessionRecord[]): Promise<void> {
    for (const entry of records.flatMap((r) => entryOf(r) ?? [])) {
      await this.guard('removing', async () => {
        // The endpoint outlives its stream by the grace: a proxy that reconnects at once keeps it.
        const change = await this.registry.remove(entry, this.graceMs);
        if (change.now) await this.changed([{ tenantId: entry.tenantId, meshId: entry.meshId, nodes: [entry.node] }]);
        if (change.later) await this.queue.enqueue(entry.tenantId, entry.meshId, { afterMs: this.graceMs });
      });
    }
  }

  async heartbeat(records: readonly SessionRecord[]): Promise<void> {
    const entries = records.flatMap((r) => entryOf(r) ?? []);
    await this.guard('refreshing', async () => this.changed(await this.registry.upsert(entries, SESSION_TTL_MS)));
  }

  /** Marks the meshes' changed nodes dirty (all of them when not named), then asks for their updates. */
  async changed(meshes: readonly EndpointMeshChange[]): Promise<void> {
    for (const mesh of meshes) {
      await this.registry.markDirty(mesh, mesh.nodes);
      await this.queue.enqueue(mesh.tenantId, mesh.meshId);
    }
  }

  private async guard(what: string, run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (err) {
      this.log.warn(`${what} proxy endpoints: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

function entryOf(record: SessionRecord): EndpointEntry | undefined {
  if (record.kind !== 'virtualNode' || !record.endpoint) return undefined;
  return {
    tenantId: record.tenantId,
    meshId: record.meshId,
    node: record.name,
    sessionId: record.sessionId,
    endpoint: record.endpoint,
  };
}
