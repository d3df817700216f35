import { Module } from '@nestjs/common';
import { MeshesModule } from '../../meshes/meshes.module.js';
import { XdsIdentityModule } from '../../xds-fleet/identity/xds-identity.module.js';
import { MeshStatusModule } from '../../xds-fleet/status/mesh-status.module.js';
import { RequestLoadersFactory } from './request-loaders.js';

/** The per-request loaders' factory, for the GraphQL driver's context (it is built before the resolvers). */
@Module({
  imports: [MeshesModule, MeshStatusModule, XdsIdentityModule],
  providers: [RequestLoadersFactory],
  exports: [RequestLoadersFactory],
})
export class GraphqlLoadersModule {}
