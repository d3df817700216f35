/**
 * Bounds on one GraphQL operation (ADR 0017), on top of the HTTP layer's (1 MiB body, timeouts,
 * the tenant's rate limit once per request). Constants, not configuration: they protect the
 * server, and every legitimate query of the current schema stays well inside them.
 */
export const GRAPHQL_LIMITS = {
  /**
   * Deepest field nesting. The deepest resolvers, `meshes → nodes → virtualGateways → nodes →
   * gatewayRoutes → nodes → spec`, are 7 deep, and a typed spec adds up to 8 levels of plain data
   * below (`backends → virtualService → clientPolicy → tls → validation → subjectAlternativeNames
   * → match → exact`): 16 lets every field of the schema be asked for; the cost rule bounds width.
   */
  maxDepth: 16,
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
