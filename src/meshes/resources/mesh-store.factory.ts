import { Injectable } from '@nestjs/common';
import type { TenantScope } from '../../common/tenancy/tenant-scope.js';
import { PrismaService } from '../../platform/prisma/prisma.service.js';
import { MeshStore } from './mesh-store.js';

/** Opens MeshStores: the mesh repositories, always bound to one tenant. */
@Injectable()
export class MeshStoreFactory {
  constructor(private readonly prisma: PrismaService) {}

  reader(scope: TenantScope): MeshStore {
    return new MeshStore(this.prisma, scope);
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
}
