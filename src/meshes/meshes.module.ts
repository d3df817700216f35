import { Module } from '@nestjs/common';
import { AppMeshFallbackController } from './rest/app-mesh-fallback.controller.js';

/** Mesh, VirtualNode and VirtualGateway, and the App Mesh REST surface's shared parts. */
@Module({ controllers: [AppMeshFallbackController] })
export class MeshesModule {}
