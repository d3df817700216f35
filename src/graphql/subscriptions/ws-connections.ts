import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Gauge } from 'prom-client';
import { AuthError } from '../../common/errors/auth-error.js';
import { DomainError } from '../../common/errors/domain-error.js';
import type { Tenant } from '../../generated/prisma/client.js';
import { MetricsService } from '../../platform/metrics/metrics.service.js';
import { TENANT_CONTEXT, type RequestWithTenant } from '../../tenants/auth/auth-policy.decorators.js';
import { CredentialsService } from '../../tenants/credentials/credentials.service.js';
import { TenantRateLimiter } from '../../tenants/rate-limit/tenant-rate-limiter.js';
import { RevocationBus, type RevocationListener } from '../../tenants/revocation/revocation-bus.service.js';
import { STANDING_BOUND_MS, type RevocationNotice } from '../../tenants/revocation/revocation-notice.js';
import { GRAPHQL_LIMITS } from '../graphql-limits.js';

/** The graphql-transport-ws close codes this server uses (the protocol's own). */
export const WS_CLOSE = {
  /** connection_init without valid credentials, or credentials revoked while connected. */
  forbidden: 4403,
  /** No connection_init in time. */
  initTimeout: 4408,
} as const;

/** How long a socket may stay open without a connection_init (graphql-ws' own default is 3 s). */
const INIT_WAIT_MS = 10_000;

/** An authenticated websocket: who it is, and what it holds open. */
export interface WsConnection {
  readonly tenant: Tenant;
  readonly apiTokenId: string;
  /** Subscriptions running on it now. */
  active: number;
  closed: boolean;
}

/** Where a subscription resolver finds its connection in the GraphQL context. */
export const WS_CONNECTION = 'wsConnection';

/**
 * GraphQL subscriptions' websockets (graphql-transport-ws, ADR 0019): authenticated once, in
 * `connection_init`, with the same credential checks as the HTTP guard (a tenant API token:
 * `{ "authorization": "Bearer mpt_…" }`), and ended as soon as that token or its tenant loses
 * its standing (revocation notices, ADR 0013; and a check of every open connection each
 * STANDING_BOUND_MS, which bounds a missed notice).
 *
 * Mercurius calls the subscription `context` factory when `connection_init` arrives, but gives
 * it the socket and not the message: the payload is taken from the socket here, by a listener
 * added when the socket opens (the websocket server's `connection` event, before Mercurius' own
 * listener), so the factory can authenticate it.
 * A refused connection is closed with 4403 before Mercurius acknowledges anything.
 */
