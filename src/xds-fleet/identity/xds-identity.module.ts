import { Module } from '@nestjs/common';
import { MeshStoreFactory } from '../../meshes/resources/mesh-store.factory.js';
import { RevocationsModule } from '../../tenants/revocation/revocations.module.js';
import { ProxyTokensRepository } from './proxy-tokens.repository.js';
import { ProxyTokenService } from './proxy-tokens.service.js';

/**
 * Proxy identity: issuing, verifying and revoking proxy tokens. Transport-free, so the api role
 * (bootstraps, token management), the xds role (stream authentication) and the operator CLI all
 * import it. Revoking publishes a notice (RevocationsModule) that the xds role acts on.
 * MeshStoreFactory is provided here rather than imported from MeshesModule, which would bring the
 * App Mesh REST controllers into the xds role; it is stateless, so a second instance costs
 * nothing. PrismaService and the configuration come from the global platform.
 */
@Module({
  imports: [RevocationsModule],
  providers: [ProxyTokensRepository, ProxyTokenService, MeshStoreFactory],
  exports: [ProxyTokenService],
})
export class XdsIdentityModule {}
