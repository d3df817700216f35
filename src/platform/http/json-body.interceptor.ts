import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';
import { decodeJsonBody, type RequestWithRawBody } from './request-body.js';

/**
 * Decodes the request body (see `decodeJsonBody`) for every route. Interceptors run after the
 * guards, so the body is judged only once the caller is authenticated, and before parameters
 * are bound, so `@Body()` and the App Mesh validator see the decoded object.
 */
@Injectable()
export class JsonBodyInterceptor implements NestInterceptor {
  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    // GraphQL resolvers: the /graphql route decoded its body, the same way, before the engine
    // parsed it (src/graphql/http/graphql-gate.ts); a resolver has no body of its own.
    if (ctx.getType() !== 'http') return next.handle();
    const request = ctx.switchToHttp().getRequest<FastifyRequest & RequestWithRawBody>();
    request.body = decodeJsonBody(request.headers, request.rawBody);
    return next.handle();
  }
}
