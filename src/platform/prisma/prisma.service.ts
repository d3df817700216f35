import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import { PrismaClient } from '../../generated/prisma/client.js';

/**
 * The process's one PostgreSQL pool. Repositories are its only users; services see
 * repositories, never this class.
 */
@Injectable()
export class PrismaService extends PrismaClient implements OnApplicationShutdown {
  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super({
      adapter: new PrismaPg({
        connectionString: config.databaseUrl,
        max: config.databasePoolSize,
        // Fail fast when PostgreSQL is away instead of queueing requests for minutes.
        connectionTimeoutMillis: 5_000,
      }),
    });
  }

  /**
   * Nest closes the HTTP server between the destroy hooks and the shutdown hooks: closing the pool
   * here, after the server drained, lets in-flight requests finish their transactions.
   */
  async onApplicationShutdown(): Promise<void> {
    await this.$disconnect();
  }
}
