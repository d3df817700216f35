// @ts-check
// Signs App Mesh requests with the real AWS signer, the way the AWS SDK for JavaScript does
// (host, x-amz-date, x-amz-content-sha256 and content-type signed). Everything is signed before
// a timed phase: the load generator spends no CPU on crypto while it measures.
import http from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';

/** A request ready to put on the wire: every header (including `host`) is final. */
/** @typedef {{ method: string, path: string, headers: Record<string, string>, body?: string }} WireRequest */

export class RequestSigner {
  /**
   * @param {{ accessKeyId: string, secretAccessKey: string }} credentials
   * @param {number} port the API's port on 127.0.0.1 (part of the signed `host` header)
   */
  constructor(credentials, port) {
    this.port = port;
    this.host = `127.0.0.1:${port}`;
    this.signer = new SignatureV4({
      service: 'appmesh',
      region: 'us-east-1',
      credentials,
      sha256: Sha256,
    });
  }

  /**
   * @param {string} method
   * @param {string} path
   * @param {unknown} [body] serialised as JSON when given
   * @returns {Promise<WireRequest>}
   */
  async sign(method, path, body) {
    const text = body === undefined ? undefined : JSON.stringify(body);
    /** @type {Record<string, string>} */
    const headers = { host: this.host };
    if (text !== undefined) headers['content-type'] = 'application/json';
    // A query string is signed as the SDK signs it: parameters apart from the path.
    const [pathname = path, search] = path.split('?', 2);
    /** @type {Record<string, string>} */
    const query = search === undefined ? {} : Object.fromEntries(new URLSearchParams(search));
    const signed = await this.signer.sign(
      new HttpRequest({
        method,
        protocol: 'http:',
        hostname: '127.0.0.1',
        port: this.port,
        path: pathname,
        query,
        headers,
        body: text,
      }),
    );
    /** @type {Record<string, string>} */
    const wire = {};
    for (const [name, value] of Object.entries(signed.headers)) wire[name] = String(value);
    return text === undefined ? { method, path, headers: wire } : { method, path, headers: wire, body: text };
  }

  /**
   * Signs and sends one request (set-up calls, not timed).
   * @param {string} method
   * @param {string} path
   * @param {unknown} [body]
   */
  async call(method, path, body) {
    return send(this.port, await this.sign(method, path, body));
  }
}

/**
 * Sends one request exactly as given (no headers added but Content-Length).
 * @param {number} port
 * @param {WireRequest} req
 * @returns {Promise<{ status: number, body: string }>}
 */
export function send(port, req) {
  return new Promise((resolve, reject) => {
    const headers = { ...req.headers };
    if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
    const r = http.request(
      { host: '127.0.0.1', port, method: req.method, path: req.path, headers, agent: false },
      (res) => {
        /** @type {Buffer[]} */
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    r.on('error', reject);
    r.end(req.body);
  });
}

/**
 * Like `send`, but fails unless the status is 2xx.
 * @param {number} port
 * @param {WireRequest} req
 * @param {string} what
 */
export async function sendOk(port, req, what) {
  const res = await send(port, req);
  if (res.status < 200 || res.status > 299) throw new Error(`${what}: HTTP ${res.status} ${res.body.slice(0, 500)}`);
  return res;
}