@Injectable()
export class WsConnections implements RevocationListener, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(WsConnections.name);
  private readonly initPayloads = new WeakMap<WebSocket, unknown>();
  private readonly open = new Map<WebSocket, WsConnection & { readonly token: string }>();
  private recheckTimer: NodeJS.Timeout | undefined;
  private readonly watched = new WeakSet<WsServer>();

  constructor(
    private readonly credentials: CredentialsService,
    private readonly rateLimiter: TenantRateLimiter,
    private readonly revocations: RevocationBus,
    metrics: MetricsService,
  ) {
    const open = this.open;
    new Gauge({
      name: 'meshplane_graphql_subscription_sockets',
      help: 'Authenticated GraphQL subscription websockets open on this api process.',
      registers: [metrics.registry],
      collect() {
        this.set(open.size);
      },
    });
    new Gauge({
      name: 'meshplane_graphql_subscriptions',
      help: 'GraphQL subscriptions running on this api process.',
      registers: [metrics.registry],
      collect() {
        let running = 0;
        for (const connection of open.values()) running += connection.active;
        this.set(running);
      },
    });
  }

  onApplicationBootstrap(): void {
    this.revocations.subscribe(this);
    this.recheckTimer = setInterval(() => void this.recheck(), STANDING_BOUND_MS);
    this.recheckTimer.unref();
  }

  onApplicationShutdown(): void {
    if (this.recheckTimer) clearInterval(this.recheckTimer);
  }

  /**
   * The /graphql route's `preHandler` hook (Mercurius keeps `onRequest` for itself): on a
   * websocket upgrade, starts watching the sockets of the websocket server Mercurius registered
   * (it is decorated inside Mercurius' plugin scope, which the route's request sees), before the
   * route's handler upgrades and the socket exists.
   */
  readonly preHandler = (request: FastifyRequest, _reply: unknown, done: () => void): void => {
    if ((request as FastifyRequest & { ws?: boolean }).ws === true) this.watch(request.server);
    done();
  };

  private watch(fastify: FastifyInstance): void {
    const server = (fastify as FastifyInstance & { websocketServer?: WsServer }).websocketServer;
    if (!server || this.watched.has(server)) return;
    this.watched.add(server);
    server.on('connection', (socket: WebSocket) => this.opened(socket));
  }

  /** Open authenticated connections (all tenants). */
  get size(): number {
    return this.open.size;
  }

  private opened(socket: WebSocket): void {
    const timer = setTimeout(() => {
      if (!this.initPayloads.has(socket)) socket.close(WS_CLOSE.initTimeout, 'Connection initialisation timeout');
    }, INIT_WAIT_MS);
    timer.unref();
    const first = (data: Buffer, isBinary: boolean) => {
      socket.off('message', first);
      clearTimeout(timer);
      let message: unknown;
      try {
        message = JSON.parse(isBinary ? '' : String(data));
      } catch {
        message = undefined;
      }
      const init = message as { type?: unknown; payload?: unknown } | undefined;
      this.initPayloads.set(socket, init?.type === 'connection_init' ? (init.payload ?? null) : null);
    };
    socket.on('message', first);
    socket.once('close', () => {
      clearTimeout(timer);
      const connection = this.open.get(socket);
      if (connection) connection.closed = true;
      this.open.delete(socket);
    });
  }

  /**
   * Mercurius' subscription context factory, run on `connection_init`: the authenticated
   * request (as the HTTP gate leaves it, so resolvers' guard and `@CurrentScope()` work
   * unchanged) and the connection. A refused socket is closed here with 4403.
   */
  async context(socket: WebSocket, request: FastifyRequest): Promise<Record<string, unknown>> {
    const payload = this.initPayloads.get(socket);
    const header = (payload as { authorization?: unknown } | null | undefined)?.authorization;
    let caller: Awaited<ReturnType<CredentialsService['authenticateApiToken']>>;
    let token: string;
    try {
      token = bearerToken(header);
      caller = await this.credentials.authenticateApiToken(token);
    } catch (err) {
      if (!(err instanceof AuthError)) this.log.warn(`authenticating a websocket: ${(err as Error).message}`);
      socket.close(WS_CLOSE.forbidden, err instanceof AuthError ? closeReason(err.message) : 'Forbidden');
      return {};
    }
    (request as FastifyRequest & RequestWithTenant)[TENANT_CONTEXT] = caller;
    const connection = { tenant: caller.tenant, apiTokenId: caller.apiTokenId, token, active: 0, closed: false };
    if (socket.readyState !== OPEN) connection.closed = true;
    else this.open.set(socket, connection);
    return { req: request, [WS_CONNECTION]: connection };
  }

  /**
   * Admits one more subscription on `connection`: it must still stand, stay under the cap per
   * connection, and pass the tenant's rate limit (one request's worth). Returns its release.
   */
  async begin(connection: WsConnection | undefined): Promise<() => void> {
    if (!connection || connection.closed)
      throw new AuthError('MISSING_CREDENTIALS', 'This connection is not authenticated.');
    if (connection.active >= GRAPHQL_LIMITS.maxSubscriptionsPerConnection) {
      throw new DomainError(
        'LIMIT_EXCEEDED',
        `A connection may run ${GRAPHQL_LIMITS.maxSubscriptionsPerConnection} subscriptions at once; stop one or open another connection.`,
      );
    }
    await this.rateLimiter.consume(connection.tenant);
    connection.active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      connection.active--;
    };
  }

  // --- RevocationListener --------------------------------------------------------------------------

  revoked(notice: RevocationNotice): void {
    // Sockets authenticate with API tokens only: proxy tokens and access keys hold none open.
    if (notice.kind === 'proxyToken' || notice.kind === 'accessKey') return;
    for (const [socket, connection] of this.open) {
      if (connection.tenant.id !== notice.tenantId) continue;
      if (notice.kind === 'apiToken' && connection.apiTokenId !== notice.tokenId) continue;
      this.end(
        socket,
        notice.kind === 'apiToken' ? 'The API token has been revoked.' : `The account is ${notice.status}.`,
      );
    }
  }

  resync(): void {
    void this.recheck();
  }

  /** Checks every open connection's token again (a missed notice costs at most STANDING_BOUND_MS). */
  private async recheck(): Promise<void> {
    for (const [socket, connection] of [...this.open]) {
      try {
        const caller = await this.credentials.authenticateApiToken(connection.token);
        if (caller.apiTokenId !== connection.apiTokenId) this.end(socket, 'Forbidden');
      } catch (err) {
        if (err instanceof AuthError) this.end(socket, closeReason(err.message));
        else this.log.warn(`checking a websocket's token again: ${(err as Error).message}`);
      }
    }
  }

  private end(socket: WebSocket, reason: string): void {
    const connection = this.open.get(socket);
    if (connection) connection.closed = true;
    this.open.delete(socket);
    socket.close(WS_CLOSE.forbidden, closeReason(reason));
  }
}

/** What is used of a `ws` socket and server (the `ws` package ships no types). */
interface WebSocket {
  readonly readyState: number;
  on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): unknown;
  off(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): unknown;
  once(event: 'close', listener: () => void): unknown;
  close(code: number, reason: string): void;
}
const OPEN = 1;
interface WsServer {
  on(event: 'connection', listener: (socket: WebSocket) => void): unknown;
}

function bearerToken(header: unknown): string {
  if (header === undefined || header === null || header === '') {
    throw new AuthError(
      'MISSING_CREDENTIALS',
      'Missing credentials: send { "authorization": "Bearer <token>" } in connection_init.',
    );
  }
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!match?.[1]) throw new AuthError('MALFORMED_CREDENTIALS', 'authorization must be of the form: Bearer <token>.');
  return match[1];
}

/** A close frame's reason holds at most 123 bytes. */
function closeReason(message: string): string {
  return Buffer.byteLength(message) <= 123 ? message : `${message.slice(0, 110)}…`;
}
