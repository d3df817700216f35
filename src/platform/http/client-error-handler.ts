import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { HTTP_LAYER_ERRORS, statusToRest, type RestError } from './aws-error-types.js';
import { rawRestErrorResponse } from './rest-error-response.js';

/** The request a connection is serving, as far as a parser-level error needs to know. */
export interface InFlightRequest {
  readonly id: string;
  readonly response: ServerResponse;
  /** Whether the request's body has been received completely. */
  bodyComplete(): boolean;
}

export type ClientErrorReason = 'request_timeout' | 'headers_timeout' | 'headers_too_large' | 'malformed';

export interface ClientErrorOptions {
  /** The request each connection is serving, recorded when its headers have been parsed. */
  readonly inFlight: WeakMap<Socket, InFlightRequest>;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly onError: (reason: ClientErrorReason) => void;
}

/**
 * Answers what Node's HTTP parser rejects before any route runs (a `clientError`): a malformed
 * request line or header (400), oversized headers (431), a request not received in time (408).
 * In App Mesh's shape like every other answer, then the connection is closed, as Node does.
 * Nothing is written once a response has started on the connection: that would corrupt it.
 */
export function createClientErrorHandler(options: ClientErrorOptions): (err: Error, socket: Socket) => void {
  return (err, socket) => {
    const code = (err as NodeJS.ErrnoException).code;
    // A reset connection has no one to answer; a destroyed one is already being cleaned up.
    if (code === 'ECONNRESET' || socket.destroyed) return;
    const inFlight = options.inFlight.get(socket);
    const current = inFlight !== undefined && !inFlight.response.writableFinished ? inFlight : undefined;
    const { error, message, reason } = describe(code, current, options);
    options.onError(reason);
    if (socket.writable && !current?.response.headersSent) {
      socket.write(rawRestErrorResponse(error, message, current?.id ?? randomUUID()));
    }
    socket.destroy(err);
  };
}

function describe(
  code: string | undefined,
  current: InFlightRequest | undefined,
  options: ClientErrorOptions,
): { error: RestError; message: string; reason: ClientErrorReason } {
  switch (code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      // Node reports both timeouts with one code: the headers were complete if a request exists.
      return current !== undefined && !current.bodyComplete()
        ? {
            error: HTTP_LAYER_ERRORS.requestTimeout,
            message: `The request body was not received completely within ${options.requestTimeoutMs} ms of the request's start.`,
            reason: 'request_timeout',
          }
        : {
            error: HTTP_LAYER_ERRORS.requestTimeout,
            message: `The request line and headers were not received within ${options.headersTimeoutMs} ms.`,
            reason: 'headers_timeout',
          };
    case 'HPE_HEADER_OVERFLOW':
      return {
        error: HTTP_LAYER_ERRORS.headersTooLarge,
        message: 'The request headers are larger than the server accepts (16 KiB in all).',
        reason: 'headers_too_large',
      };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return {
        error: HTTP_LAYER_ERRORS.bodyTooLarge,
        message: 'The chunk extensions of the request body are larger than the server accepts.',
        reason: 'malformed',
      };
    default:
      return {
        error: statusToRest(400),
        message: `The request is not valid HTTP/1.1 and could not be read${code?.startsWith('HPE_') ? ` (${code})` : ''}.`,
        reason: 'malformed',
      };
  }
}
