import { z } from 'zod';

const RULE = 'must be an integer from 1 to 1000000';
const limit = z.number({ error: RULE }).int(RULE).min(1, RULE).max(1_000_000, RULE);

/**
 * The quotas a plan sets, enforced by the API (resource counts, tags, request rate) and the xDS
 * fleet (connected proxies). Stored as JSON on the plan row and checked against this schema
 * whenever it is written or read, so a hand-edited row cannot hand a hot path `undefined`.
 */
export const planQuotasSchema = z.strictObject({
  meshesPerAccount: limit,
  virtualNodesPerMesh: limit,
  virtualServicesPerMesh: limit,
  virtualRoutersPerMesh: limit,
  routesPerVirtualRouter: limit,
  virtualGatewaysPerMesh: limit,
  gatewayRoutesPerVirtualGateway: limit,
  backendsPerVirtualNode: limit,
  /** Fixed by the App Mesh model (list max 10); a plan may only lower it. */
  weightedTargetsPerRoute: limit.max(10, 'must be at most 10 (the App Mesh model allows 10 targets)'),
  /** The App Mesh model allows 50 tags per request; a plan may only lower the total. */
  tagsPerResource: limit.max(50, 'must be at most 50 (the App Mesh model allows 50 tags)'),
  connectedProxiesPerVirtualNode: limit,
  connectedProxiesPerVirtualGateway: limit,
  /** API requests per second per tenant (REST and GraphQL together), above which TooManyRequestsException. */
  apiRequestsPerSecond: limit,
  /** EC2 sync sources per account (src/registry/ec2); a plan written without it gets the standard plan's 10. */
  ec2SyncSourcesPerAccount: limit.default(10),
});

export type PlanQuotas = Readonly<z.infer<typeof planQuotasSchema>>;

/** The most tags one TagResource request may carry (the App Mesh model's list maximum). */
export const TAGS_PER_REQUEST = 50;
