import { Module } from '@nestjs/common';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import { QueuesModule, QueueWorkersModule } from '../../platform/queues/queues.module.js';
import { SecretBox } from '../../tenants/credentials/secret-box.js';
import { RegistryChangesModule } from '../../xds-fleet/endpoints/endpoints.module.js';
import { Ec2ClientFactory } from './ec2-client.factory.js';
import { Ec2SyncApplyRepository } from './ec2-sync-apply.repository.js';
import { Ec2SyncSchedules } from './ec2-sync-schedules.js';
import { Ec2SyncSourcesController } from './ec2-sync-sources.controller.js';
import { Ec2SyncSourcesRepository } from './ec2-sync-sources.repository.js';
import { Ec2SyncSourcesService } from './ec2-sync-sources.service.js';
import { Ec2SyncJobHandler, Ec2SyncRescheduleHandler } from './ec2-sync.handlers.js';
import { Ec2SyncMetrics } from './ec2-sync.metrics.js';
import { RegistryChangeNotifier } from './registry-change-notifier.js';

const secretBox = {
  provide: SecretBox,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig) => new SecretBox(config.masterKey),
};

/** Sync sources without a transport: the service REST and GraphQL share. */
@Module({
  imports: [QueuesModule, RegistryChangesModule],
  providers: [Ec2SyncSourcesService, Ec2SyncSourcesRepository, Ec2SyncSchedules, RegistryChangeNotifier, secretBox],
  exports: [Ec2SyncSourcesService],
})
export class Ec2SyncCoreModule {}

/** The api role's side: `/v1/ec2-sync-sources`. */
@Module({ imports: [Ec2SyncCoreModule], controllers: [Ec2SyncSourcesController] })
export class Ec2SyncApiModule {}

/**
 * What runs a source (the `ec2-sync` queue's handlers and their dependencies), without the
 * queue consumers: the worker role adds those (Ec2SyncWorkerModule); a benchmark or a test runs
 * a source by calling Ec2SyncJobHandler.run.
 */
@Module({
  imports: [QueuesModule, RegistryChangesModule],
  providers: [
    Ec2SyncJobHandler,
    Ec2SyncRescheduleHandler,
    Ec2SyncApplyRepository,
    Ec2ClientFactory,
    Ec2SyncSchedules,
    Ec2SyncMetrics,
    RegistryChangeNotifier,
    secretBox,
  ],
  exports: [Ec2SyncJobHandler, Ec2SyncRescheduleHandler],
})
export class Ec2SyncRunModule {}

/** The worker role's side: the handlers above, consumed from the `ec2-sync` queue. */
@Module({ imports: [Ec2SyncRunModule, QueueWorkersModule] })
export class Ec2SyncWorkerModule {}
