/** Injection token of the MeshChangeListener (provided by the reconcile queue, src/xds-fleet/reconcile). */
export const MESH_CHANGE_LISTENER = Symbol('MESH_CHANGE_LISTENER');

/**
 * Told about every committed change that moved a mesh's generation, after the transaction
 * committed: never for a change that rolled back, never before the change is visible to readers.
 * The resource model depends on this port, not on the queue behind it.
 */
export interface MeshChangeListener {
  /**
   * Must not reject and must return within a bound: the API request waits for it, and its
   * answer does not depend on it (a change whose notification was lost is found by the
   * reconciler's sweep).
   */
  meshChanged(tenantId: string, meshId: string): Promise<void>;
}
