import { Module } from '@nestjs/common';
import { RevocationBus } from './revocation-bus.service.js';

/**
 * Revocation notices (RevocationBus): imported by what revokes (tenants, proxy tokens) and by
 * what caches authentication (the xds role). RedisService comes from the global platform; the
 * operator CLI may run without it.
 */
@Module({ providers: [RevocationBus], exports: [RevocationBus] })
export class RevocationsModule {}
