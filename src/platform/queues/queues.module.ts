import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { QueueRegistry } from './queue-registry.service.js';
import { QueueWorkers } from './queue-workers.service.js';

/**
 * Queue producers: `QueueRegistry` (one BullMQ Queue per declared queue). Import it wherever jobs
 * are added; it is one instance per process however often it is imported.
 */
@Module({ providers: [QueueRegistry], exports: [QueueRegistry] })
export class QueuesModule {}

/**
 * Queue consumers, for the worker role only: runs a Worker per declared queue and dispatches jobs
 * to the @JobHandler providers of every module in the application. Import it once, from the
 * worker role's modules, together with the modules that provide the handlers.
 */
@Module({ imports: [DiscoveryModule, QueuesModule], providers: [QueueWorkers] })
export class QueueWorkersModule {}
