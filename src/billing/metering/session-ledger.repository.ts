import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import { PrismaService } from '../../platform/prisma/prisma.service.js';
import type { SessionMeterName } from './meters.js';

/** A session that started on this shard run (and, when it was short, already ended). */
export interface SessionStart {
  readonly id: string;
  readonly tenantId: string;
  readonly meter: SessionMeterName;
  readonly meshName: string;
  readonly kind: string;
  readonly name: string;
  readonly connectedAt: number;
  closedAt?: number;
}

export interface ShardRun {
  readonly id: string;
  readonly shard: string;
  readonly startedAt: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * What an xds shard writes about its sessions: one transaction per flush, whatever the number of
 * sessions (a multi-row insert, a multi-row update and the run's heartbeat), so metering costs
 * the fleet a few statements a second per shard, never one per session or per heartbeat.
 */
@Injectable()
export class SessionLedgerRepository {
  private readonly region: string;

  constructor(
    private readonly prisma: PrismaService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.region = config.region;
  }

  /**
   * CROSS-TENANT BY DESIGN: a shard serves many tenants at once; every row carries the tenant of
   * its session's proxy identity. The dimension (the virtual node's or gateway's ARN) is built
   * here from the tenant's account id; a session of a tenant deleted meanwhile is dropped (there
   * is nobody left to bill). Idempotent: a flush retried after a lost answer writes the same rows.
   */
  async writeAcrossAllTenants(
    run: ShardRun,
    starts: readonly SessionStart[],
    ends: ReadonlyMap<string, number>,
    seenAt: number,
  ): Promise<void> {
    const writes = [
      this.prisma.$executeRaw`
        INSERT INTO metering_shard_runs (id, shard, started_at, last_seen_at)
        VALUES (${run.id}::uuid, ${run.shard}, ${iso(run.startedAt)}::timestamptz, ${iso(seenAt)}::timestamptz)
        ON CONFLICT (id) DO UPDATE SET last_seen_at = EXCLUDED.last_seen_at`,
    ];
    // Rows travel as one JSON parameter: encoding thousands of values into one string is far
    // cheaper for the shard than binding them as several arrays.
    if (starts.length > 0) {
      const rows = starts.map((s) => ({
        id: s.id,
        tenant_id: s.tenantId,
        meter: s.meter,
        path: `mesh/${s.meshName}/${s.kind}/${s.name}`,
        connected_at: iso(s.connectedAt),
        closed_at: s.closedAt === undefined ? null : iso(s.closedAt),
      }));
      writes.push(this.prisma.$executeRaw`
        INSERT INTO metered_sessions (id, tenant_id, shard_run_id, meter, dimension, connected_at, closed_at)
        SELECT s.id, s.tenant_id, ${run.id}::uuid, s.meter,
               'arn:aws:appmesh:' || ${this.region}::text || ':' || t.account_id || ':' || s.path,
               s.connected_at, s.closed_at
        FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
             AS s(id uuid, tenant_id uuid, meter text, path text, connected_at timestamptz, closed_at timestamptz)
        JOIN tenants t ON t.id = s.tenant_id
        ON CONFLICT (id) DO UPDATE SET closed_at = COALESCE(EXCLUDED.closed_at, metered_sessions.closed_at),
                                       changed_at = now()`);
    }
    if (ends.size > 0) {
      // A real close overrides the end the rollup gave a session of a run it took for dead (a
      // shard cut off from PostgreSQL, not dead): the proxy was connected until now.
      const rows = [...ends].map(([id, at]) => ({ id, closed_at: iso(at) }));
      writes.push(this.prisma.$executeRaw`
        UPDATE metered_sessions m SET closed_at = c.closed_at, changed_at = now()
        FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS c(id uuid, closed_at timestamptz)
        WHERE m.id = c.id`);
    }
    await this.prisma.$transaction(writes);
  }
}
