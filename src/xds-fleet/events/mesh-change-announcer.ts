import { Injectable } from '@nestjs/common';
import type { MeshChangeListener } from '../../meshes/resources/mesh-change-listener.js';
import { ReconcileQueue } from '../reconcile/reconcile-queue.js';
import { FleetEventPublisher } from './fleet-event-publisher.js';

/**
 * The resource model's MeshChangeListener: after a commit, the reconcile queue gets the mesh (the
 * compile), and the tenant's subscribers hear that its generation moved (a `meshChanged` fleet
 * event, so that a console's progress shows the change on its way before it is compiled).
 * Never rejects, like the queue's listener: the event is fire-and-forget.
 */
@Injectable()
export class MeshChangeAnnouncer implements MeshChangeListener {
  constructor(
    private readonly reconcile: ReconcileQueue,
    private readonly events: FleetEventPublisher,
  ) {}

  async meshChanged(tenantId: string, meshId: string): Promise<void> {
    void this.events.publishNow(tenantId, [{ type: 'meshChanged', meshId, at: new Date().toISOString() }]);
    await this.reconcile.meshChanged(tenantId, meshId);
  }
}
