import type { RestError } from './aws-error-types.js';

/**
 * A failure of the HTTP exchange itself rather than of an operation (unknown operation, a body
 * in a format the server does not take): it names its status and AWS error type, and the REST
 * error filter answers with them. Services never throw it (they throw DomainError).
 */
export class TransportError extends Error {
  readonly statusCode: number;
  readonly awsType: string;

  constructor(error: RestError, message: string) {
    super(message);
    this.name = 'TransportError';
    this.statusCode = error.status;
    this.awsType = error.type;
  }
}
