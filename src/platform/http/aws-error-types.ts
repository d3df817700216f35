import type { AuthError, AuthErrorCode } from '../../common/errors/auth-error.js';
import type { DomainErrorCode } from '../../common/errors/domain-error.js';

export interface RestError {
  readonly status: number;
  /** The App Mesh / AWS error type, sent as `x-amzn-ErrorType`; SDKs turn it into the error's name. */
  readonly type: string;
}

/** Exhaustive: a new domain code fails to compile until it has an App Mesh error type. */
export const DOMAIN_TO_REST: Record<DomainErrorCode, RestError> = {
  BAD_REQUEST: { status: 400, type: 'BadRequestException' },
  NOT_FOUND: { status: 404, type: 'NotFoundException' },
  CONFLICT: { status: 409, type: 'ConflictException' },
  RESOURCE_IN_USE: { status: 409, type: 'ResourceInUseException' },
  LIMIT_EXCEEDED: { status: 400, type: 'LimitExceededException' },
  TOO_MANY_TAGS: { status: 400, type: 'TooManyTagsException' },
  TOO_MANY_REQUESTS: { status: 429, type: 'TooManyRequestsException' },
  FORBIDDEN: { status: 403, type: 'ForbiddenException' },
  SERVICE_UNAVAILABLE: { status: 503, type: 'ServiceUnavailableException' },
};

/**
 * SigV4 failures use the types AWS services return, which the SDKs know: InvalidSignatureException
 * is on their clock-skew list, so an SDK with a wrong clock corrects it from our Date header and
 * retries, as it would against AWS. Bearer-token failures use 401 with the same type names.
 */
export const AUTH_TO_REST: Readonly<Record<AuthErrorCode, RestError>> = {
  MISSING_CREDENTIALS: { status: 403, type: 'MissingAuthenticationTokenException' },
  MALFORMED_CREDENTIALS: { status: 400, type: 'IncompleteSignatureException' },
  UNKNOWN_CREDENTIALS: { status: 403, type: 'UnrecognizedClientException' },
  REVOKED_CREDENTIALS: { status: 403, type: 'UnrecognizedClientException' },
  SIGNATURE_MISMATCH: { status: 403, type: 'InvalidSignatureException' },
  SIGNATURE_EXPIRED: { status: 403, type: 'InvalidSignatureException' },
  WRONG_SCOPE: { status: 403, type: 'InvalidSignatureException' },
  TENANT_SUSPENDED: { status: 403, type: 'ForbiddenException' },
};

export function authToRest(err: AuthError, scheme: 'sigv4' | 'bearer'): RestError {
  const mapped = AUTH_TO_REST[err.code];
  if (scheme === 'bearer' && mapped.status === 403 && err.code !== 'TENANT_SUSPENDED') {
    return { status: 401, type: mapped.type };
  }
  return mapped;
}

/**
 * Errors of the HTTP layer itself, for statuses the App Mesh model has no error for. The names
 * follow AWS's: an SDK raises an error of that name (RequestTimeoutException is on the SDKs'
 * list of transient errors, so they retry it). Listed once so the OpenAPI document can too.
 */
export const HTTP_LAYER_ERRORS = {
  /** A path under an API's prefix that is no operation of it (what AWS answers too). */
  unknownOperation: { status: 404, type: 'UnknownOperationException' },
  requestTimeout: { status: 408, type: 'RequestTimeoutException' },
  bodyTooLarge: { status: 413, type: 'RequestEntityTooLargeException' },
  unsupportedMediaType: { status: 415, type: 'UnsupportedMediaTypeException' },
  headersTooLarge: { status: 431, type: 'RequestHeaderFieldsTooLargeException' },
} as const satisfies Record<string, RestError>;

/** For errors raised by the HTTP framework itself (unknown route, bad JSON, body too large). */
export function statusToRest(status: number): RestError {
  switch (status) {
    case 400:
      return { status, type: 'BadRequestException' };
    case 401:
      return { status, type: 'UnrecognizedClientException' };
    case 403:
      return { status, type: 'ForbiddenException' };
    case 404:
      return { status, type: 'NotFoundException' };
    case 405:
      return { status, type: 'MethodNotAllowedException' };
    case 408:
      return HTTP_LAYER_ERRORS.requestTimeout;
    case 413:
      return HTTP_LAYER_ERRORS.bodyTooLarge;
    case 415:
      return HTTP_LAYER_ERRORS.unsupportedMediaType;
    case 431:
      return HTTP_LAYER_ERRORS.headersTooLarge;
    case 429:
      return { status, type: 'TooManyRequestsException' };
    case 503:
      return { status, type: 'ServiceUnavailableException' };
    default:
      return status >= 500
        ? { status: 500, type: 'InternalServerErrorException' }
        : { status, type: 'BadRequestException' };
  }
}
