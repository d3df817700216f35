import { Injectable, Logger } from '@nestjs/common';
import { DomainError } from '../../common/errors/domain-error.js';
import type { TenantScope } from '../../common/tenancy/tenant-scope.js';
import { FleetEventStream } from '../../xds-fleet/events/fleet-event-stream.js';
import type { FleetEventBatch } from '../../xds-fleet/events/fleet-events.js';
import { MeshStatusService } from '../../xds-fleet/status/mesh-status.service.js';
import type { MeshPropagation } from '../meshes/mesh-propagation.models.js';
import { propagationView } from '../meshes/propagation-view.js';

interface Watcher {
  update(propagation: MeshPropagation): void;
  /** The mesh is gone (or its status cannot be read for good): the subscription ends with this. */
  end(error: unknown): void;
}

/** One mesh's propagation as this replica follows it, shared by every subscriber of the mesh. */
interface Watch {
  readonly watchers: Set<Watcher>;
  latest?: MeshPropagation;
  latestJson?: string;
  running: boolean;
  again: boolean;
  stop?: () => void;
}

/**
 * Follows the propagation of meshes that GraphQL subscribers watch: on any fleet event of the
 * mesh (a proxy connected, left, ACKed or NACKed; a compile published or rejected) the status is
 * read again, as `Mesh.propagation` reads it, and subscribers get it when it changed.
 *
 * Reads are coalesced per mesh and replica: one at a time, and one more if events came during
 * it, however many subscribers and events (a shard flushes its events once a second), so a
 * change ACKed by 10,000 proxies costs a few status reads, not 10,000.
 */
@Injectable()
export class PropagationWatches {
  private readonly log = new Logger(PropagationWatches.name);
  private readonly watches = new Map<string, Watch>();

  constructor(
    private readonly stream: FleetEventStream,
    private readonly status: MeshStatusService,
  ) {}

  /** Follows the mesh for `watcher` (who gets the current state first); returns how to stop. */
  async watch(scope: TenantScope, mesh: { meshId: string; meshName: string }, watcher: Watcher): Promise<() => void> {
    const key = `${scope.tenantId}/${mesh.meshId}`;
    let watch = this.watches.get(key);
    if (!watch) {
      const created: Watch = { watchers: new Set(), running: false, again: false };
      watch = created;
      this.watches.set(key, created);
      const refresh = () => this.refresh(scope, mesh.meshName, created);
      try {
        created.stop = await this.stream.listen(scope.tenantId, {
          events: (batch: FleetEventBatch) => {
            if (batch.dropped > 0 || batch.events.some((e) => e.meshId === mesh.meshId)) refresh();
          },
          resync: refresh,
        });
      } catch (err) {
        this.watches.delete(key);
        throw err;
      }
      refresh();
    }
    watch.watchers.add(watcher);
    if (watch.latest) watcher.update(watch.latest);
    const joined = watch;
    return () => {
      joined.watchers.delete(watcher);
      if (joined.watchers.size > 0 || this.watches.get(key) !== joined) return;
      this.watches.delete(key);
      joined.stop?.();
    };
  }

  private refresh(scope: TenantScope, meshName: string, watch: Watch): void {
    if (watch.running) {
      watch.again = true;
      return;
    }
    watch.running = true;
    void (async () => {
      do {
        watch.again = false;
        try {
          const view = propagationView(await this.status.status(scope, meshName));
          const json = JSON.stringify(view);
          if (json === watch.latestJson) continue;
          watch.latest = view;
          watch.latestJson = json;
          for (const w of watch.watchers) w.update(view);
        } catch (err) {
          if (err instanceof DomainError && err.code === 'NOT_FOUND') {
            for (const w of [...watch.watchers]) w.end(err);
            return;
          }
          this.log.warn(`reading the propagation of mesh ${meshName}: ${(err as Error).message}`);
        }
      } while (watch.again);
    })().finally(() => {
      watch.running = false;
    });
  }
}
