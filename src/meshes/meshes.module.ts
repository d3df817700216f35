import { Module } from '@nestjs/common';
import { MeshResourcesService } from './resources/mesh-resources.service.js';
import { MeshStoreFactory } from './resources/mesh-store.factory.js';
import { ResourceTagsService } from './resources/resource-tags.service.js';
import { AppMeshApi } from './rest/app-mesh-api.js';
import { AppMeshFallbackController } from './rest/app-mesh-fallback.controller.js';
import { AppMeshController } from './rest/app-mesh.controller.js';
import { OpenApiController } from './rest/openapi.controller.js';

/**
 * The App Mesh resource model (meshes and the resources inside them, whose kind-specific rules
 * live in kinds/, one file per kind) and its REST surface. The fallback controller must come
 * last: it answers paths that match no operation.
 */
@Module({
  controllers: [AppMeshController, OpenApiController, AppMeshFallbackController],
  providers: [MeshStoreFactory, MeshResourcesService, ResourceTagsService, AppMeshApi],
  exports: [MeshResourcesService, ResourceTagsService],
})
export class MeshesModule {}
