import { Injectable, Logger } from '@nestjs/common';
import type { Ec2SyncStatus, Prisma } from '../../generated/prisma/client.js';
import { PrismaService } from '../../platform/prisma/prisma.service.js';
import type { SourceForRun } from './ec2-client.factory.js';
import type { DesiredInstance, MappedInventory } from './ec2-instance-map.js';
import { RegistryServiceMissing } from './ec2-sync-failure.js';
import { touchServices } from './registry-service-stamp.js';

/** What one apply did. `changedServiceIds` are the services whose instances changed (for EDS). */
export type ApplyOutcome =
  | { readonly status: 'gone' }
  | { readonly status: 'superseded' }
  | {
      readonly status: 'applied';
      readonly inserted: number;
      readonly updated: number;
      readonly deleted: number;
      readonly instanceCount: number;
      readonly clashes: readonly string[];
      readonly changedServiceIds: readonly string[];
    };

/** The registry row's fields a sync compares with what EC2 says. */
interface ExistingInstance {
  readonly id: string;
  readonly instanceId: string;
  readonly source: 'api' | 'ec2';
  readonly sourceId: string | null;
  readonly ipv4: string | null;
  readonly ipv6: string | null;
  readonly port: number | null;
  readonly zone: string | null;
  readonly attributes: Prisma.JsonValue;
}

/**
 * Instances an apply must insert or delete for the registry's statistics to be refreshed at once
 * (`refreshStatistics`), and the least time between two refreshes in one process.
 */
export const ANALYZE_AFTER_ROWS = 1_000;
const ANALYZE_EVERY_MS = 60_000;

/** Rows per INSERT: 9 parameters each stays far below PostgreSQL's 65,535. */
const INSERT_CHUNK = 2_000;
/** InstanceIds named in a source's warning: enough to find the problem, bounded for the column. */
const WARNING_IDS = 10;

/**
 * The worker's side of EC2 sync sources. Jobs carry a tenant id and a source id (no caller, so no
 * TenantScope); every query still filters by that tenant id.
 */
@Injectable()
export class Ec2SyncApplyRepository {
  private readonly log = new Logger(Ec2SyncApplyRepository.name);
  private lastAnalyzeAt = 0;

  constructor(private readonly prisma: PrismaService) {}

