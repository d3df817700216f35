import { Injectable } from '@nestjs/common';
import { Prisma } from '../../generated/prisma/client.js';
import { PrismaService } from '../../platform/prisma/prisma.service.js';
import { HOUR_MS } from './hours.js';
import { METERS } from './meters.js';

/** One bucket to write: a tenant's use of one meter and dimension in the hour being rolled up. */
export interface Bucket {
  readonly tenantId: string;
  readonly meter: string;
  readonly dimension: string;
  readonly quantity: bigint;
}

export type CursorName = 'rollup' | 'corrections';

// Hours are UTC hours whatever the database session's time zone: date_trunc works on the UTC
// wall clock (`x AT TIME ZONE 'UTC'`), and the result is read back as UTC.

/** The rollup's advisory locks (pg_advisory_xact_lock's two-int form: this class, then the hour or 0). */
const LOCK_CLASS = 0x6d657465; // "mete"
const CORRECTIONS_LOCK = -1;

const at = (ms: number) => new Date(ms).toISOString();
const SESSION_METERS = [METERS.proxySeconds, METERS.grpcClientSeconds];
const API_METERS = [METERS.apiReadRequests, METERS.apiWriteRequests];

/**
 * The seconds a session is metered in the hour starting at `hour` (an SQL timestamptz): from its
 * connect or the hour's start, to its close or the hour's end. A session still open is metered to
 * the hour's end. Summed exactly (numeric), rounded to whole seconds per bucket.
 */
const secondsIn = (hour: Prisma.Sql, s = 's') => {
  const t = Prisma.raw(s);
  return Prisma.sql`ROUND(SUM(EXTRACT(EPOCH FROM
      LEAST(COALESCE(${t}.closed_at, ${hour} + interval '1 hour'), ${hour} + interval '1 hour')
      - GREATEST(${t}.connected_at, ${hour}))))::bigint`;
};

/**
 * The rollup's queries. CROSS-TENANT BY DESIGN, every one: the rollup is a system job that closes
 * hours for every tenant at once. Each row it reads or writes carries its tenant; no query mixes
 * two tenants' rows into one bucket (every GROUP BY and join leads with tenant_id).
 */
@Injectable()
export class UsageRollupRepository {
  constructor(private readonly prisma: PrismaService) {}

  async cursor(name: CursorName): Promise<number | undefined> {
    const row = await this.prisma.meteringCursor.findUnique({ where: { name } });
    return row?.at.getTime();
  }

  /** Moves a cursor forward (never back: two runs at once cannot undo each other). */
  async advanceCursor(name: CursorName, to: number): Promise<void> {
    await this.prisma.$executeRaw`
      INSERT INTO metering_cursors (name, at) VALUES (${name}, ${at(to)}::timestamptz)
      ON CONFLICT (name) DO UPDATE SET at = GREATEST(metering_cursors.at, EXCLUDED.at)`;
  }

  /**
   * Ends the open sessions of every shard run that stopped heartbeating before `deadBefore` at
   * that run's last heartbeat (never before the session's connect). Returns how many.
   */
  async closeSessionsOfDeadRunsAcrossAllTenants(deadBefore: number): Promise<number> {
    return this.prisma.$executeRaw`
      UPDATE metered_sessions m
      SET closed_at = GREATEST(m.connected_at, r.last_seen_at), end_guessed = true, changed_at = now()
      FROM metering_shard_runs r
      WHERE m.shard_run_id = r.id AND m.closed_at IS NULL AND r.last_seen_at < ${at(deadBefore)}::timestamptz`;
  }

  /** The first hour in [from, to) with any usage recorded (sessions, samples), if any. */
  async firstHourWithUsageAcrossAllTenants(from: number, to: number): Promise<number | undefined> {
    const [row] = await this.prisma.$queryRaw<{ hour: Date | null }[]>`
      SELECT LEAST(
        (SELECT GREATEST(date_trunc('hour', MIN(connected_at) AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', ${at(from)}::timestamptz)
           FROM metered_sessions
          WHERE connected_at < ${at(to)}::timestamptz
            AND (closed_at IS NULL OR closed_at > ${at(from)}::timestamptz)
            AND closed_at IS DISTINCT FROM connected_at),
        (SELECT MIN(hour) FROM metering_resource_samples
          WHERE hour >= ${at(from)}::timestamptz AND hour < ${at(to)}::timestamptz)) AS hour`;
    return row?.hour ? row.hour.getTime() : undefined;
  }

