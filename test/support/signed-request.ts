import { request as httpRequest } from 'node:http';
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
 * percent-encoded; node:http, unlike fetch, does not normalise `..` segments away); query values
 * are encoded here.
 */
export async function signedAppMeshRequest(
  app: TestApp,
  credentials: { readonly accessKeyId: string; readonly secretAccessKey: string },
  request: {
    readonly method: string;
    readonly path: string;
    readonly query?: Readonly<Record<string, string>>;
    readonly body?: string;
    /** The Content-Type of a body (application/json unless given). */
    readonly contentType?: string;
    /** Bytes sent instead of the signed body (tampering). */
    readonly sentBody?: string;
  },
): Promise<RawAnswer> {
  const url = new URL(app.baseUrl);
  const signer = new SignatureV4({ service: 'appmesh', region: app.config.region, credentials, sha256: Sha256 });
  const headers: Record<string, string> = { host: url.host };
  if (request.body !== undefined) headers['content-type'] = request.contentType ?? 'application/json';
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
  const search = Object.entries(request.query ?? {})
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
  const sentBody = request.sentBody ?? request.body;
  const bytes = sentBody === undefined ? undefined : Buffer.from(sentBody, 'utf8');
  const sent = { ...(signed.headers as Record<string, string>) };
  if (bytes !== undefined) sent['content-length'] = String(bytes.length);
  const {
    status,
    headers: answered,
    text,
  } = await new Promise<{ status: number; headers: Headers; text: string }>((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: Number(url.port),
        method: request.method,
        path: `${request.path}${search ? `?${search}` : ''}`,
        headers: sent,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const h = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') h.set(k, v);
          resolve({ status: res.statusCode ?? 0, headers: h, text: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(bytes);
  });
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status, headers: answered, text, json };
}
