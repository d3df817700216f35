import { Module } from '@nestjs/common';
import { FleetEventStream } from './fleet-event-stream.js';

/** The api role's receiver of fleet events (ADR 0019); shards and workers provide the publisher themselves. */
@Module({ providers: [FleetEventStream], exports: [FleetEventStream] })
export class FleetEventsModule {}
