import { Module, type DynamicModule } from '@nestjs/common';
import { MeteringModule } from './billing/metering/metering.module.js';
import type { AppConfig } from './config/config.schema.js';
import { BillingModule, BillingWorkerModule } from './billing/billing.module.js';
import { PlansCoreModule } from './billing/plans/plans-core.module.js';
import { ConsoleModule } from './console/console.module.js';
import { GraphqlModule } from './graphql/graphql.module.js';
import { MeshesModule } from './meshes/meshes.module.js';
import { PlatformModule } from './platform/platform.module.js';
import { Ec2SyncApiModule, Ec2SyncWorkerModule } from './registry/ec2/ec2-sync.module.js';
import { RegistryModule } from './registry/registry.module.js';
import { TenantsModule } from './tenants/tenants.module.js';
import { OnboardingModule } from './xds-fleet/onboarding/onboarding.module.js';
import { XdsFleetModule } from './xds-fleet/xds-fleet.module.js';
import { MeshStatusModule } from './xds-fleet/status/mesh-status.module.js';
import { ReconcileQueueModule, ReconcileWorkerModule } from './xds-fleet/reconcile/reconcile.module.js';

/**
 * The root module for a set of roles. Production runs one role per process; `npm start` runs
 * all three in one process, where /readyz then covers all of them.
 */
@Module({})
export class AppModule {
  static forRoles(config: AppConfig): DynamicModule {
    const imports: DynamicModule['imports'] = [PlatformModule.forRoot(config), PlansCoreModule];
    if (config.roles.includes('api'))
      imports.push(
        TenantsModule,
        MeshesModule,
        OnboardingModule,
        MeshStatusModule,
        BillingModule,
        RegistryModule,
        GraphqlModule,
        ConsoleModule,
      );
    if (config.roles.includes('xds')) imports.push(XdsFleetModule);
    // Reconcile queue (src/xds-fleet/reconcile): the api role enqueues a compile after each
    // committed mesh change; the worker role runs the queue's jobs and the periodic sweep.
    if (config.roles.includes('api')) imports.push(ReconcileQueueModule);
    if (config.roles.includes('worker')) imports.push(ReconcileWorkerModule, BillingWorkerModule);
    // Metering (src/billing/metering): what each role collects or rolls up.
    imports.push(MeteringModule.forRoles(config));
    // EC2 sync sources (src/registry/ec2): managed through the api; run by the worker's `ec2-sync` queue.
    if (config.roles.includes('api')) imports.push(Ec2SyncApiModule);
    if (config.roles.includes('worker')) imports.push(Ec2SyncWorkerModule);
    return { module: AppModule, imports };
  }
}
