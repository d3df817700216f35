import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { statusToRest } from './aws-error-types.js';
import { replyWithRestError } from './rest-error-response.js';

/** The longest part of a path echoed back in a message. */
const ECHO_LIMIT = 200;

/**
 * Fastify's `frameworkErrors`: what its router refuses before any hook or route runs. Both are
 * 400 `BadRequestException`s like any other invalid input (a too-long parameter is a name the
 * model would refuse anyway, so it gets the same status as one that is only slightly too long).
 */
export function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  void reply.header('x-amzn-RequestId', request.id);
  const path = echo(request.raw.url?.split('?', 1)[0] ?? '');
  switch (error.code) {
    case 'FST_ERR_BAD_URL':
      replyWithRestError(
        reply,
        statusToRest(400),
        `The request path '${path}' is not valid: it contains a malformed percent-encoding (a '%' not followed by two hexadecimal digits, or bytes that are not UTF-8).`,
      );
      return;
    case 'FST_ERR_MAX_PARAM_LENGTH':
      replyWithRestError(reply, statusToRest(400), `A path parameter of '${path}' is longer than the server accepts.`);
      return;
    default:
      replyWithRestError(reply, statusToRest(error.statusCode ?? 500), 'The request could not be routed.');
  }
}

function echo(path: string): string {
  return path.length > ECHO_LIMIT ? `${path.slice(0, ECHO_LIMIT)}...` : path;
}
