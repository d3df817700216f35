import fastifyStatic from '@fastify/static';
import { Logger, Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { CONSOLE_ASSETS_DIR, CONSOLE_CSP, CONSOLE_PATH, cacheControlFor, consoleBuilt } from './console-assets.js';

/**
 * The web console (ADR 0020), served by the api role at /console as static files. The shell needs
 * no credentials: it holds no data; everything it shows comes from /graphql (and /admin/v1) with
 * the token the operator signs in with. Routes are Fastify's own, outside Nest's guards.
 */
@Module({})
export class ConsoleModule implements OnModuleInit {
  private readonly logger = new Logger('Console');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  async onModuleInit(): Promise<void> {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    if (!consoleBuilt()) {
      this.logger.warn(`the console is not built (${CONSOLE_ASSETS_DIR}); npm start or npm test builds it`);
      const notBuilt = { message: 'The console is not built on this server: run `npm run build`.' };
      fastify.get(CONSOLE_PATH, async (_req, reply) => reply.code(503).send(notBuilt));
      fastify.get(`${CONSOLE_PATH}/*`, async (_req, reply) => reply.code(503).send(notBuilt));
      return;
    }
    // The plugin serves /console/ (and below); the bare path, which people type, redirects there.
    fastify.get(CONSOLE_PATH, async (_req, reply) => reply.redirect(`${CONSOLE_PATH}/`, 301));
    await fastify.register(fastifyStatic, {
      root: CONSOLE_ASSETS_DIR,
      prefix: `${CONSOLE_PATH}/`,
      index: 'index.html',
      // Cache-Control is set per file below; ETag and Last-Modified stay for revalidation.
      cacheControl: false,
      decorateReply: false,
      // The build stamp is not for the world.
      allowedPath: (pathName) => !pathName.split('/').some((part) => part.startsWith('.')),
      setHeaders: (reply, path) => {
        void reply.header('cache-control', cacheControlFor(path));
        void reply.header('content-security-policy', CONSOLE_CSP);
        void reply.header('x-content-type-options', 'nosniff');
        void reply.header('referrer-policy', 'no-referrer');
      },
    });
  }
}
