import { request as httpRequest } from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';
import { parseAnswer, type TestApp } from './test-app.js';

type Credentials = { readonly accessKeyId: string; readonly secretAccessKey: string };

/** An answer as the wire carried it: `body` is the parsed JSON, else the text (undefined when empty). */
export interface SignedAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly body: any;
}

/**
 * A GET to the App Mesh API as raw SigV4-signed HTTP, signed as the SDK would: for what the SDKs
 * hide (members they drop, error headers of paths that are no operation).
 */
export async function signedAppMeshGet(app: TestApp, credentials: Credentials, path: string): Promise<SignedAnswer> {
  return signedAppMeshRequest(app, credentials, { method: 'GET', path });
}

/** The Content-Type the SDK sends with a body (none without one). */
export function jsonContentType(body: string | Buffer | undefined): Record<string, string> {
  return body === undefined ? {} : { 'content-type': 'application/json' };
}

export interface SignedRequestOptions {
  readonly method: string;
  /**
   * Sent as it is: already percent-encoded, with or without a query (`?a=b`). node:http, unlike
   * fetch, does not normalise `..` segments away.
   */
  readonly path: string;
  /** More query parameters, encoded here. */
  readonly query?: Readonly<Record<string, string>>;
  /** Signed along with host and x-amz-date (e.g. content-type, content-encoding); none is added. */
  readonly headers?: Readonly<Record<string, string>>;
  /** The bytes the signature covers. */
  readonly body?: string | Buffer;
  /** The bytes actually sent, when they differ from what was signed (tampering). */
  readonly sentBody?: string | Buffer;
}

/**
 * Any request to the App Mesh API, SigV4-signed as the SDK would over exactly the given headers
 * and body bytes, and sent byte for byte as given: for input no SDK would send (a NUL in a path,
 * a lone surrogate escape in JSON, other content types, invalid UTF-8, `null`, wrong types).
 */
export async function signedAppMeshRequest(
  app: TestApp,
  credentials: Credentials,
  options: SignedRequestOptions,
): Promise<SignedAnswer> {
  const url = new URL(app.baseUrl);
  const signer = new SignatureV4({ service: 'appmesh', region: app.config.region, credentials, sha256: Sha256 });
  const [path = '', given] = options.path.split('?', 2);
  const extra = new URLSearchParams(options.query);
  const search = [given, extra.toString()].filter((s) => s !== undefined && s !== '').join('&');
  const query: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(search)) query[k] = v;
  const body = options.body ?? '';
  const signed = await signer.sign(
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
  const sent = Buffer.from(options.sentBody ?? body);
  const headers = { ...(signed.headers as Record<string, string>) };
  if (sent.length > 0 || options.body !== undefined) headers['content-length'] = String(sent.length);
  const { status, answered, text } = await new Promise<{ status: number; answered: Headers; text: string }>(
    (resolve, reject) => {
      const req = httpRequest(
        {
          host: url.hostname,
          port: Number(url.port),
          method: options.method,
          path: search ? `${path}?${search}` : path,
          headers,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const h = new Headers();
            for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') h.set(k, v);
            resolve({ status: res.statusCode ?? 0, answered: h, text: Buffer.concat(chunks).toString('utf8') });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(sent.length > 0 ? sent : undefined);
    },
  );
  return { status, headers: answered, text, body: parseAnswer(text) };
}