  /**
   * After an apply that inserted or deleted at least ANALYZE_AFTER_ROWS instances, refreshes
   * PostgreSQL's statistics of the registry (ANALYZE, a sample of the table), at most once a
   * minute per process. Autovacuum would, but only after a while, and until then the registry's
   * reads are planned for the table as it was: the registry benchmark measured a tenant's
   * instances read in 78 ms instead of 0.1 ms right after a bulk fill. Best effort: a failure is
   * logged, the sync's outcome stands.
   */
  async refreshStatistics(outcome: { inserted: number; deleted: number }): Promise<void> {
    if (outcome.inserted + outcome.deleted < ANALYZE_AFTER_ROWS) return;
    if (Date.now() - this.lastAnalyzeAt < ANALYZE_EVERY_MS) return;
    this.lastAnalyzeAt = Date.now();
    try {
      await this.prisma.$executeRaw`ANALYZE registry_instances`;
    } catch (err) {
      this.log.warn(`refreshing the registry's statistics: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  async loadForRun(tenantId: string, sourceId: string): Promise<SourceForRun | null> {
    const row = await this.prisma.ec2SyncSource.findFirst({
      where: { id: sourceId, tenantId },
      include: { tenant: { select: { accountId: true } } },
    });
    if (row === null) return null;
    const { tenant, ...source } = row;
    return { ...source, accountId: tenant.accountId };
  }

  /**
   * Makes the source's instances in the registry what EC2 described, in one transaction: inserts
   * the new, updates the changed, deletes the ones gone, leaves the rest untouched. Instances it
   * does not own (registered through the API, or another source's) are never touched; one whose
   * InstanceId is taken that way is a clash, reported. The source row is locked for the whole
   * apply: a concurrent run waits, a deleted source makes this write nothing (`gone`), and a
   * source whose service changed since the run read it writes nothing either (`superseded`: the
   * change queued a run of its own).
   */
  apply(source: SourceForRun, inventory: MappedInventory, at: Date): Promise<ApplyOutcome> {
    const { tenantId, id: sourceId, serviceId } = source;
    return this.prisma.$transaction(
      async (tx): Promise<ApplyOutcome> => {
        const locked = await tx.$queryRaw<{ service_id: string }[]>`
          SELECT service_id FROM ec2_sync_sources
          WHERE id = ${sourceId}::uuid AND tenant_id = ${tenantId}::uuid FOR UPDATE`;
        if (locked.length === 0) return { status: 'gone' };
        if (locked[0]!.service_id !== serviceId) return { status: 'superseded' };
        // Held until commit: the service cannot be deleted under the inserts.
        const service = await tx.$queryRaw<{ id: string }[]>`
          SELECT id FROM registry_services
          WHERE id = ${serviceId}::uuid AND tenant_id = ${tenantId}::uuid FOR KEY SHARE`;
        if (service.length === 0) throw new RegistryServiceMissing(serviceId);

        const changedServiceIds = new Set<string>();
        // Instances written to the service the source named before it was changed.
        const mine = { tenantId, source: 'ec2' as const, sourceId };
        const moved = await tx.registryInstance.findMany({
          where: { ...mine, serviceId: { not: serviceId } },
          distinct: ['serviceId'],
          select: { serviceId: true },
        });
        if (moved.length > 0) {
          await tx.registryInstance.deleteMany({ where: { ...mine, serviceId: { not: serviceId } } });
          for (const m of moved) changedServiceIds.add(m.serviceId);
        }

        const existing: ExistingInstance[] = await tx.registryInstance.findMany({
          where: { tenantId, serviceId },
          select: {
            id: true,
            instanceId: true,
            source: true,
            sourceId: true,
            ipv4: true,
            ipv6: true,
            port: true,
            zone: true,
            attributes: true,
          },
        });
        const diff = difference(existing, inventory.instances, sourceId);

        for (let i = 0; i < diff.inserts.length; i += INSERT_CHUNK) {
          await tx.registryInstance.createMany({
            data: diff.inserts.slice(i, i + INSERT_CHUNK).map((d) => ({
              tenantId,
              serviceId,
              instanceId: d.instanceId,
              ipv4: d.ipv4,
              ipv6: d.ipv6,
              port: d.port,
              zone: d.zone,
              attributes: d.attributes,
              source: 'ec2' as const,
              sourceId,
            })),
          });
        }
        if (diff.updates.length > 0) {
          const u = diff.updates;
          await tx.$executeRaw`
            UPDATE registry_instances AS r
            SET ipv4 = u.ipv4, ipv6 = u.ipv6, port = u.port, zone = u.zone,
                attributes = u.attributes::jsonb, updated_at = ${at}
            FROM unnest(
              ${u.map((x) => x.id)}::uuid[], ${u.map((x) => x.desired.ipv4)}::text[],
              ${u.map((x) => x.desired.ipv6)}::text[], ${u.map((x) => x.desired.port)}::int[],
              ${u.map((x) => x.desired.zone)}::text[], ${u.map((x) => JSON.stringify(x.desired.attributes))}::text[]
            ) AS u(id, ipv4, ipv6, port, zone, attributes)
            WHERE r.id = u.id AND r.tenant_id = ${tenantId}::uuid`;
        }
        if (diff.deletes.length > 0) {
          await tx.registryInstance.deleteMany({ where: { tenantId, id: { in: diff.deletes } } });
        }
        if (diff.inserts.length + diff.updates.length + diff.deletes.length > 0) changedServiceIds.add(serviceId);
        // The stamp the endpoints sweep's repair finds a lost notification by (registry-changes.ts).
        await touchServices(tx, tenantId, [...changedServiceIds]);

        const instanceCount = diff.kept + diff.inserts.length + diff.updates.length;
        const warnings = [
          ...diff.clashes.map((id) => `${id}: InstanceId already registered in the service by another writer`),
          ...inventory.withoutAddress.map((id) => `${id}: no private IPv4 or IPv6 address`),
        ];
        await tx.ec2SyncSource.update({
          where: { id: sourceId },
          data: {
            status: 'OK',
            lastSyncAt: at,
            lastSuccessAt: at,
            lastError: null,
            lastWarning: warningText(warnings),
            instanceCount,
            skippedCount: warnings.length,
            consecutiveFailures: 0,
            backoffUntil: null,
          },
        });
        return {
          status: 'applied',
          inserted: diff.inserts.length,
          updated: diff.updates.length,
          deleted: diff.deletes.length,
          instanceCount,
          clashes: diff.clashes,
          changedServiceIds: [...changedServiceIds],
        };
      },
      { timeout: 60_000, maxWait: 10_000 },
    );
  }

  /** A failed run: the status and error change, the instances do not. */
  async recordFailure(
    source: SourceForRun,
    failure: { status: Ec2SyncStatus; message: string; backoffUntil: Date | null },
    at: Date,
  ): Promise<void> {
    await this.prisma.ec2SyncSource.updateMany({
      where: { id: source.id, tenantId: source.tenantId },
      data: {
        status: failure.status,
        lastSyncAt: at,
        lastError: failure.message,
        consecutiveFailures: { increment: 1 },
        backoffUntil: failure.backoffUntil,
      },
    });
  }

  /** Every source's schedule, for the reschedule job (the one query that spans tenants). */
  listSchedulesAcrossAllTenants(): Promise<{ tenantId: string; id: string; intervalSeconds: number }[]> {
    return this.prisma.ec2SyncSource.findMany({ select: { tenantId: true, id: true, intervalSeconds: true } });
  }
}

interface Difference {
  readonly inserts: DesiredInstance[];
  readonly updates: { id: string; desired: DesiredInstance }[];
  readonly deletes: string[];
  readonly clashes: string[];
  /** The source's instances left as they are. */
  readonly kept: number;
}

function difference(
  existing: readonly ExistingInstance[],
  desired: ReadonlyMap<string, DesiredInstance>,
  sourceId: string,
): Difference {
  const byInstanceId = new Map(existing.map((e) => [e.instanceId, e]));
  const result: Difference = { inserts: [], updates: [], deletes: [], clashes: [], kept: 0 };
  let kept = 0;
  for (const d of desired.values()) {
    const e = byInstanceId.get(d.instanceId);
    if (e === undefined) result.inserts.push(d);
    else if (e.source !== 'ec2' || e.sourceId !== sourceId) result.clashes.push(d.instanceId);
    else if (differs(e, d)) result.updates.push({ id: e.id, desired: d });
    else kept++;
  }
  for (const e of existing) {
    if (e.source === 'ec2' && e.sourceId === sourceId && !desired.has(e.instanceId)) result.deletes.push(e.id);
  }
  return { ...result, kept };
}

function differs(e: ExistingInstance, d: DesiredInstance): boolean {
  return (
    e.ipv4 !== d.ipv4 ||
    e.ipv6 !== d.ipv6 ||
    e.port !== d.port ||
    e.zone !== d.zone ||
    !sameAttributes(e.attributes, d.attributes)
  );
}

function sameAttributes(stored: Prisma.JsonValue, desired: Readonly<Record<string, string>>): boolean {
  if (stored === null || typeof stored !== 'object' || Array.isArray(stored)) return false;
  const keys = Object.keys(stored);
  if (keys.length !== Object.keys(desired).length) return false;
  return keys.every((k) => stored[k] === desired[k]);
}

function warningText(warnings: readonly string[]): string | null {
  if (warnings.length === 0) return null;
  const shown = warnings.slice(0, WARNING_IDS).join('; ');
  return warnings.length > WARNING_IDS ? `${shown}; and ${warnings.length - WARNING_IDS} more` : shown;
}
