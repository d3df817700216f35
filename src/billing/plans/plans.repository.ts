import { Injectable } from '@nestjs/common';
import { Prisma } from '../../generated/prisma/client.js';
import { PrismaService } from '../../platform/prisma/prisma.service.js';
import { METER_NAMES, isMeterName, type MeterName } from '../usage/meters.js';
import { NO_PRICE, type MeterPrice, type Plan } from './plan.js';
import { planQuotasSchema, type PlanQuotas } from './plan-quotas.js';

export interface PlanData {
  readonly name: string;
  readonly currency: string;
  readonly quotas: PlanQuotas;
  readonly prices: Readonly<Record<MeterName, MeterPrice>>;
}

export interface PlanHistoryRow {
  readonly effectiveFrom: Date;
  readonly planId: string;
  readonly changedBy: string;
  readonly reason: string;
  readonly createdAt: Date;
}

const withPrices = { prices: true } as const;
type PlanRow = Prisma.PlanGetPayload<{ include: typeof withPrices }>;

function toPlan(row: PlanRow): Plan {
  const prices = Object.fromEntries(METER_NAMES.map((m) => [m, NO_PRICE])) as Record<MeterName, MeterPrice>;
  for (const p of row.prices) {
    if (isMeterName(p.meter)) prices[p.meter] = { unitPriceMicros: p.unitPriceMicros, freeUnits: p.freeUnits };
  }
  // A row edited by hand into something the hot paths cannot use fails here, loudly, not as NaN later.
  const quotas = planQuotasSchema.parse(row.quotas);
  return { id: row.id, name: row.name, builtIn: row.builtIn, currency: row.currency, quotas, prices };
}

const priceRows = (prices: PlanData['prices']) =>
  METER_NAMES.map((meter) => ({
    meter,
    unitPriceMicros: prices[meter].unitPriceMicros,
    freeUnits: prices[meter].freeUnits,
  }));

/** Plans and tenants' plan histories: the only place that queries them. */
@Injectable()
export class PlansRepository {
  constructor(private readonly prisma: PrismaService) {}

  async catalogue(): Promise<Plan[]> {
    const rows = await this.prisma.plan.findMany({ include: withPrices, orderBy: { createdAt: 'asc' } });
    return rows.map(toPlan);
  }

  /** The tenant's plan history, oldest first. */
  timeline(tenantId: string): Promise<PlanHistoryRow[]> {
    return this.prisma.tenantPlanChange.findMany({
      where: { tenantId },
      orderBy: { effectiveFrom: 'asc' },
      select: { effectiveFrom: true, planId: true, changedBy: true, reason: true, createdAt: true },
    });
  }

  /** Reports a taken name instead of throwing. */
  async insert(data: PlanData): Promise<Plan | 'exists'> {
    try {
      const row = await this.prisma.plan.create({
        data: {
          name: data.name,
          currency: data.currency,
          quotas: data.quotas,
          prices: { create: priceRows(data.prices) },
        },
        include: withPrices,
      });
      return toPlan(row);
    } catch (err) {
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') return 'exists';
      throw err;
    }
  }

  async update(id: string, data: Omit<PlanData, 'name'>): Promise<Plan> {
    const row = await this.prisma.$transaction(async (tx) => {
      await tx.planPrice.deleteMany({ where: { planId: id } });
      return tx.plan.update({
        where: { id },
        data: { currency: data.currency, quotas: data.quotas, prices: { create: priceRows(data.prices) } },
        include: withPrices,
      });
    });
    return toPlan(row);
  }

  /** Whether any tenant has ever been on the plan (its prices then price history and must not change). */
  async used(planId: string): Promise<boolean> {
    return (await this.prisma.tenantPlanChange.count({ where: { planId }, take: 1 })) > 0;
  }

  /** Deletes an unused plan; `in-use` when a tenant's history names it (the foreign key restricts). */
  async delete(planId: string): Promise<'deleted' | 'in-use'> {
    try {
      await this.prisma.plan.delete({ where: { id: planId } });
      return 'deleted';
    } catch (err) {
      if (err instanceof Prisma.PrismaClientKnownRequestError && (err.code === 'P2003' || err.code === 'P2014'))
        return 'in-use';
      throw err;
    }
  }

  /**
   * Records that `planId` is in force for the tenant from `effectiveFrom` (replacing a change
   * already scheduled for that hour), and names it on the tenant row, which shows the latest plan.
   */
  async recordChange(
    tenantId: string,
    change: { planId: string; planName: string; effectiveFrom: Date; changedBy: string; reason: string },
  ): Promise<void> {
    await this.prisma.$transaction([
      this.prisma.tenantPlanChange.upsert({
        where: { tenantId_effectiveFrom: { tenantId, effectiveFrom: change.effectiveFrom } },
        create: {
          tenantId,
          planId: change.planId,
          effectiveFrom: change.effectiveFrom,
          changedBy: change.changedBy,
          reason: change.reason,
        },
        update: { planId: change.planId, changedBy: change.changedBy, reason: change.reason },
      }),
      this.prisma.tenant.update({ where: { id: tenantId }, data: { plan: change.planName } }),
    ]);
  }
}
