import { Inject, Injectable, Optional } from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HTTP_LAYER_ERRORS } from '../../platform/http/aws-error-types.js';
import { decodeJsonBody, type RequestWithRawBody } from '../../platform/http/request-body.js';
import { TransportError } from '../../platform/http/transport-error.js';
import { API_USAGE_LISTENER, ClassedByHandler, type ApiUsageListener } from '../../tenants/auth/api-usage.js';
import { Authenticate, TENANT_CONTEXT, type RequestWithTenant } from '../../tenants/auth/auth-policy.decorators.js';
import { AuthGuard } from '../../tenants/auth/auth.guard.js';
import { graphqlRequestClass } from './graphql-request-class.js';

/** What the global guard reads the policy of /graphql from, as it would from a controller. */
@Authenticate('tenant')
@ClassedByHandler()
class GraphqlEndpoint {
  operation(): void {
    // never called: it only carries the route's auth policy
  }
}

/**
 * The /graphql route's `preValidation` hook (ADR 0017), so that GraphQL keeps ADR 0012's order:
 * the caller is authenticated first, by the same AuthGuard as every REST route (tenant API token,
 * or SigV4 over the bytes received), and counted against the tenant's rate limit once per HTTP
 * request; only then is the body decoded, by the same strict decoder as REST's bodies, and handed
 * to the GraphQL engine (and counted for metering as a read or a write, by its operation). An
 * unauthenticated caller learns nothing, not even whether its document parses. What this throws is answered in GraphQL's shape by the route's error formatter.
 */
@Injectable()
export class GraphqlGate {
  constructor(
    private readonly guard: AuthGuard,
    @Optional() @Inject(API_USAGE_LISTENER) private readonly usage?: ApiUsageListener,
  ) {}

  readonly preValidation = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    // A websocket upgrade (GraphQL subscriptions) carries no document: its credentials come in
    // connection_init, checked by WsConnections (subscriptions/ws-connections.ts) before anything runs.
    if ((request as FastifyRequest & { ws?: boolean }).ws === true) return;
    const context = new ExecutionContextHost([request, reply], GraphqlEndpoint, GraphqlEndpoint.prototype.operation);
    await this.guard.canActivate(context);
    const raw = (request as FastifyRequest & RequestWithRawBody).rawBody;
    // Mercurius parses `application/graphql` bodies itself; those bypass the byte reader, so
    // they could be neither signed nor decoded strictly: only JSON bodies are taken.
    if (raw === undefined && request.body !== undefined) {
      throw new TransportError(
        HTTP_LAYER_ERRORS.unsupportedMediaType,
        `Content-Type '${request.headers['content-type'] ?? ''}' is not supported: send the body as application/json.`,
      );
    }
    request.body = decodeJsonBody(request.headers, raw);
    const tenant = (request as FastifyRequest & RequestWithTenant)[TENANT_CONTEXT]?.tenant;
    if (tenant) this.usage?.counted(tenant.id, graphqlRequestClass(request.method, request.body));
  };
}
