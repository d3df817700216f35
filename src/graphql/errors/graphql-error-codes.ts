import type { AuthErrorCode } from '../../common/errors/auth-error.js';
import type { DomainErrorCode } from '../../common/errors/domain-error.js';

/**
 * The stable `errors[].extensions.code` values of the GraphQL API (docs/api/graphql.md). Clients
 * branch on these, never on messages.
 */
export type GraphqlErrorCode =
  | 'VALIDATION'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'RESOURCE_IN_USE'
  | 'LIMIT_EXCEEDED'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'THROTTLED'
  | 'UNAVAILABLE'
  | 'BAD_REQUEST'
  | 'GRAPHQL_VALIDATION_FAILED'
  | 'INTERNAL';

/** Exhaustive, like DOMAIN_TO_REST: a new domain code fails to compile until it has a GraphQL code. */
export const DOMAIN_TO_GRAPHQL: Readonly<Record<DomainErrorCode, GraphqlErrorCode>> = {
  BAD_REQUEST: 'VALIDATION',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  RESOURCE_IN_USE: 'RESOURCE_IN_USE',
  LIMIT_EXCEEDED: 'LIMIT_EXCEEDED',
  TOO_MANY_TAGS: 'LIMIT_EXCEEDED',
  TOO_MANY_REQUESTS: 'THROTTLED',
  FORBIDDEN: 'FORBIDDEN',
  SERVICE_UNAVAILABLE: 'UNAVAILABLE',
};

/** Every authentication failure is UNAUTHENTICATED, but a suspended tenant's, which is refused, not unknown. */
export const AUTH_TO_GRAPHQL: Readonly<Record<AuthErrorCode, GraphqlErrorCode>> = {
  MISSING_CREDENTIALS: 'UNAUTHENTICATED',
  MALFORMED_CREDENTIALS: 'UNAUTHENTICATED',
  UNKNOWN_CREDENTIALS: 'UNAUTHENTICATED',
  REVOKED_CREDENTIALS: 'UNAUTHENTICATED',
  SIGNATURE_MISMATCH: 'UNAUTHENTICATED',
  SIGNATURE_EXPIRED: 'UNAUTHENTICATED',
  WRONG_SCOPE: 'UNAUTHENTICATED',
  TENANT_SUSPENDED: 'FORBIDDEN',
};

/** The HTTP status of a response that carries no data, only this error (GraphQL over HTTP). */
export const GRAPHQL_CODE_STATUS: Readonly<Record<GraphqlErrorCode, number>> = {
  VALIDATION: 400,
  NOT_FOUND: 200,
  CONFLICT: 200,
  RESOURCE_IN_USE: 200,
  LIMIT_EXCEEDED: 200,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  THROTTLED: 429,
  UNAVAILABLE: 503,
  BAD_REQUEST: 400,
  GRAPHQL_VALIDATION_FAILED: 400,
  INTERNAL: 500,
};
