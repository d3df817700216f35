/**
 * Why a caller could not be authenticated. Kept apart from DomainError because these arise in
 * guards, before any service runs, and each transport reports them in its own vocabulary
 * (the AWS SDKs recognise UnrecognizedClientException, InvalidSignatureException, ...).
 */
export const AUTH_ERROR_CODES = [
  'MISSING_CREDENTIALS',
  'MALFORMED_CREDENTIALS',
  'UNKNOWN_CREDENTIALS',
  'REVOKED_CREDENTIALS',
  'SIGNATURE_MISMATCH',
  'SIGNATURE_EXPIRED',
  'WRONG_SCOPE',
  'TENANT_SUSPENDED',
] as const;
export type AuthErrorCode = (typeof AUTH_ERROR_CODES)[number];

export class AuthError extends Error {
  constructor(
    readonly code: AuthErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AuthError';
  }
}
