import { Injectable } from '@nestjs/common';
import { badRequest } from '../../common/errors/domain-error.js';
import type { TenantScope } from '../../common/tenancy/tenant-scope.js';
import { parseInput } from '../../common/validation/parse-input.js';
import { isMeterName, METERS } from './meters.js';
import { addMonths, monthStart } from './month.js';
import { adminUsageQuery, MAX_POINTS, usageQuery, type Granularity } from './usage.inputs.js';
import { UsageRepository, type UsagePoint } from './usage.repository.js';

export interface UsagePointView {
  accountId?: string;
  start: string;
  meter: string;
  unit: string;
  /** In the meter's unit; a decimal string (exact past 2^53). */
  quantity: string;
}

export interface UsageReport {
  from: string;
  to: string;
  granularity: Granularity;
  usage: UsagePointView[];
}

const STEP_MS = { hour: 3_600_000, day: 86_400_000 } as const;

function aligned(at: Date, granularity: Granularity): boolean {
  if (granularity === 'month') return monthStart(at).getTime() === at.getTime();
  return at.getTime() % STEP_MS[granularity] === 0;
}

function points(from: Date, to: Date, granularity: Granularity): number {
  if (granularity !== 'month') return (to.getTime() - from.getTime()) / STEP_MS[granularity];
  let n = 0;
  // Stops one past the largest allowed count: a range of millennia costs nothing to refuse.
  for (let m = from; m.getTime() < to.getTime() && n <= MAX_POINTS.month; m = addMonths(m, 1)) n++;
  return n;
}

/** The usage reports of the tenant and the operator: metered quantities per period and meter. */
@Injectable()
export class UsageService {
  constructor(private readonly repo: UsageRepository) {}

  async forTenant(scope: TenantScope, query: unknown, where = 'query'): Promise<UsageReport> {
    const q = parseInput(usageQuery, query ?? {}, where);
    this.checkRange(q.from, q.to, q.granularity, where);
    const rows = await this.repo.series(scope.tenantId, q.from, q.to, q.granularity);
    return this.report(q.from, q.to, q.granularity, rows, false);
  }

  /** Operator: every tenant's usage, or one account's. */
  async forOperator(query: unknown, tenantIdOf: (accountId: string) => Promise<string>): Promise<UsageReport> {
    const q = parseInput(adminUsageQuery, query ?? {}, 'query');
    this.checkRange(q.from, q.to, q.granularity, 'query');
    const tenantId = q.accountId === undefined ? undefined : await tenantIdOf(q.accountId);
    const rows = await this.repo.series(tenantId, q.from, q.to, q.granularity);
    return this.report(q.from, q.to, q.granularity, rows, true);
  }

  private checkRange(from: Date, to: Date, granularity: Granularity, where: string): void {
    const problems: string[] = [];
    if (!aligned(from, granularity)) problems.push(`${where}.from: must start a ${granularity} (UTC)`);
    if (!aligned(to, granularity)) problems.push(`${where}.to: must start a ${granularity} (UTC)`);
    if (to.getTime() <= from.getTime()) problems.push(`${where}.to: must be after ${where}.from`);
    else if (problems.length === 0 && points(from, to, granularity) > MAX_POINTS[granularity])
      problems.push(
        `${where}.to: the range may span at most ${MAX_POINTS[granularity]} ${granularity}s at granularity ${granularity}`,
      );
    if (problems.length > 0) throw badRequest(problems.join('; '));
  }

  private report(
    from: Date,
    to: Date,
    granularity: Granularity,
    rows: UsagePoint[],
    withAccount: boolean,
  ): UsageReport {
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      granularity,
      usage: rows.map((r) => ({
        ...(withAccount ? { accountId: r.accountId } : {}),
        start: r.start.toISOString(),
        meter: r.meter,
        unit: isMeterName(r.meter) ? METERS[r.meter].unit : 'unit',
        quantity: r.quantity.toString(),
      })),
    };
  }
}
