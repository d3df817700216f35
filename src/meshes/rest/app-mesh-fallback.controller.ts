import { All, Controller, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { HTTP_LAYER_ERRORS } from '../../platform/http/aws-error-types.js';
import { TransportError } from '../../platform/http/transport-error.js';
import { Authenticate } from '../../tenants/auth/auth-policy.decorators.js';

/**
 * Answers requests under the App Mesh prefix that match no operation, after authenticating
 * them (so unauthenticated probes learn nothing). AWS answers unknown operations with
 * UnknownOperationException; the SDKs surface that name.
 */
@Controller('v20190125')
@Authenticate('sigv4')
export class AppMeshFallbackController {
  @All('*')
  unknown(@Req() request: FastifyRequest): never {
    throw new UnknownOperationError(
      `${request.method} ${request.url.split('?')[0]} is not an App Mesh 2019-01-25 operation supported by this server.`,
    );
  }
}

/** Transport-level (not a domain failure): the REST filter answers with its status and type. */
export class UnknownOperationError extends TransportError {
  constructor(message: string) {
    super(HTTP_LAYER_ERRORS.unknownOperation, message);
  }
}
