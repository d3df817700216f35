import { getOperationAST, parse } from 'graphql';
import type { ApiRequestClass } from '../../tenants/auth/api-usage.js';

/**
 * How a GraphQL request is billed: a write when the operation it runs is a mutation, a read
 * otherwise (queries, and documents that do not parse or name no runnable operation: the engine
 * refuses those without changing anything). GET requests can only query.
 */
export function graphqlRequestClass(method: string, body: unknown): ApiRequestClass {
  if (method !== 'POST' || typeof body !== 'object' || body === null) return 'read';
  const { query, operationName } = body as { query?: unknown; operationName?: unknown };
  if (typeof query !== 'string') return 'read';
  try {
    const operation = getOperationAST(
      parse(query, { noLocation: true }),
      typeof operationName === 'string' ? operationName : undefined,
    );
    return operation?.operation === 'mutation' ? 'write' : 'read';
  } catch {
    return 'read';
  }
}
