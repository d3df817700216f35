/**
 * Bounds on one GraphQL operation (ADR 0017), on top of the HTTP layer's (1 MiB body, timeouts,
 * the tenant's rate limit once per request). Constants, not configuration: they protect the
 * server, and every legitimate query of the current schema stays well inside them.
 */
export const GRAPHQL_LIMITS = {
  /** Deepest field nesting; `meshes → virtualRouters → routes → spec` is 7. */
  maxDepth: 10,
  /** Worst-case number of fields resolved, connections multiplied by their page size (query-cost.rule.ts). */
  maxCost: 10_000,
  /**
   * Subscriptions one websocket runs at once (ADR 0019). A console watches a few meshes per
   * page; each subscription holds a queue and a listener, so a connection's memory stays bounded.
   */
  maxSubscriptionsPerConnection: 25,
  /** Events a subscription keeps for a client that reads slowly; older ones are dropped. */
  subscriptionQueue: 1_000,
} as const;
