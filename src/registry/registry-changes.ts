/**
 * The seam between whoever writes registry instances (the API, the EC2 sync worker) and the
 * xDS fleet's EDS fast path: after a transaction that changed instances of some services has
 * committed, the writer tells the listener which services changed, and the listener rebuilds the
 * ClusterLoadAssignments of the virtual nodes that select them (no mesh compile).
 *
 * Writers inject the listener by {@link REGISTRY_CHANGES}; calling it is level-triggered repair's
 * first chance, not its only one, so a writer logs a failure rather than undoing its commit.
 * For the repair to find a change whose notification was lost, a writer stamps each changed
 * service in the same transaction as its instance writes (`RegistryStore.touchService`:
 * `registry_services.updated_at = now()`); the endpoints sweep re-applies recently stamped
 * services (ADR 0021).
 */
export interface RegistryChangeListener {
  servicesChanged(tenantId: string, serviceIds: readonly string[]): Promise<void>;
}

export const REGISTRY_CHANGES = Symbol('REGISTRY_CHANGES');
