import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { badRequest, DomainError } from '../../common/errors/domain-error.js';
import { ReadinessService } from '../health/readiness.service.js';
import { StartupChatterAtDebug } from '../logging/startup-chatter.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { ClientConnectionCap } from './client-connection-cap.js';
import { createClientErrorHandler, type InFlightRequest } from './client-error-handler.js';
import { answerFrameworkError } from './framework-errors.js';
import { HttpConnectionMetrics } from './http-connection-metrics.js';
import { headersTimeoutMs, limitedServerFactory, type HttpLimits } from './http-server-factory.js';
import { JsonBodyInterceptor } from './json-body.interceptor.js';
import { readBodiesAsBytes } from './request-body.js';
import { RestErrorFilter } from './rest-error.filter.js';

/** Largest request body accepted. App Mesh specs are a few KiB; this leaves ample room. */
export const BODY_LIMIT_BYTES = 1024 * 1024;
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Builds the Fastify-based Nest application every role serves HTTP with. Every response carries
 * the request id in `x-amzn-RequestId`, the header AWS SDKs surface as `$metadata.requestId`; a
 * caller-supplied `x-request-id` is reused when it is well formed, so ids can be followed across
 * systems. Every error, from Node's parser up to the handlers, is answered in App Mesh's shape;
 * what one client can hold (time, connections, bytes) is bounded by `limits` (ADR 0012).
 */
export async function createHttpApp(root: DynamicModule, limits: HttpLimits): Promise<NestFastifyApplication> {
  const connectionMetrics = new HttpConnectionMetrics();
  const inFlight = new WeakMap<Socket, InFlightRequest>();
  const cap = new ClientConnectionCap(limits.httpMaxConnectionsPerClient, () =>
    connectionMetrics.connectionsRefused.inc(),
  );
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    serverFactory: limitedServerFactory(limits, cap),
    clientErrorHandler: createClientErrorHandler({
      inFlight,
      headersTimeoutMs: headersTimeoutMs(limits),
      requestTimeoutMs: limits.httpRequestTimeoutMs,
      onError: (reason) => connectionMetrics.countClientError(reason),
    }),
    frameworkErrors: answerFrameworkError,
    // No route-level limit: Node's maxHeaderSize (16 KiB) bounds the request line already, and
    // every parameter must reach the validator, which names the field and its limit (App Mesh
    // names are up to 255 code points, 510 UTF-16 units once decoded).
    routerOptions: { maxParamLength: 16 * 1024 },
    genReqId: (req: IncomingMessage) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
      (req as IncomingMessage & { id?: string }).id = id;
      return id;
    },
    // Keep-alive sockets that idle are closed on shutdown so draining does not wait for clients
    // that will never send again.
    forceCloseConnections: 'idle',
    // Fastify's own 503 while closing has Fastify's body; the hook below answers in App Mesh's.
    return503OnClosing: false,
  });
  const app = await NestFactory.create<NestFastifyApplication>(root, adapter, {
    // Bodies are read as bytes (for SigV4) and decoded after authentication, see request-body.ts.
    bodyParser: false,
    bufferLogs: true,
  });
  app.useLogger(new StartupChatterAtDebug(app.get(Logger)));
  app.useGlobalFilters(new RestErrorFilter());
  app.useGlobalInterceptors(new JsonBodyInterceptor());

  const fastify = app.getHttpAdapter().getInstance();
  // What Fastify itself refuses before a handler runs (a hook's error, a body too large, a bad
  // Content-Type) is answered by RestErrorFilter. Nest installs the same answer as Fastify's
  // error handler only at the end of init, but a route takes the handler in force when Fastify
  // loads it, and a plugin awaited during init (the GraphQL driver, ADR 0017) loads the routes
  // declared so far: the handler is set here, before init, so that no route misses it.
  const restErrors = new RestErrorFilter();
  fastify.setErrorHandler((error, request, reply) => {
    restErrors.catch(error, new ExecutionContextHost([request, reply]));
  });
  // Nest's own registration at the end of init answers through the same global filter, so it is
  // skipped: a second error handler in one scope makes Fastify print a warning at every start.
  adapter.setErrorHandler = () => fastify;
  const metrics = app.get(MetricsService);
  connectionMetrics.registerIn(metrics.registry);
  readBodiesAsBytes(fastify, BODY_LIMIT_BYTES);
  fastify.addHook('onRequest', async (request, reply) => {
    void reply.header('x-amzn-RequestId', request.id);
    inFlight.set(request.raw.socket, {
      id: request.id,
      response: reply.raw,
      bodyComplete: () => request.raw.complete,
    });
    // RFC 9112 section 3.2 (Node's own check answers without a body, see http-server-factory.ts).
    if (request.raw.httpVersion === '1.1' && request.headers.host === undefined) {
      throw badRequest('An HTTP/1.1 request must have a Host header.');
    }
  });
  let closing = false;
  fastify.addHook('preClose', async () => {
    closing = true;
  });
  fastify.addHook('onRequest', async () => {
    if (closing) throw new DomainError('SERVICE_UNAVAILABLE', 'The server is shutting down; retry the request.', 1);
  });
  // While draining, close each connection after its response: a keep-alive socket would otherwise
  // hold shutdown open until its idle timeout, and clients reconnect to a live replica anyway.
  const readiness = app.get(ReadinessService);
  fastify.addHook('onSend', async (_request, reply) => {
    if (readiness.isDraining || closing) void reply.header('connection', 'close');
  });
  fastify.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpRequests.inc({ method: request.method, route, status: String(reply.statusCode) });
    metrics.httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });
  return app;
}
