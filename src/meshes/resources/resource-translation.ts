/**
 * Injection token of the ResourceTranslationReader (provided by the xDS fleet's status module,
 * src/xds-fleet/status). Optional: without it, Describe shows App Mesh's members only.
 */
export const RESOURCE_TRANSLATION = Symbol('RESOURCE_TRANSLATION');

/**
 * What the control plane made of a resource's configuration when it last compiled its mesh into
 * proxy configuration. A meshplane extension, shown next to App Mesh's own `status` (which keeps
 * App Mesh's meaning: ACTIVE/INACTIVE/DELETED); see docs/api/app-mesh.md.
 *
 * - `OK`: translated without a problem.
 * - `DEGRADED`: it has a problem (`reason`); the part the problem affects is left out of what
 *   proxies are served, the rest is served.
 * - `REJECTED`: this version is not served: its problem would have removed configuration the
 *   proxies are served (that compile of the mesh was not published), or the encoder refused what
 *   it translates to (the proxies keep its last good version), or the compile of its generation
 *   failed (retried with backoff). `reason` says which.
 * - `PENDING`: this version of the resource has not been compiled yet.
 */
export interface ResourceTranslationStatus {
  readonly translation: 'OK' | 'DEGRADED' | 'REJECTED' | 'PENDING';
  /** Why it is DEGRADED or REJECTED. */
  readonly reason?: string;
  /** The mesh generation of the compile that decided it (a decimal string); absent while PENDING. */
  readonly generation?: string;
}

/** The resource model's port to the compiled state (the resource model does not import the xDS fleet). */
export interface ResourceTranslationReader {
  /**
   * The status of version `version` of the resource `arn` of a tenant's mesh. Must not reject and
   * must answer quickly: a Describe waits for it. `undefined` when it cannot tell (the mesh has
   * not been compiled yet, Redis is away).
   */
  statusOf(
    tenantId: string,
    meshId: string,
    arn: string,
    version: number,
  ): Promise<ResourceTranslationStatus | undefined>;
}
