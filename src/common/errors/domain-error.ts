/**
 * The closed set of failures a service may report. Services never throw transport errors;
 * each transport maps these codes exhaustively (App Mesh error types on REST, GraphQL codes
 * on GraphQL), so adding a code is a compile error until every mapper handles it.
 */
export const DOMAIN_ERROR_CODES = [
  'BAD_REQUEST',
  'NOT_FOUND',
  'CONFLICT',
  'RESOURCE_IN_USE',
  'LIMIT_EXCEEDED',
  'TOO_MANY_TAGS',
  'TOO_MANY_REQUESTS',
  'FORBIDDEN',
  'SERVICE_UNAVAILABLE',
] as const;
export type DomainErrorCode = (typeof DOMAIN_ERROR_CODES)[number];

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    /** For retryable failures: seconds after which a retry is sensible. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const badRequest = (message: string) => new DomainError('BAD_REQUEST', message);
export const notFound = (message: string) => new DomainError('NOT_FOUND', message);
export const conflict = (message: string) => new DomainError('CONFLICT', message);
