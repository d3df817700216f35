import { Injectable } from '@nestjs/common';
import type { TenantScope } from '../../common/tenancy/tenant-scope.js';
import { PrismaService } from '../../platform/prisma/prisma.service.js';
import { inSqlTransaction, sqlRunner, type SqlRunner } from '../../platform/prisma/sql-runner.js';
import { MeshStore, type Db } from './mesh-store.js';

/** How a write's transaction runs: Prisma's interactive transaction, or the driver's (`sqlTransaction`). */
export type TransactionVia = 'prisma' | 'sql';

/**
 * The Prisma client of a store in a driver transaction: it has none, and a model query there would
 * run outside the transaction, so any use is a programming error that fails loudly.
 */
const NO_PRISMA_IN_SQL_TRANSACTION = new Proxy({} as Db, {
  get(_target, member) {
    throw new Error(`MeshStore: Prisma's ${String(member)} cannot run in a driver transaction (sqlTransaction)`);
  },
});

/** Opens MeshStores: the mesh repositories, always bound to one tenant. */
@Injectable()
export class MeshStoreFactory {
  private readonly pooled: SqlRunner;

  constructor(private readonly prisma: PrismaService) {
    this.pooled = sqlRunner(prisma.pool);
  }

  /** Reads outside a transaction; the store's SQL statements go through the driver (ADR 0029). */
  reader(scope: TenantScope): MeshStore {
    return new MeshStore(this.prisma, scope, this.pooled);
  }

  /**
   * Runs read-only `work` on one consistent snapshot of the database (REPEATABLE READ): every
   * query sees the same committed state, as a compiler of a whole mesh needs.
   */
  consistentRead<T>(scope: TenantScope, work: (store: MeshStore) => Promise<T>): Promise<T> {
    return this.prisma.$transaction((tx) => work(new MeshStore(tx, scope)), {
      isolationLevel: 'RepeatableRead',
      timeout: 30_000,
    });
  }

  /** Runs `work` in one database transaction; everything it writes commits together or not at all. */
  transaction<T>(scope: TenantScope, work: (store: MeshStore) => Promise<T>): Promise<T> {
    return this.prisma.$transaction((tx) => work(new MeshStore(tx, scope)), { timeout: 15_000, maxWait: 10_000 });
  }

  /**
   * As `transaction`, through the driver on a connection of the same pool, without Prisma's
   * transaction manager and query engine (ADR 0029): for the hot resource writes, whose work sends
   * only the store's SQL statements (`lockRows`, `writeStaged`). The store has no Prisma client.
   */
  sqlTransaction<T>(scope: TenantScope, work: (store: MeshStore) => Promise<T>): Promise<T> {
    return inSqlTransaction(this.prisma.pool, (run) => work(new MeshStore(NO_PRISMA_IN_SQL_TRANSACTION, scope, run)));
  }
}
