import { Injectable } from '@nestjs/common';

/**
 * The time as metering sees it: session starts and ends, shard heartbeats, the hour an API
 * request counts in, which hours the rollup may close. One injectable instance per process, so a
 * test can move time across hour boundaries (the xDS server and the rest of the process keep
 * theirs).
 */
@Injectable()
export class MeteringClock {
  /** Milliseconds since the epoch. */
  now(): number {
    return Date.now();
  }
}