  /**
   * Records that the rollup of `hour` starts now (PostgreSQL's time), before it reads anything:
   * what is written after this may be missing from the hour's buckets. A run resuming the hour
   * keeps the first start (what the first run wrote came from data as of then).
   */
  async hourStarting(hour: number): Promise<void> {
    await this.prisma.$executeRaw`
      INSERT INTO metering_rolled_hours (hour, started_at) VALUES (${at(hour)}::timestamptz, now())
      ON CONFLICT (hour) DO NOTHING`;
  }

  /** Session seconds per tenant, meter and dimension in the hour starting at `hour`. */
  async sessionBucketsAcrossAllTenants(hour: number): Promise<Bucket[]> {
    const h = Prisma.sql`${at(hour)}::timestamptz`;
    const rows = await this.prisma.$queryRaw<{ tenant_id: string; meter: string; dimension: string; q: bigint }[]>`
      SELECT s.tenant_id, s.meter, s.dimension, ${secondsIn(h)} AS q
      FROM metered_sessions s
      WHERE s.connected_at < ${h} + interval '1 hour' AND (s.closed_at IS NULL OR s.closed_at > ${h})
      GROUP BY s.tenant_id, s.meter, s.dimension`;
    return rows
      .filter((r) => r.q > 0n)
      .map((r) => ({ tenantId: r.tenant_id, meter: r.meter, dimension: r.dimension, quantity: r.q }));
  }

  /** Resource-hours per tenant and kind in `hour`: the largest count sampled in it. */
  async resourceBucketsAcrossAllTenants(hour: number): Promise<Bucket[]> {
    const rows = await this.prisma.$queryRaw<{ tenant_id: string; kind: string; count: number }[]>`
      SELECT tenant_id, kind, count FROM metering_resource_samples
      WHERE hour = ${at(hour)}::timestamptz AND count > 0`;
    return rows.map((r) => ({
      tenantId: r.tenant_id,
      meter: METERS.resourceHours,
      dimension: r.kind,
      quantity: BigInt(r.count),
    }));
  }

  /**
   * Writes one batch of whole tenant-hours in one transaction, under the hour's lock: a tenant
   * whose hour already has buckets (an earlier run, or one that died half-way after committing
   * it) is left as it is; buckets are never updated. Buckets of tenants deleted meanwhile are
   * dropped. Returns how many rows were written.
   */
  async writeBucketsAcrossAllTenants(hour: number, buckets: readonly Bucket[]): Promise<number> {
    const h = Prisma.sql`${at(hour)}::timestamptz`;
    const [, written] = await this.prisma.$transaction([
      this.prisma.$queryRaw`SELECT pg_advisory_xact_lock(${LOCK_CLASS}::int, ${hour / HOUR_MS}::int)::text`,
      this.prisma.$executeRaw`
        INSERT INTO usage_hours (tenant_id, hour, meter, dimension, quantity)
        SELECT b.tenant_id, ${h}, b.meter, b.dimension, b.quantity
        FROM unnest(${buckets.map((b) => b.tenantId)}::uuid[], ${buckets.map((b) => b.meter)}::text[],
                    ${buckets.map((b) => b.dimension)}::text[], ${buckets.map((b) => b.quantity.toString())}::text[]::bigint[])
             AS b(tenant_id, meter, dimension, quantity)
        WHERE EXISTS (SELECT 1 FROM tenants t WHERE t.id = b.tenant_id)
          AND NOT EXISTS (SELECT 1 FROM usage_hours u WHERE u.tenant_id = b.tenant_id AND u.hour = ${h})
        ON CONFLICT DO NOTHING`,
    ]);
    return written;
  }

