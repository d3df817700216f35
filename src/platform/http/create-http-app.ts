import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { ReadinessService } from '../health/readiness.service.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { RestErrorFilter } from './rest-error.filter.js';

/** Largest request body accepted. App Mesh specs are a few KiB; this leaves ample room. */
export const BODY_LIMIT_BYTES = 1024 * 1024;
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Builds the Fastify-based Nest application every role serves HTTP with. The raw body is kept
 * because SigV4 signs the payload hash. Every response carries the request id in
 * `x-amzn-RequestId`, the header AWS SDKs surface as `$metadata.requestId`; a caller-supplied
 * `x-request-id` is reused when it is well formed, so ids can be followed across systems.
 */
export async function createHttpApp(root: DynamicModule): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    // No route-level limit: Node's maxHeaderSize (16 KiB) bounds the request line already, and
    // every parameter must reach the validator, which names the field and its limit (App Mesh
    // names are up to 255 code points, 510 UTF-16 units once decoded).
    maxParamLength: 16 * 1024,
    genReqId: (req: IncomingMessage) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
      (req as IncomingMessage & { id?: string }).id = id;
      return id;
    },
    // Node's own parser already rejects malformed requests; keep-alive sockets that idle are
    // closed on shutdown so draining does not wait for clients that will never send again.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
  });
  const app = await NestFactory.create<NestFastifyApplication>(root, adapter, {
    rawBody: true,
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  app.useGlobalFilters(new RestErrorFilter());

  const metrics = app.get(MetricsService);
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', async (request, reply) => {
    void reply.header('x-amzn-RequestId', request.id);
  });
  // While draining, close each connection after its response: a keep-alive socket would otherwise
  // hold shutdown open until its idle timeout, and clients reconnect to a live replica anyway.
  const readiness = app.get(ReadinessService);
  fastify.addHook('onSend', async (_request, reply) => {
    if (readiness.isDraining) void reply.header('connection', 'close');
  });
  fastify.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpRequests.inc({ method: request.method, route, status: String(reply.statusCode) });
    metrics.httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });
  return app;
}
