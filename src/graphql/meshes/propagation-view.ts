import type { MeshStatus } from '../../xds-fleet/status/mesh-status.service.js';
import type { MeshPropagation } from './mesh-propagation.models.js';

/** A mesh's status as `Mesh.propagation` and the propagation subscriptions show it. */
export function propagationView(status: MeshStatus): MeshPropagation {
  const { proxyDetails, ...shown } = status;
  // The latest `syncedAt` of the proxies holding the compiled version: when the change last got further.
  let lastAckAt: string | undefined;
  for (const p of proxyDetails) {
    if (p.inSync && p.syncedAt !== undefined && (lastAckAt === undefined || p.syncedAt > lastAckAt))
      lastAckAt = p.syncedAt;
  }
  return { ...shown, problems: [...status.problems], ...(lastAckAt ? { lastAckAt } : {}) };
}
