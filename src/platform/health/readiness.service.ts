import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { MigrationStatusService } from '../prisma/migration-status.service.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { RedisService } from '../redis/redis.service.js';

/** A dependency the process needs to serve; it throws (or rejects) with the reason when not ready. */
export type ReadinessCheck = () => Promise<void> | void;

export interface ReadinessReport {
  readonly ready: boolean;
  readonly checks: Record<string, { ok: boolean; error?: string; ms: number }>;
}

const CHECK_TIMEOUT_MS = 2_000;

/**
 * Answers "can this process serve now?" for /readyz. The platform registers PostgreSQL, Redis
 * and migrations; role modules add their own (xDS server bound, workers consuming). During
 * shutdown it reports not ready first, so load balancers stop sending work before pools close.
 */
@Injectable()
export class ReadinessService implements OnModuleInit, OnApplicationShutdown {
  private readonly checks = new Map<string, ReadinessCheck>();
  private draining = false;

  constructor(
    private readonly prisma: PrismaService,
    private readonly redis: RedisService,
    private readonly migrations: MigrationStatusService,
  ) {}

  onModuleInit(): void {
    this.register('postgres', async () => {
      await this.prisma.$queryRaw`SELECT 1`;
    });
    this.register('redis', () => this.redis.ping());
    this.register('migrations', async () => {
      const pending = await this.migrations.pending();
      if (pending.length > 0) throw new Error(`pending migrations: ${pending.join(', ')} (run npm run db:migrate)`);
    });
  }

  register(name: string, check: ReadinessCheck): void {
    if (this.checks.has(name)) throw new Error(`readiness check ${name} registered twice`);
    this.checks.set(name, check);
  }

  beginDraining(): void {
    this.draining = true;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  onApplicationShutdown(): void {
    this.draining = true;
  }

  async report(): Promise<ReadinessReport> {
    const entries = await Promise.all(
      [...this.checks].map(async ([name, check]) => {
        const started = performance.now();
        try {
          await withTimeout(Promise.resolve().then(check), CHECK_TIMEOUT_MS);
          return [name, { ok: true, ms: Math.round(performance.now() - started) }] as const;
        } catch (err) {
          const error = err instanceof Error ? err.message : String(err);
          return [name, { ok: false, error, ms: Math.round(performance.now() - started) }] as const;
        }
      }),
    );
    const checks: ReadinessReport['checks'] = Object.fromEntries(entries);
    if (this.draining) checks['shutdown'] = { ok: false, error: 'process is shutting down', ms: 0 };
    return { ready: Object.values(checks).every((c) => c.ok), checks };
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
