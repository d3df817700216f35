import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthError } from '../../common/errors/auth-error.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { isDatabaseUnavailable } from '../prisma/database-errors.js';
import { authToRest, DOMAIN_TO_REST, statusToRest, type RestError } from './aws-error-types.js';
import { replyWithRestError } from './rest-error-response.js';

/** Set by the auth guard so that errors are reported in the scheme the caller used. */
export const AUTH_SCHEME = Symbol('authScheme');

/**
 * The one error mapper of every REST surface (App Mesh, /v1, /admin/v1). The wire shape is App
 * Mesh's: header `x-amzn-ErrorType` and body `{"message": ...}`, which every AWS SDK, the CLI
 * and Terraform parse. Unexpected errors are logged with their stack and answered with a
 * generic message: internals never reach the client.
 */
@Catch()
export class RestErrorFilter implements ExceptionFilter {
  private readonly log = new Logger('RestErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    // A resolver's error belongs to the GraphQL engine, which answers in GraphQL's shape
    // (src/graphql/errors/graphql-errors.ts): this filter only shapes HTTP responses.
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest & { [AUTH_SCHEME]?: 'sigv4' | 'bearer' }>();
    const { error, message, retryAfter } = this.describe(exception, request);
    if (error.status >= 500 && error.type === 'InternalServerErrorException') {
      this.log.error({ err: exception, reqId: request.id }, 'unhandled error');
    }
    replyWithRestError(reply, error, message, retryAfter);
  }

  private describe(
    exception: unknown,
    request: FastifyRequest & { [AUTH_SCHEME]?: 'sigv4' | 'bearer' },
  ): { error: RestError; message: string; retryAfter?: number } {
    if (exception instanceof DomainError) {
      return {
        error: DOMAIN_TO_REST[exception.code],
        message: exception.message,
        retryAfter: exception.retryAfterSeconds,
      };
    }
    if (exception instanceof AuthError) {
      return { error: authToRest(exception, request[AUTH_SCHEME] ?? 'sigv4'), message: exception.message };
    }
    if (exception instanceof HttpException) {
      return { error: statusToRest(exception.getStatus()), message: httpMessage(exception) };
    }
    const status = (exception as { statusCode?: unknown }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      // Fastify's own client errors (body too large, malformed Content-Type or Content-Length),
      // and TransportErrors, which name their AWS type.
      const awsType = (exception as { awsType?: unknown }).awsType;
      const error = typeof awsType === 'string' ? { status, type: awsType } : statusToRest(status);
      return { error, message: (exception as Error).message };
    }
    if (isDatabaseUnavailable(exception)) {
      return {
        error: DOMAIN_TO_REST.SERVICE_UNAVAILABLE,
        message: 'The service is temporarily unable to reach its database; retry the request.',
        retryAfter: 2,
      };
    }
    return { error: statusToRest(500), message: 'An internal error occurred; it has been logged.' };
  }
}

function httpMessage(exception: HttpException): string {
  const body = exception.getResponse();
  if (typeof body === 'string') return body;
  const message = (body as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : exception.message;
}
