import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';
import type { TestApp } from './test-app.js';

type Credentials = { readonly accessKeyId: string; readonly secretAccessKey: string };
type Response = { status: number; body: any; headers: Headers };

/**
 * A GET to the App Mesh API as raw SigV4-signed HTTP, signed as the SDK would: for what the SDKs
 * hide (members they drop, error headers of paths that are no operation).
 */
export async function signedAppMeshGet(app: TestApp, credentials: Credentials, path: string): Promise<Response> {
  return signedAppMeshRequest(app, credentials, { method: 'GET', path });
}

export interface SignedRequestOptions {
  readonly method: string;
  readonly path: string;
  /** Signed along with host and x-amz-date (e.g. content-type, content-encoding). */
  readonly headers?: Readonly<Record<string, string>>;
  /** The bytes the signature covers. */
  readonly body?: string | Buffer;
  /** The bytes actually sent, when they differ from what was signed (tampering). */
  readonly sentBody?: string | Buffer;
}

/**
 * Any request to the App Mesh API, SigV4-signed over exactly the given headers and body bytes,
 * sent as is: for bodies no SDK would send (other content types, invalid UTF-8, `null`).
 */
export async function signedAppMeshRequest(
  app: TestApp,
  credentials: Credentials,
  options: SignedRequestOptions,
): Promise<Response> {
  const url = new URL(app.baseUrl);
  const signer = new SignatureV4({ service: 'appmesh', region: app.config.region, credentials, sha256: Sha256 });
  const [path = '', search] = options.path.split('?', 2);
  const query: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(search ?? '')) query[k] = v;
  const body = options.body ?? '';
  const request = await signer.sign(
    new HttpRequest({
      method: options.method,
      hostname: url.hostname,
      port: Number(url.port),
      path,
      query,
      headers: { host: url.host, ...options.headers },
      body: typeof body === 'string' ? body : new Uint8Array(body),
    }),
  );
  const sent = options.sentBody ?? body;
  const res = await fetch(`${app.baseUrl}${options.path}`, {
    method: options.method,
    headers: request.headers as Record<string, string>,
    // As bytes: fetch would add a text/plain Content-Type to a string body.
    body: options.method === 'GET' && sent.length === 0 ? undefined : Buffer.from(sent),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    // keep text
  }
  return { status: res.status, body: parsed, headers: res.headers };
}