  /**
   * Corrects rolled-up hours for session data that arrived or changed after them: a connect
   * written after its hour's rollup started, a close written after it that ends the session
   * inside the hour, and any change to a session whose end the rollup once guessed (a dead
   * shard's, then really closed). Only sessions changed since the `corrections` cursor are read.
   * For every tenant-hour in [windowStart, watermark) such a change touches, the hour's session
   * seconds are computed again exactly as the rollup does, and the difference from its buckets
   * plus its earlier adjustments is written as adjustment rows. In one transaction under one
   * lock, with the cursor: run twice, the second finds nothing to add. The cursor and the hours'
   * start times are PostgreSQL's time (the shards' writes stamp it), and the comparisons keep
   * `marginMs` of slack, so a write that committed late is looked at again rather than missed.
   * A close after the hour of a session written before its rollup changes nothing in it (open
   * sessions are metered to the hour's end): those, the bulk of all closes, are not recomputed.
   */
  async correctSessionsAcrossAllTenants(windowStart: number, watermark: number, marginMs: number): Promise<number> {
    return this.prisma.$transaction(
      async (tx) => {
        await tx.$queryRaw`SELECT pg_advisory_xact_lock(${LOCK_CLASS}::int, ${CORRECTIONS_LOCK}::int)::text`;
        const cursorRow = await tx.meteringCursor.findUnique({ where: { name: 'corrections' } });
        const cursor = Prisma.sql`${cursorRow ? cursorRow.at.toISOString() : at(0)}::timestamptz`;
        const w = Prisma.sql`${at(watermark)}::timestamptz`;
        const ws = Prisma.sql`${at(windowStart)}::timestamptz`;
        const margin = Prisma.sql`${marginMs} * interval '1 millisecond'`;
        const written = await tx.$executeRaw`
          WITH changed AS (
            SELECT tenant_id, connected_at, closed_at, created_at, changed_at, end_guessed FROM metered_sessions
            WHERE changed_at > ${cursor} AND connected_at < ${w}
          ), affected AS (
            SELECT DISTINCT c.tenant_id, h.hour
            FROM changed c
            CROSS JOIN LATERAL generate_series(
                GREATEST(date_trunc('hour', c.connected_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', ${ws}),
                date_trunc('hour', (LEAST(COALESCE(c.closed_at, ${w}), ${w}) - interval '1 millisecond') AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
                interval '1 hour') AS h(hour)
            -- An hour skipped by the rollup for want of usage has no start time: every change counts.
            LEFT JOIN metering_rolled_hours r ON r.hour = h.hour
            WHERE c.changed_at > COALESCE(r.started_at, '-infinity') - ${margin}
              AND (c.created_at > COALESCE(r.started_at, '-infinity') - ${margin}
                   OR c.closed_at < h.hour + interval '1 hour'
                   OR c.end_guessed)
          ), recomputed AS (
            SELECT a.tenant_id, a.hour, s.meter, s.dimension, ${secondsIn(Prisma.sql`a.hour`)} AS quantity
            FROM affected a
            JOIN metered_sessions s ON s.tenant_id = a.tenant_id
             AND s.connected_at < a.hour + interval '1 hour' AND (s.closed_at IS NULL OR s.closed_at > a.hour)
            GROUP BY a.tenant_id, a.hour, s.meter, s.dimension
          ), stored AS (
            SELECT x.tenant_id, x.hour, x.meter, x.dimension, SUM(x.quantity)::bigint AS quantity
            FROM (SELECT tenant_id, hour, meter, dimension, quantity FROM usage_hours
                  UNION ALL
                  SELECT tenant_id, hour, meter, dimension, quantity FROM usage_adjustments) x
            JOIN affected a ON a.tenant_id = x.tenant_id AND a.hour = x.hour
            WHERE x.meter IN (${Prisma.join(SESSION_METERS)})
            GROUP BY x.tenant_id, x.hour, x.meter, x.dimension
          )
          INSERT INTO usage_adjustments (tenant_id, hour, meter, dimension, quantity, reason)
          SELECT COALESCE(r.tenant_id, s.tenant_id), COALESCE(r.hour, s.hour), COALESCE(r.meter, s.meter),
                 COALESCE(r.dimension, s.dimension), COALESCE(r.quantity, 0) - COALESCE(s.quantity, 0),
                 'session data that arrived after the hour was rolled up'
          FROM recomputed r
          FULL JOIN stored s ON s.tenant_id = r.tenant_id AND s.hour = r.hour AND s.meter = r.meter AND s.dimension = r.dimension
          WHERE COALESCE(r.quantity, 0) <> COALESCE(s.quantity, 0)
            AND EXISTS (SELECT 1 FROM tenants t WHERE t.id = COALESCE(r.tenant_id, s.tenant_id))`;
        await tx.$executeRaw`
          INSERT INTO metering_cursors (name, at) VALUES ('corrections', now() - ${margin})
          ON CONFLICT (name) DO UPDATE SET at = GREATEST(metering_cursors.at, EXCLUDED.at)`;
        return written;
      },
      { timeout: 120_000, maxWait: 30_000 },
    );
  }

