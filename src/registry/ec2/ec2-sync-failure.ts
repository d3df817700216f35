/** Why a run failed, as the source's status shows it. */
export type Ec2SyncFailureKind = 'throttled' | 'credentials' | 'unreachable' | 'service-missing' | 'aws';

export interface Ec2SyncFailure {
  readonly kind: Ec2SyncFailureKind;
  /** `<kind>: <AWS error name>: <message>`, bounded, without anything secret (the SDK's errors carry none). */
  readonly message: string;
}

/** Raised by the apply when the registry service the source writes to was deleted. */
export class RegistryServiceMissing extends Error {
  constructor(serviceId: string) {
    super(`the registry service ${serviceId} this source writes to no longer exists; update the source`);
    this.name = 'RegistryServiceMissing';
  }
}

const THROTTLING = new Set(['RequestLimitExceeded', 'Throttling', 'ThrottlingException', 'RequestThrottled']);
/** EC2's and STS's answers to keys, tokens and permissions that do not work. */
const CREDENTIALS = new Set([
  'AuthFailure',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'UnauthorizedOperation',
  'UnrecognizedClientException',
  'ExpiredToken',
  'ExpiredTokenException',
  'AccessDenied',
  'AccessDeniedException',
  'OptInRequired',
  'CredentialsProviderError',
]);
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);
const MAX_MESSAGE = 1000;

/**
 * Sorts a run's failure by what the operator should do: wait (throttled), fix the credentials,
 * look at the network or AWS (unreachable: no answer, or a 5xx), fix the source's service, or
 * read AWS's message (anything else AWS refused).
 */
export function classifyFailure(err: unknown): Ec2SyncFailure {
  if (err instanceof RegistryServiceMissing) return failure('service-missing', 'RegistryServiceMissing', err.message);
  const e = (err ?? {}) as {
    name?: unknown;
    code?: unknown;
    message?: unknown;
    $metadata?: { httpStatusCode?: number };
    $fault?: unknown;
    cause?: unknown;
  };
  const name = typeof e.name === 'string' ? e.name : 'Error';
  const message = typeof e.message === 'string' ? e.message : String(err);
  if (THROTTLING.has(name) || e.$metadata?.httpStatusCode === 429) return failure('throttled', name, message);
  if (CREDENTIALS.has(name)) return failure('credentials', name, message);
  const status = e.$metadata?.httpStatusCode;
  if (networkCode(err) !== undefined || name === 'TimeoutError' || (status !== undefined && status >= 500)) {
    return failure('unreachable', name, message);
  }
  return failure('aws', name, message);
}

function networkCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) return code;
    const errors = (e as { errors?: unknown }).errors;
    if (Array.isArray(errors)) {
      for (const inner of errors) {
        const innerCode = (inner as { code?: unknown } | null)?.code;
        if (typeof innerCode === 'string' && UNREACHABLE_CODES.has(innerCode)) return innerCode;
      }
    }
  }
  return undefined;
}

function failure(kind: Ec2SyncFailureKind, name: string, message: string): Ec2SyncFailure {
  const text = `${kind}: ${name}: ${message}`.replace(/\s+/g, ' ');
  return { kind, message: text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 1)}…` : text };
}
