import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { AuthError } from '../../common/errors/auth-error.js';
import { parseAuthorization, verifySigV4, type SignedRequest } from './sigv4-verifier.js';

const credentials = { accessKeyId: 'MPAKAAAAAAAAAAAAAAAA', secretAccessKey: 'secret/with+chars' };
const now = new Date('2026-11-24T12:00:00Z');
const options = { region: 'us-east-1', service: 'appmesh', maxSkewSeconds: 300, now };

/** Signs like an AWS SDK would and returns what the server receives. */
async function signedRequest(
  path: string,
  query: Record<string, string>,
  body: string,
  at = now,
  // The JS SDK signs x-amz-content-sha256 (applyChecksum); botocore, behind the AWS CLI, does not.
  applyChecksum = true,
): Promise<SignedRequest> {
  const signer = new SignatureV4({
    service: 'appmesh',
    region: 'us-east-1',
    credentials,
    sha256: Sha256,
    applyChecksum,
  });
  const signed = await signer.sign(
    new HttpRequest({
      method: 'PUT',
      hostname: 'localhost',
      path,
      query,
      headers: { host: 'localhost:8080', 'content-type': 'application/json' },
      body,
    }),
    { signingDate: at },
  );
  const qs = Object.entries(query)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
  const headers = Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
  return { method: 'PUT', rawUrl: qs ? `${path}?${qs}` : path, headers, body: Buffer.from(body) };
}

async function verify(request: SignedRequest, secret = credentials.secretAccessKey, opts = options) {
  return verifySigV4(request, parseAuthorization(request.headers['authorization'] as string), secret, opts);
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (err) {
    if (err instanceof AuthError) return err.code;
    throw err;
  }
}

describe('verifySigV4', () => {
  it('accepts what the AWS signer produced, including encoded path segments and query values', async () => {
    const request = await signedRequest(
      '/v20190125/meshes/my%20mesh/virtualNodes',
      { limit: '5', nextToken: 'a b+c/=' },
      '{"x":1}',
    );
    await expect(verify(request)).resolves.toBeUndefined();
  });

  it('accepts a request signed without x-amz-content-sha256, as botocore signs', async () => {
    const request = await signedRequest('/v20190125/meshes', { limit: '5' }, '{"x":1}', now, false);
    expect(request.headers['x-amz-content-sha256']).toBeUndefined();
    await expect(verify(request)).resolves.toBeUndefined();
    expect(await codeOf(verify({ ...request, body: Buffer.from('{"x":2}') }))).toBe('SIGNATURE_MISMATCH');
  });

  it('rejects a wrong secret, a changed body, path or query', async () => {
    const request = await signedRequest('/v20190125/meshes', { limit: '5' }, '{"x":1}');
    expect(await codeOf(verify(request, 'other'))).toBe('SIGNATURE_MISMATCH');
    expect(await codeOf(verify({ ...request, body: Buffer.from('{"x":2}') }))).toBe('SIGNATURE_MISMATCH');
    expect(await codeOf(verify({ ...request, rawUrl: '/v20190125/meshez?limit=5' }))).toBe('SIGNATURE_MISMATCH');
    expect(await codeOf(verify({ ...request, rawUrl: '/v20190125/meshes?limit=6' }))).toBe('SIGNATURE_MISMATCH');
    expect(await codeOf(verify({ ...request, method: 'DELETE' }))).toBe('SIGNATURE_MISMATCH');
  });

  it('rejects signatures outside the allowed clock skew in either direction', async () => {
    const past = await signedRequest('/v20190125/meshes', {}, '', new Date(now.getTime() - 301_000));
    const future = await signedRequest('/v20190125/meshes', {}, '', new Date(now.getTime() + 301_000));
    const edge = await signedRequest('/v20190125/meshes', {}, '', new Date(now.getTime() - 299_000));
    expect(await codeOf(verify(past))).toBe('SIGNATURE_EXPIRED');
    expect(await codeOf(verify(future))).toBe('SIGNATURE_EXPIRED');
    expect(await codeOf(verify(edge))).toBe('ok');
  });

  it('rejects another region or service in the credential scope', async () => {
    const request = await signedRequest('/v20190125/meshes', {}, '');
    expect(await codeOf(verify(request, undefined, { ...options, region: 'eu-west-1' }))).toBe('WRONG_SCOPE');
    expect(await codeOf(verify(request, undefined, { ...options, service: 'ec2' }))).toBe('WRONG_SCOPE');
  });

  it.each([
    [undefined, 'MISSING_CREDENTIALS'],
    ['', 'MISSING_CREDENTIALS'],
    ['Bearer abc', 'MALFORMED_CREDENTIALS'],
    [
      'AWS4-HMAC-SHA256 Credential=AK/20261124/us-east-1/appmesh, SignedHeaders=host, Signature=' + 'a'.repeat(64),
      'MALFORMED_CREDENTIALS',
    ],
    [
      'AWS4-HMAC-SHA256 Credential=AK/2026/us-east-1/appmesh/aws4_request, SignedHeaders=host, Signature=' +
        'a'.repeat(64),
      'MALFORMED_CREDENTIALS',
    ],
    [
      'AWS4-HMAC-SHA256 Credential=AK/20261124/us-east-1/appmesh/aws4_request, SignedHeaders=host, Signature=xyz',
      'MALFORMED_CREDENTIALS',
    ],
  ])('parses Authorization %j as %s', (header, code) => {
    expect(() => parseAuthorization(header)).toThrow(expect.objectContaining({ code }));
  });

  it('requires host and x-amz-date to be signed', async () => {
    const request = await signedRequest('/v20190125/meshes', {}, '');
    const auth = parseAuthorization(request.headers['authorization'] as string);
    const withoutHost = { ...auth, signedHeaders: auth.signedHeaders.filter((h) => h !== 'host') };
    expect(await codeOf(verifySigV4(request, withoutHost, credentials.secretAccessKey, options))).toBe(
      'MALFORMED_CREDENTIALS',
    );
  });
});
