import { SetMetadata } from '@nestjs/common';

/** How an API request is billed: reading (Describe, List, GraphQL queries) or changing something. */
export type ApiRequestClass = 'read' | 'write';

/**
 * Told of every authenticated API request that passed the tenant's rate limit, by tenant and
 * class: what API usage metering counts (src/billing/metering). Must return at once, without I/O
 * on the request's path, and never throw.
 */
export interface ApiUsageListener {
  counted(tenantId: string, requestClass: ApiRequestClass): void;
}
export const API_USAGE_LISTENER = Symbol('API_USAGE_LISTENER');

/** REST requests are classed by method: GET and HEAD read, everything else writes. */
export function restRequestClass(method: string): ApiRequestClass {
  return method === 'GET' || method === 'HEAD' ? 'read' : 'write';
}

export const CLASSED_BY_HANDLER = 'meshplane:api-classed-by-handler';
/**
 * The route classes (and reports) its requests itself, after the guard: GraphQL, whose POSTs
 * are queries or mutations according to their document.
 */
export const ClassedByHandler = () => SetMetadata(CLASSED_BY_HANDLER, true);
