import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSocket, rawExchange, readUntilClosed } from '../support/raw-http.js';
import { call, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The HTTP limits (ADR 0012) over real sockets: a request that never completes, a client that
 * sends nothing, an idle kept-alive connection and one address opening too many connections are
 * all cut within their bounds, with an App Mesh-shaped answer where one can be given.
 */

const HEADERS_TIMEOUT_MS = 500;
const REQUEST_TIMEOUT_MS = 1000;
const KEEP_ALIVE_TIMEOUT_MS = 500;
const MAX_PER_CLIENT = 3;
/** Node checks the timeouts every quarter of the headers bound; this leaves ample scheduling room. */
const SLACK_MS = 2000;

describe('HTTP limits (real sockets)', () => {
  let api: TestApp;

  beforeAll(async () => {
    api = await startTestApp(['api'], {
      HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
      HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      HTTP_KEEP_ALIVE_TIMEOUT_MS: String(KEEP_ALIVE_TIMEOUT_MS),
      HTTP_MAX_CONNECTIONS_PER_CLIENT: String(MAX_PER_CLIENT),
    });
  });
  afterAll(async () => {
    await api?.close();
  });

  const host = () => new URL(api.baseUrl).host;

  it('cuts a request whose body never completes within the request timeout, with a 408 in App Mesh shape', async () => {
    // No authentication needed to hold a connection: this is what an anonymous attacker can do.
    const head =
      `PUT /v20190125/meshes HTTP/1.1\r\nHost: ${host()}\r\ncontent-type: application/json\r\n` +
      'content-length: 1000\r\n\r\n{"meshName":';
    const exchange = await rawExchange(api.baseUrl, head, { localAddress: '127.0.0.10' });
    expect(exchange.closedAfterMs).toBeLessThan(REQUEST_TIMEOUT_MS + SLACK_MS);
    expect(exchange.response?.status).toBe(408);
    expect(exchange.response?.headers['x-amzn-errortype']).toBe('RequestTimeoutException');
    expect(exchange.response?.headers['x-amzn-requestid']).toMatch(/.+/);
    expect(JSON.parse(exchange.response?.body ?? '')).toEqual({
      message: `The request body was not received completely within ${REQUEST_TIMEOUT_MS} ms of the request's start.`,
    });
  });

  it('cuts a body that trickles in byte by byte: the bound is on the whole request, not on silence', async () => {
    const socket = await openSocket(api.baseUrl, '127.0.0.11');
    socket.write(
      `PUT /v20190125/meshes HTTP/1.1\r\nHost: ${host()}\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n`,
    );
    const trickle = setInterval(() => socket.writable && socket.write(' '), 100);
    try {
      const exchange = await readUntilClosed(socket, undefined, REQUEST_TIMEOUT_MS + SLACK_MS + 5000);
      expect(exchange.closedAfterMs).toBeLessThan(REQUEST_TIMEOUT_MS + SLACK_MS);
      expect(exchange.response?.status).toBe(408);
    } finally {
      clearInterval(trickle);
    }
  });

  it('cuts headers that never complete within the headers timeout', async () => {
    const exchange = await rawExchange(api.baseUrl, `GET /healthz HTTP/1.1\r\nHost: ${host()}\r\nx-slow: `, {
      localAddress: '127.0.0.12',
    });
    expect(exchange.closedAfterMs).toBeLessThan(HEADERS_TIMEOUT_MS + SLACK_MS);
    expect(exchange.response?.status).toBe(408);
    expect(exchange.response?.headers['x-amzn-errortype']).toBe('RequestTimeoutException');
    expect(JSON.parse(exchange.response?.body ?? '').message).toMatch(/headers were not received within 500 ms/);
  });

  it('cuts headers that trickle in byte by byte within the headers timeout', async () => {
    const socket = await openSocket(api.baseUrl, '127.0.0.15');
    socket.write(`GET /healthz HTTP/1.1\r\nHost: ${host()}\r\nx-slow: `);
    const trickle = setInterval(() => socket.writable && socket.write('a'), 50);
    try {
      const exchange = await readUntilClosed(socket, undefined, HEADERS_TIMEOUT_MS + SLACK_MS + 5000);
      expect(exchange.closedAfterMs).toBeLessThan(HEADERS_TIMEOUT_MS + SLACK_MS);
      expect(exchange.response?.status).toBe(408);
    } finally {
      clearInterval(trickle);
    }
  });

  it('closes a connection that never sends a byte', async () => {
    const socket = await openSocket(api.baseUrl, '127.0.0.13');
    const exchange = await readUntilClosed(socket, undefined, HEADERS_TIMEOUT_MS + SLACK_MS + 5000);
    expect(exchange.closedAfterMs).toBeLessThan(HEADERS_TIMEOUT_MS + SLACK_MS);
  });

  it('closes an idle kept-alive connection after the keep-alive timeout', async () => {
    const socket = await openSocket(api.baseUrl, '127.0.0.14');
    const exchange = await readUntilClosed(
      socket,
      `GET /healthz HTTP/1.1\r\nHost: ${host()}\r\nConnection: keep-alive\r\n\r\n`,
      KEEP_ALIVE_TIMEOUT_MS + SLACK_MS + 5000,
    );
    expect(exchange.response?.status).toBe(200);
    // Node adds one second to the keep-alive timeout before it closes.
    expect(exchange.closedAfterMs).toBeLessThan(KEEP_ALIVE_TIMEOUT_MS + 1000 + SLACK_MS);
  });

  it('refuses the connection over the per-client cap while that client’s others and other clients are served', async () => {
    const held: Socket[] = [];
    try {
      for (let i = 0; i < MAX_PER_CLIENT; i++) held.push(await openSocket(api.baseUrl, '127.0.0.20'));
      // The next one from the same address is closed at once, without a byte.
      const refused = await rawExchange(api.baseUrl, `GET /healthz HTTP/1.1\r\nHost: ${host()}\r\n\r\n`, {
        localAddress: '127.0.0.20',
        giveUpMs: HEADERS_TIMEOUT_MS,
      });
      expect(refused.text).toBe('');

      // Another address is served meanwhile...
      const other = await rawExchange(
        api.baseUrl,
        `GET /healthz HTTP/1.1\r\nHost: ${host()}\r\nConnection: close\r\n\r\n`,
        { localAddress: '127.0.0.21' },
      );
      expect(other.response?.status).toBe(200);
      // ...and so is each connection the capped client already holds.
      const served = await readUntilClosed(
        held[0]!,
        `GET /healthz HTTP/1.1\r\nHost: ${host()}\r\nConnection: close\r\n\r\n`,
        5000,
      );
      expect(served.response?.status).toBe(200);

      // With one of its connections closed, the client may open another.
      const again = await rawExchange(
        api.baseUrl,
        `GET /healthz HTTP/1.1\r\nHost: ${host()}\r\nConnection: close\r\n\r\n`,
        { localAddress: '127.0.0.20' },
      );
      expect(again.response?.status).toBe(200);

      const metrics = await call(api.baseUrl, 'GET', '/metrics');
      expect(metrics.body).toMatch(/^meshplane_http_connections_refused_total [1-9]/m);
      expect(metrics.body).toMatch(/^meshplane_http_client_errors_total\{reason="request_timeout"\} [1-9]/m);
    } finally {
      for (const socket of held) socket.destroy();
    }
  });
});