  /**
   * Corrects one rolled-up hour's API request buckets up to the counts Redis holds now (requests
   * counted by an api replica that flushed after the rollup). Only ever upwards: a count lower
   * than what was billed means Redis lost data, never that fewer requests were made.
   */
  async correctApiAcrossAllTenants(hour: number, counts: readonly Bucket[]): Promise<number> {
    if (counts.length === 0) return 0;
    const h = Prisma.sql`${at(hour)}::timestamptz`;
    const [, written] = await this.prisma.$transaction([
      this.prisma.$queryRaw`SELECT pg_advisory_xact_lock(${LOCK_CLASS}::int, ${CORRECTIONS_LOCK}::int)::text`,
      this.prisma.$executeRaw`
        INSERT INTO usage_adjustments (tenant_id, hour, meter, dimension, quantity, reason)
        SELECT c.tenant_id, ${h}, c.meter, '', c.quantity - COALESCE(s.quantity, 0),
               'API requests counted after the hour was rolled up'
        FROM unnest(${counts.map((c) => c.tenantId)}::uuid[], ${counts.map((c) => c.meter)}::text[],
                    ${counts.map((c) => c.quantity.toString())}::text[]::bigint[]) AS c(tenant_id, meter, quantity)
        LEFT JOIN (
          SELECT x.tenant_id, x.meter, SUM(x.quantity)::bigint AS quantity
          FROM (SELECT tenant_id, meter, quantity FROM usage_hours WHERE hour = ${h}
                UNION ALL
                SELECT tenant_id, meter, quantity FROM usage_adjustments WHERE hour = ${h}) x
          WHERE x.meter IN (${Prisma.join(API_METERS)})
          GROUP BY x.tenant_id, x.meter
        ) s ON s.tenant_id = c.tenant_id AND s.meter = c.meter
        WHERE c.quantity > COALESCE(s.quantity, 0)
          AND EXISTS (SELECT 1 FROM tenants t WHERE t.id = c.tenant_id)`,
    ]);
    return written;
  }

  /**
   * Forgets what no correction can need any more: sessions closed before `before` and already
   * looked at by the corrections, samples of hours before it, and shard runs silent since then
   * with no session left.
   */
  async pruneAcrossAllTenants(before: number): Promise<void> {
    const b = Prisma.sql`${at(before)}::timestamptz`;
    await this.prisma.$executeRaw`
      DELETE FROM metered_sessions
      WHERE closed_at < ${b}
        AND changed_at < (SELECT at FROM metering_cursors WHERE name = 'corrections')`;
    await this.prisma.$executeRaw`DELETE FROM metering_resource_samples WHERE hour < ${b}`;
    await this.prisma.$executeRaw`DELETE FROM metering_rolled_hours WHERE hour < ${b}`;
    await this.prisma.$executeRaw`
      DELETE FROM metering_shard_runs r
      WHERE r.last_seen_at < ${b} AND NOT EXISTS (SELECT 1 FROM metered_sessions m WHERE m.shard_run_id = r.id)`;
  }
}
