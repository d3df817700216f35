import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpRequest } from '@smithy/core/protocols';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { AuthError } from '../../common/errors/auth-error.js';

/** The parts of an incoming HTTP request that SigV4 covers, exactly as they arrived. */
export interface SignedRequest {
  readonly method: string;
  /** Path and query as sent on the wire, still percent-encoded (e.g. `/v20190125/meshes?limit=2`). */
  readonly rawUrl: string;
  /** Header names in lower case; repeated headers joined with ',' as Node does. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The body exactly as received, whatever its Content-Type; `undefined` when there was none. */
  readonly body: Buffer | undefined;
}

export interface ParsedAuthorization {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

export interface VerifyOptions {
  readonly region: string;
  readonly service: string;
  readonly maxSkewSeconds: number;
  readonly now: Date;
}

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256\s+Credential=([^,\s]+)\s*,\s*SignedHeaders=([^,\s]+)\s*,\s*Signature=([0-9a-f]{64})\s*$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
const NATIVE_SHA256 = Hash.bind(null, 'sha256');

/** Reads the `Authorization` header; throws MALFORMED/MISSING errors with AWS's wording. */
export function parseAuthorization(header: string | undefined): ParsedAuthorization {
  if (header === undefined || header === '') {
    throw new AuthError('MISSING_CREDENTIALS', 'Missing Authentication Token');
  }
  const match = AUTHORIZATION.exec(header);
  if (!match) {
    throw new AuthError(
      'MALFORMED_CREDENTIALS',
      "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters with algorithm AWS4-HMAC-SHA256.",
    );
  }
  const [, credential = '', signedHeaders = '', signature = ''] = match;
  const scope = credential.split('/');
  if (scope.length !== 5 || scope[4] !== 'aws4_request' || !/^\d{8}$/.test(scope[1] ?? '')) {
    throw new AuthError(
      'MALFORMED_CREDENTIALS',
      `Credential should be <access key id>/<yyyymmdd>/<region>/<service>/aws4_request, got '${credential}'.`,
    );
  }
  const [accessKeyId = '', date = '', region = '', service = ''] = scope;
  return {
    accessKeyId,
    date,
    region,
    service,
    signedHeaders: signedHeaders.split(';'),
    signature,
  };
}

/**
 * Verifies a SigV4-signed request with the AWS signing library: the canonical request is
 * rebuilt from exactly the headers the client listed as signed, signed again with the stored
 * secret, and the two signatures are compared in constant time. Never hand-rolls the HMAC chain.
 */
export async function verifySigV4(
  request: SignedRequest,
  auth: ParsedAuthorization,
  secretAccessKey: string,
  options: VerifyOptions,
): Promise<void> {
  if (auth.region !== options.region) {
    throw new AuthError('WRONG_SCOPE', `Credential should be scoped to a valid region, not '${auth.region}'.`);
  }
  if (auth.service !== options.service) {
    throw new AuthError('WRONG_SCOPE', `Credential should be scoped to correct service: '${options.service}'.`);
  }
  const headers = pickSignedHeaders(request.headers, auth.signedHeaders);
  const amzDate = headers['x-amz-date'];
  const signingDate = amzDate === undefined ? undefined : parseAmzDate(amzDate);
  if (signingDate === undefined || !auth.signedHeaders.includes('host')) {
    throw new AuthError(
      'MALFORMED_CREDENTIALS',
      'The request must sign the host and x-amz-date headers, with X-Amz-Date in the form YYYYMMDDTHHMMSSZ.',
    );
  }
  if (!amzDate!.startsWith(auth.date)) {
    throw new AuthError(
      'SIGNATURE_MISMATCH',
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.date}' != '${amzDate!.slice(0, 8)}'.`,
    );
  }
  const skewMs = options.now.getTime() - signingDate.getTime();
  if (Math.abs(skewMs) > options.maxSkewSeconds * 1000) {
    const bound = new Date(options.now.getTime() + (skewMs > 0 ? -1 : 1) * options.maxSkewSeconds * 1000);
    const relation = skewMs > 0 ? 'earlier' : 'later';
    throw new AuthError(
      'SIGNATURE_EXPIRED',
      `Signature expired: ${amzDate} is now ${relation} than ${formatAmzDate(bound)} (${formatAmzDate(options.now)} ${skewMs > 0 ? '-' : '+'} ${options.maxSkewSeconds / 60} min.)`,
    );
  }
  const body = request.body ?? Buffer.alloc(0);
  const declaredHash = headers['x-amz-content-sha256'];
  // The signer trusts a declared payload hash; make sure it really is the body's.
  if (declaredHash !== undefined && declaredHash !== createHash('sha256').update(body).digest('hex')) {
    const reason =
      declaredHash === UNSIGNED_PAYLOAD ? 'unsigned payloads are not accepted' : 'it does not match the body';
    throw new AuthError('SIGNATURE_MISMATCH', `The x-amz-content-sha256 header is not valid: ${reason}.`);
  }

  const { path, query } = splitUrl(request.rawUrl);
  const signer = new SignatureV4({
    service: auth.service,
    region: auth.region,
    credentials: { accessKeyId: auth.accessKeyId, secretAccessKey },
    // Node's native SHA-256 and HMAC (what the AWS SDK for Node signs with), not a pure-JS hash:
    // verifying a request hashes the canonical request and runs five HMACs.
    sha256: NATIVE_SHA256,
    uriEscapePath: true,
    // Sign only what the client signed: botocore (AWS CLI) omits x-amz-content-sha256, the JS SDK includes it.
    applyChecksum: false,
  });
  const resigned = await signer.sign(
    new HttpRequest({
      method: request.method.toUpperCase(),
      path,
      query,
      headers,
      body,
      hostname: headers['host'] ?? '',
    }),
    { signingDate, signableHeaders: new Set(auth.signedHeaders) },
  );
  const expected = /Signature=([0-9a-f]{64})/.exec(String(resigned.headers['authorization']))?.[1] ?? '';
  const ok =
    expected.length === auth.signature.length && timingSafeEqual(Buffer.from(expected), Buffer.from(auth.signature));
  if (!ok) {
    throw new AuthError(
      'SIGNATURE_MISMATCH',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
    );
  }
}

function pickSignedHeaders(
  all: Readonly<Record<string, string | string[] | undefined>>,
  signed: readonly string[],
): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of signed) {
    const value = all[name];
    if (value === undefined) continue;
    picked[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return picked;
}

/** Splits a raw URL into its still-encoded path and its decoded query (SigV4 re-encodes both). */
function splitUrl(rawUrl: string): { path: string; query: Record<string, string | string[]> } {
  const q = rawUrl.indexOf('?');
  const path = q === -1 ? rawUrl : rawUrl.slice(0, q);
  // No prototype: a parameter named `constructor`, `toString` or `__proto__` is a parameter.
  const query = Object.create(null) as Record<string, string | string[]>;
  if (q !== -1) {
    for (const pair of rawUrl.slice(q + 1).split('&')) {
      if (pair === '') continue;
      const eq = pair.indexOf('=');
      const name = safeDecode(eq === -1 ? pair : pair.slice(0, eq));
      const value = eq === -1 ? '' : safeDecode(pair.slice(eq + 1));
      const prior = query[name];
      query[name] = prior === undefined ? value : Array.isArray(prior) ? [...prior, value] : [prior, value];
    }
  }
  return { path, query };
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

function parseAmzDate(value: string): Date | undefined {
  const m = AMZ_DATE.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function formatAmzDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}
