import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import { PrismaClient } from '../../generated/prisma/client.js';

/**
 * The process's one PostgreSQL pool, and Prisma on it. Repositories are its only users; services
 * see repositories, never this class. `pool` is the same pool, for the few statements that go
 * through the driver without Prisma (src/platform/prisma/sql-runner.ts, ADR 0029).
 */
@Injectable()
export class PrismaService extends PrismaClient implements OnApplicationShutdown {
  readonly pool: pg.Pool;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const pool = new pg.Pool({
      connectionString: config.databaseUrl,
      max: config.databasePoolSize,
      // Fail fast when PostgreSQL is away instead of queueing requests for minutes.
      connectionTimeoutMillis: 5_000,
    });
    // An idle connection that PostgreSQL closes emits 'error' on the pool: without a listener
    // that would end the process. The pool drops the connection and opens another when needed.
    const log = new Logger(PrismaService.name);
    pool.on('error', (err) => log.warn(`idle database connection closed: ${err.message}`));
    super({ adapter: new PrismaPg(pool) });
    this.pool = pool;
  }

  /**
   * Nest closes the HTTP server between the destroy hooks and the shutdown hooks: closing the pool
   * here, after the server drained, lets in-flight requests finish their transactions.
   */
  async onApplicationShutdown(): Promise<void> {
    await this.$disconnect();
    if (!this.pool.ended) await this.pool.end();
  }
}
