import { randomUUID } from 'node:crypto';
import { createServer, type RequestListener, type Server, type ServerOptions } from 'node:http';
import type { AppConfig } from '../../config/config.schema.js';
import { statusToRest } from './aws-error-types.js';
import type { ClientConnectionCap } from './client-connection-cap.js';

/** The configuration keys that bound what a client can hold on the server (see ADR 0012). */
export type HttpLimits = Pick<
  AppConfig,
  | 'httpHeadersTimeoutMs'
  | 'httpRequestTimeoutMs'
  | 'httpKeepAliveTimeoutMs'
  | 'httpSocketIdleTimeoutMs'
  | 'httpMaxConnectionsPerClient'
>;

/** Node refuses a headers timeout above the request timeout: the request's bound includes its headers'. */
export function headersTimeoutMs(limits: HttpLimits): number {
  return Math.min(limits.httpHeadersTimeoutMs, limits.httpRequestTimeoutMs);
}

/** Node's own options for the limits: applied where Node enforces them, in its HTTP server. */
export function serverOptions(limits: HttpLimits): ServerOptions {
  const requestTimeout = limits.httpRequestTimeoutMs;
  const headersTimeout = headersTimeoutMs(limits);
  return {
    headersTimeout,
    requestTimeout,
    keepAliveTimeout: limits.httpKeepAliveTimeoutMs,
    // Node checks the two request timeouts on this interval (30 s by default, which would let a
    // stalled request live up to twice its bound): a quarter of the shorter bound, at most 1 s.
    connectionsCheckingInterval: Math.max(25, Math.min(1000, Math.floor(headersTimeout / 4))),
    // Node would answer a missing Host with a bare 400; the onRequest hook answers in App Mesh's shape.
    requireHostHeader: false,
  };
}

/**
 * Fastify's `serverFactory`: the HTTP server with the limits, its socket idle timeout and the
 * per-client connection cap. Fastify calls it once per address it binds (e.g. IPv4 and IPv6 for
 * `localhost`); all of them share one cap. What Node itself would answer without a body (an
 * unsupported `Expect`) is answered in App Mesh's shape.
 */
export function limitedServerFactory(
  limits: HttpLimits,
  cap: ClientConnectionCap,
): (handler: RequestListener) => Server {
  return (handler) => {
    const server = createServer(serverOptions(limits), handler);
    server.setTimeout(limits.httpSocketIdleTimeoutMs);
    cap.attach(server);
    server.on('checkExpectation', (_request, response) => {
      const error = statusToRest(417);
      const body = JSON.stringify({ message: "Only 'Expect: 100-continue' is supported." });
      response
        .writeHead(error.status, {
          'x-amzn-ErrorType': error.type,
          'x-amzn-RequestId': randomUUID(),
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          connection: 'close',
        })
        .end(body);
    });
    return server;
  };
}
