import { STATUS_CODES } from 'node:http';
import type { FastifyReply } from 'fastify';
import type { RestError } from './aws-error-types.js';

/**
 * The one wire shape of every error of every REST surface: App Mesh's header `x-amzn-ErrorType`
 * and body `{"message": ...}`, which every AWS SDK, the CLI and Terraform parse.
 */
export function replyWithRestError(reply: FastifyReply, error: RestError, message: string, retryAfter?: number): void {
  if (retryAfter !== undefined) void reply.header('retry-after', String(retryAfter));
  void reply
    .status(error.status)
    .header('x-amzn-ErrorType', error.type)
    .header('content-type', 'application/json')
    .send({ message });
}

/**
 * The same answer as raw HTTP/1.1 bytes, for errors found by Node's HTTP parser before any
 * request object exists (malformed request line, oversized headers, timeouts). It closes the
 * connection: the parser cannot tell where the next request would start.
 */
export function rawRestErrorResponse(error: RestError, message: string, requestId: string): string {
  const body = JSON.stringify({ message });
  return (
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? 'Error'}\r\n` +
    `x-amzn-ErrorType: ${error.type}\r\n` +
    `x-amzn-RequestId: ${requestId}\r\n` +
    'content-type: application/json\r\n' +
    `content-length: ${Buffer.byteLength(body)}\r\n` +
    'connection: close\r\n\r\n' +
    body
  );
}
