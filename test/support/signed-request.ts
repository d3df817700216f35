import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';
import type { TestApp } from './test-app.js';

export interface RawAnswer {
  readonly status: number;
  readonly headers: Headers;
  /** The body as text, and parsed when it is JSON (otherwise `undefined`). */
  readonly text: string;
  readonly json: unknown;
}

/**
 * Any App Mesh request as raw SigV4-signed HTTP, signed as the SDK would, with the body sent
 * byte for byte as given: for inputs the SDK would refuse or re-encode (a NUL in a path, a lone
 * surrogate escape in JSON, wrong types, unknown members). `path` is sent as it is (already
 * percent-encoded); query values are encoded here.
 */
export async function signedAppMeshRequest(
  app: TestApp,
  credentials: { readonly accessKeyId: string; readonly secretAccessKey: string },
  request: {
    readonly method: string;
    readonly path: string;
    readonly query?: Readonly<Record<string, string>>;
    readonly body?: string;
  },
): Promise<RawAnswer> {
  const url = new URL(app.baseUrl);
  const signer = new SignatureV4({ service: 'appmesh', region: app.config.region, credentials, sha256: Sha256 });
  const headers: Record<string, string> = { host: url.host };
  if (request.body !== undefined) headers['content-type'] = 'application/json';
  const signed = await signer.sign(
    new HttpRequest({
      method: request.method,
      hostname: url.hostname,
      port: Number(url.port),
      path: request.path,
      query: { ...request.query },
      headers,
      ...(request.body !== undefined ? { body: request.body } : {}),
    }),
  );
  const search = new URLSearchParams(request.query ?? {}).toString().replaceAll('+', '%20');
  const res = await fetch(`${app.baseUrl}${request.path}${search ? `?${search}` : ''}`, {
    method: request.method,
    headers: signed.headers as Record<string, string>,
    ...(request.body !== undefined ? { body: request.body } : {}),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}
