import type { status } from '@grpc/grpc-js';

/** Why a stream is not served: the gRPC status it ends with, and the reason label of the metric. */
export class StreamRefused extends Error {
  constructor(
    readonly code: status,
    message: string,
    readonly reason: string,
  ) {
    super(message);
  }
}
