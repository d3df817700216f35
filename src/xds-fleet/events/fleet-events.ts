import { z } from 'zod';

/**
 * What the fleet tells the api role about a tenant's meshes as it happens (docs/adr/0019):
 * small per-tenant events on Redis pub/sub, so that every api replica can feed the GraphQL
 * subscriptions of its own websocket clients, whichever shard or worker saw the change.
 *
 * Events are hints, not state: the registry (session-registry.ts) and the compiled store stay the
 * truth, and a subscriber that needs a state (propagation progress) reads it again when told.
 * Pub/sub delivers only to connected subscribers; nothing is replayed.
 */

/** Identifies the proxy an event is about; the tenant is the channel's. */
const proxyFields = {
  meshId: z.string().min(1),
  meshName: z.string().min(1),
  sessionId: z.string().min(1),
  kind: z.enum(['virtualNode', 'virtualGateway']),
  name: z.string().min(1),
  nodeId: z.string(),
  protocol: z.enum(['sotw', 'delta']),
  at: z.string(),
};

const nack = z.object({
  typeUrl: z.string(),
  version: z.string(),
  message: z.string(),
  at: z.string(),
  resources: z.array(z.object({ name: z.string(), arn: z.string().optional() })),
});

const rejection = z.object({
  generation: z.string(),
  at: z.string(),
  reason: z.string(),
  problems: z.array(z.object({ arn: z.string(), message: z.string(), regression: z.boolean() })),
});

const event = z.discriminatedUnion('type', [
  /** A stream was admitted and attached on a shard. */
  z.object({ type: z.literal('proxyConnected'), ...proxyFields }),
  /** An attached stream ended (the registry record is gone). */
  z.object({ type: z.literal('proxyDisconnected'), ...proxyFields }),
  /** The proxy refused a response: Envoy's error text and the resources behind it. */
  z.object({ type: z.literal('proxyNacked'), ...proxyFields, nack }),
  /** The proxy ACKed everything the compiled mesh `version` has for it. */
  z.object({ type: z.literal('proxySynced'), ...proxyFields, version: z.string() }),
  /** A change of the mesh was committed (its generation moved): a compile follows. */
  z.object({ type: z.literal('meshChanged'), meshId: z.string().min(1), at: z.string() }),
  /** A compile was published (or found identical to what is published): `version` is served now. */
  z.object({
    type: z.literal('meshCompiled'),
    meshId: z.string().min(1),
    meshName: z.string().min(1),
    generation: z.string(),
    version: z.string(),
    at: z.string(),
  }),
  /** A compile was not published (ADR 0006): the proxies keep the last good configuration. */
  z.object({
    type: z.literal('meshRejected'),
    meshId: z.string().min(1),
    meshName: z.string().min(1),
    rejection,
  }),
]);

export type FleetEvent = z.infer<typeof event>;
export type ProxyFleetEvent = Extract<
  FleetEvent,
  { type: 'proxyConnected' | 'proxyDisconnected' | 'proxyNacked' | 'proxySynced' }
>;

const batch = z.object({
  events: z.array(z.unknown()),
  /** Events left out of this batch because a shard had more than it sends per flush. */
  dropped: z.number().int().nonnegative().optional(),
});

export interface FleetEventBatch {
  readonly events: readonly FleetEvent[];
  /** Events left out: more than a shard sends per flush, or of a kind this version does not know. */
  readonly dropped: number;
}

/** A tenant's event channel in an installation's namespace (RedisService.namespace). */
export const fleetEventsChannel = (namespace: string, tenantId: string) => `${namespace}:events:{tenant/${tenantId}}`;

/**
 * Set (with a TTL, refreshed) by every api replica that has subscribers of the tenant: shards skip
 * publishing the proxy events of tenants nobody listens to (at 10,000 proxies, a change is 10,000 ACKs).
 */
export const fleetEventsInterestKey = (namespace: string, tenantId: string) =>
  `${namespace}:events:{tenant/${tenantId}}:listening`;

/** How long an interest mark lives without being refreshed; api replicas refresh it every third of that. */
export const INTEREST_TTL_MS = 30_000;

/**
 * A batch as received, or `undefined` for a message that is not one (garbage): subscribers then
 * treat it as "events may have been missed". An event of a kind this version does not know (a
 * newer version's, during a rolling upgrade) is counted as dropped.
 */
export function parseFleetEventBatch(message: string): FleetEventBatch | undefined {
  let json: unknown;
  try {
    json = JSON.parse(message);
  } catch {
    return undefined;
  }
  const parsed = batch.safeParse(json);
  if (!parsed.success) return undefined;
  const events: FleetEvent[] = [];
  for (const raw of parsed.data.events) {
    const one = event.safeParse(raw);
    if (one.success) events.push(one.data);
  }
  return { events, dropped: (parsed.data.dropped ?? 0) + parsed.data.events.length - events.length };
}
