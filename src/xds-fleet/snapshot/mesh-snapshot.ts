/**
 * One mesh at one generation, as plain serialisable data: the translator's only input. Specs are
 * the App Mesh specs as stored (already validated against the model); names and ARNs are
 * resolved so the translator needs no lookups outside this object.
 */
export interface MeshSnapshot {
  readonly accountId: string;
  readonly region: string;
  readonly meshName: string;
  readonly meshArn: string;
  /** The mesh's generation when the snapshot was read (a decimal string: it is a bigint). */
  readonly generation: string;
  readonly spec: unknown;
  /** The mesh's own API version (its spec). */
  readonly meshVersion?: number;
  readonly virtualNodes: readonly SnapshotResource[];
  readonly virtualServices: readonly SnapshotResource[];
  readonly virtualRouters: readonly (SnapshotResource & { readonly routes: readonly SnapshotResource[] })[];
  readonly virtualGateways: readonly (SnapshotResource & { readonly gatewayRoutes: readonly SnapshotResource[] })[];
  /** Known endpoints of virtual nodes discovered by the control plane (not by DNS), by node name. */
  readonly endpoints: Readonly<Record<string, readonly SnapshotEndpoint[]>>;
}

export interface SnapshotResource {
  readonly name: string;
  readonly arn: string;
  readonly spec: unknown;
  /** The resource's API version (+1 per update): lets a re-translation find what changed without comparing specs. */
  readonly version?: number;
}

export interface SnapshotEndpoint {
  readonly address: string;
  /** 0: the target listener's port. */
  readonly port: number;
  readonly zone?: string;
  /**
   * Set by the service registry (a Cloud Map instance's custom health status, ADR 0021): Envoy
   * balances over HEALTHY and UNKNOWN endpoints and leaves UNHEALTHY ones out. Connected
   * proxies have none (their stream being alive is their health).
   */
  readonly health?: 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN';
}

/**
 * Every consistency problem of a snapshot, collected (not just the first): references to
 * resources that are not in it. The API enforces these on write; a snapshot can still violate
 * them if it was assembled wrongly, and the translator must never see such a snapshot.
 */
export function validateSnapshot(snapshot: MeshSnapshot): string[] {
  const problems: string[] = [];
  const nodes = new Set(snapshot.virtualNodes.map((n) => n.name));
  const routers = new Set(snapshot.virtualRouters.map((r) => r.name));
  const services = new Set(snapshot.virtualServices.map((s) => s.name));
  for (const service of snapshot.virtualServices) {
    const provider = (
      service.spec as {
        provider?: { virtualNode?: { virtualNodeName?: string }; virtualRouter?: { virtualRouterName?: string } };
      }
    ).provider;
    const node = provider?.virtualNode?.virtualNodeName;
    const router = provider?.virtualRouter?.virtualRouterName;
    if (node !== undefined && !nodes.has(node))
      problems.push(`${service.arn}: provider virtual node ${node} is not in the mesh`);
    if (router !== undefined && !routers.has(router))
      problems.push(`${service.arn}: provider virtual router ${router} is not in the mesh`);
  }
  for (const router of snapshot.virtualRouters) {
    for (const route of router.routes) {
      for (const target of weightedTargetsOf(route.spec)) {
        if (!nodes.has(target)) problems.push(`${route.arn}: weighted target ${target} is not in the mesh`);
      }
    }
  }
  for (const gateway of snapshot.virtualGateways) {
    for (const route of gateway.gatewayRoutes) {
      for (const target of gatewayTargetsOf(route.spec)) {
        if (!services.has(target)) problems.push(`${route.arn}: target virtual service ${target} is not in the mesh`);
      }
    }
  }
  return problems;
}

const ROUTE_MEMBERS = ['httpRoute', 'http2Route', 'grpcRoute', 'tcpRoute'] as const;

/** The virtual nodes a route's weighted targets name. */
export function weightedTargetsOf(spec: unknown): string[] {
  const s = spec as Record<string, { action?: { weightedTargets?: { virtualNode: string }[] } } | undefined>;
  return ROUTE_MEMBERS.flatMap((m) => s[m]?.action?.weightedTargets?.map((t) => t.virtualNode) ?? []);
}

/** The virtual services a gateway route targets. */
export function gatewayTargetsOf(spec: unknown): string[] {
  const s = spec as Record<
    string,
    { action?: { target?: { virtualService?: { virtualServiceName: string } } } } | undefined
  >;
  return ROUTE_MEMBERS.flatMap((m) => {
    const name = s[m]?.action?.target?.virtualService?.virtualServiceName;
    return name === undefined ? [] : [name];
  });
}
