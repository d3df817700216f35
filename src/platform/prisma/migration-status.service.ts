import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Injectable } from '@nestjs/common';
import { PrismaService } from './prisma.service.js';

/** The committed migrations folder; the same path from src/ (tests) and dist/ (build). */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../../prisma/migrations', import.meta.url));

/**
 * Compares the migrations this build ships with those recorded as applied in
 * `_prisma_migrations`, so /readyz can refuse traffic from a process whose schema is ahead
 * of the database.
 */
@Injectable()
export class MigrationStatusService {
  private shipped: Promise<string[]> | undefined;

  constructor(private readonly prisma: PrismaService) {}

  async pending(): Promise<string[]> {
    this.shipped ??= readdir(MIGRATIONS_DIR, { withFileTypes: true }).then((entries) =>
      entries.filter((e) => e.isDirectory()).map((e) => e.name),
    );
    const shipped = await this.shipped;
    let applied: { migration_name: string }[];
    try {
      applied = await this.prisma.$queryRaw<{ migration_name: string }[]>`
        SELECT migration_name FROM _prisma_migrations
        WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`;
    } catch (err) {
      // 42P01: the table does not exist yet, so nothing has been applied.
      if (err instanceof Error && /_prisma_migrations|42P01/.test(err.message)) return shipped;
      throw err;
    }
    const done = new Set(applied.map((r) => r.migration_name));
    return shipped.filter((name) => !done.has(name)).sort();
  }
}
