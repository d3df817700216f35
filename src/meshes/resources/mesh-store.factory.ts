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

  /** Runs `work` in one database transaction; everything it writes commits together or not at all. */
  transaction<T>(scope: TenantScope, work: (store: MeshStore) => Promise<T>): Promise<T> {
    return this.prisma.$transaction((tx) => work(new MeshStore(tx, scope)), { timeout: 15_000, maxWait: 10_000 });
  }
}
