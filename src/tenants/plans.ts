/**
 * Plans and their quotas. `standard` mirrors AWS App Mesh's default service quotas, so workloads
 * that fit App Mesh fit here unchanged; the others scale them.
 */
export interface PlanQuotas {
  readonly meshesPerAccount: number;
  readonly virtualNodesPerMesh: number;
  readonly virtualServicesPerMesh: number;
  readonly virtualRoutersPerMesh: number;
  readonly routesPerVirtualRouter: number;
  readonly virtualGatewaysPerMesh: number;
  readonly gatewayRoutesPerVirtualGateway: number;
  readonly backendsPerVirtualNode: number;
  /** Fixed by the App Mesh model (list max 10), the same on every plan. */
  readonly weightedTargetsPerRoute: number;
  readonly tagsPerResource: number;
  readonly connectedProxiesPerVirtualNode: number;
  readonly connectedProxiesPerVirtualGateway: number;
  /** API requests per second per tenant (REST and GraphQL together), above which TooManyRequestsException. */
  readonly apiRequestsPerSecond: number;
  /** EC2 sync sources per account (App Mesh had none; each one is a poller of the customer's AWS account). */
  readonly ec2SyncSourcesPerAccount: number;
}

const APP_MESH_DEFAULTS: PlanQuotas = {
  meshesPerAccount: 15,
  virtualNodesPerMesh: 200,
  virtualServicesPerMesh: 200,
  virtualRoutersPerMesh: 200,
  routesPerVirtualRouter: 50,
  virtualGatewaysPerMesh: 3,
  gatewayRoutesPerVirtualGateway: 10,
  backendsPerVirtualNode: 50,
  weightedTargetsPerRoute: 10,
  tagsPerResource: 50,
  connectedProxiesPerVirtualNode: 50,
  connectedProxiesPerVirtualGateway: 50,
  apiRequestsPerSecond: 200,
  ec2SyncSourcesPerAccount: 10,
};

export const PLANS = {
  free: {
    ...APP_MESH_DEFAULTS,
    meshesPerAccount: 3,
    virtualNodesPerMesh: 20,
    virtualServicesPerMesh: 20,
    virtualRoutersPerMesh: 20,
    connectedProxiesPerVirtualNode: 5,
    connectedProxiesPerVirtualGateway: 5,
    apiRequestsPerSecond: 50,
    ec2SyncSourcesPerAccount: 2,
  },
  standard: APP_MESH_DEFAULTS,
  enterprise: {
    ...APP_MESH_DEFAULTS,
    meshesPerAccount: 100,
    virtualNodesPerMesh: 1000,
    virtualServicesPerMesh: 1000,
    virtualRoutersPerMesh: 1000,
    routesPerVirtualRouter: 200,
    virtualGatewaysPerMesh: 20,
    gatewayRoutesPerVirtualGateway: 100,
    connectedProxiesPerVirtualNode: 500,
    connectedProxiesPerVirtualGateway: 500,
    apiRequestsPerSecond: 5000,
    ec2SyncSourcesPerAccount: 100,
  },
} as const satisfies Record<string, PlanQuotas>;

export type PlanName = keyof typeof PLANS;
export const PLAN_NAMES = Object.keys(PLANS) as PlanName[];
export const DEFAULT_PLAN: PlanName = 'standard';

export function isPlanName(value: string): value is PlanName {
  return Object.hasOwn(PLANS, value);
}

/** The quotas of a tenant's plan; an unknown plan name (removed from the catalogue) gets standard. */
export function quotasOf(plan: string): PlanQuotas {
  return isPlanName(plan) ? PLANS[plan] : PLANS.standard;
}
