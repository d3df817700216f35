import { Injectable } from '@nestjs/common';
import { Prisma } from '../../generated/prisma/client.js';
import { PrismaService } from '../../platform/prisma/prisma.service.js';
import { isMeterName, type MeterName } from '../usage/meters.js';
import type { Invoice, InvoiceLine, InvoiceLineKind } from './invoice.js';
import type { BilledUsage, HourQuantity } from './pricing.js';

/** The tenant facts invoicing needs. */
export interface BilledTenant {
  readonly id: string;
  readonly accountId: string;
  readonly createdAt: Date;
}

export interface CreditRow {
  readonly id: string;
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly reason: string;
  readonly createdAt: Date;
}

type Tx = Prisma.TransactionClient;

const withLines = { lines: { orderBy: { position: 'asc' } } } as const;
type InvoiceRow = Prisma.InvoiceGetPayload<{ include: typeof withLines }>;

function toInvoice(row: InvoiceRow, accountId: string): Invoice {
  return {
    id: row.id,
    accountId,
    month: row.month,
    status: 'final',
    currency: row.currency,
    totalMinor: row.totalMinor,
    closedAt: row.closedAt,
    lines: row.lines.map((l): InvoiceLine => {
      const line: { -readonly [K in keyof InvoiceLine]: InvoiceLine[K] } = {
        kind: l.kind as InvoiceLineKind,
        amountMinor: l.amountMinor,
        description: l.description,
      };
      if (l.meter !== null && isMeterName(l.meter)) line.meter = l.meter;
      if (l.planName !== null) line.plan = l.planName;
      if (l.usageMonth !== null) line.usageMonth = l.usageMonth;
      if (l.quantity !== null) line.quantity = l.quantity;
      if (l.freeQuantity !== null) line.freeQuantity = l.freeQuantity;
      if (l.unitPriceMicros !== null) line.unitPriceMicros = l.unitPriceMicros;
      return line;
    }),
  };
}

/**
 * Usage, final invoices and credits. Every method is keyed by the tenant's id: there is no query
 * over invoices or usage without one, except the operator's cross-tenant usage report.
 */
@Injectable()
export class InvoicesRepository {
  constructor(private readonly prisma: PrismaService) {}

  tenant(tenantId: string): Promise<BilledTenant | null> {
    return this.prisma.tenant.findUnique({
      where: { id: tenantId },
      select: { id: true, accountId: true, createdAt: true },
    });
  }

  tenantByAccount(accountId: string): Promise<BilledTenant | null> {
    return this.prisma.tenant.findUnique({
      where: { accountId },
      select: { id: true, accountId: true, createdAt: true },
    });
  }

  /** Tenants that existed before `before`, for closing the months up to it. */
  tenantsCreatedBefore(before: Date): Promise<BilledTenant[]> {
    return this.prisma.tenant.findMany({
      where: { createdAt: { lt: before } },
      select: { id: true, accountId: true, createdAt: true },
      orderBy: { accountId: 'asc' },
    });
  }

  /** Hourly usage per meter in [from, to): each bucket plus every adjustment of its hour. */
  async usageHours(tenantId: string, from: Date, to: Date): Promise<HourQuantity[]> {
    const rows = await this.prisma.$queryRaw<{ hour: Date; meter: string; quantity: bigint }[]>`
      SELECT hour, meter, SUM(quantity)::bigint AS quantity FROM (
        SELECT hour, meter, quantity FROM usage_hours
          WHERE tenant_id = ${tenantId}::uuid AND hour >= ${from} AND hour < ${to}
        UNION ALL
        SELECT hour, meter, quantity FROM usage_adjustments
          WHERE tenant_id = ${tenantId}::uuid AND hour >= ${from} AND hour < ${to}
      ) u GROUP BY hour, meter`;
    return rows.flatMap((r) => (isMeterName(r.meter) ? [{ hour: r.hour, meter: r.meter, quantity: r.quantity }] : []));
  }

  async finals(tenantId: string, accountId: string): Promise<Invoice[]> {
    const rows = await this.prisma.invoice.findMany({
      where: { tenantId },
      include: withLines,
      orderBy: { month: 'desc' },
    });
    return rows.map((r) => toInvoice(r, accountId));
  }

  async final(tenantId: string, accountId: string, month: Date, db: Tx = this.prisma): Promise<Invoice | undefined> {
    const row = await db.invoice.findUnique({ where: { tenantId_month: { tenantId, month } }, include: withLines });
    return row ? toInvoice(row, accountId) : undefined;
  }

  /** Months of the tenant with a final invoice, in [from, to). */
  async closedMonths(tenantId: string, from: Date, to: Date): Promise<Date[]> {
    const rows = await this.prisma.invoice.findMany({
      where: { tenantId, month: { gte: from, lt: to } },
      select: { month: true },
      orderBy: { month: 'asc' },
    });
    return rows.map((r) => r.month);
  }

  /** What final invoices billed for the usage of `usageMonth`, per meter (usage and late-usage lines). */
  async billed(tenantId: string, usageMonth: Date): Promise<BilledUsage[]> {
    const rows = await this.prisma.invoiceLine.groupBy({
      by: ['meter'],
      where: { invoice: { tenantId }, usageMonth, kind: { in: ['usage', 'late_usage'] } },
      _sum: { quantity: true, amountMinor: true },
    });
    return rows.flatMap((r) =>
      r.meter !== null && isMeterName(r.meter)
        ? [{ meter: r.meter as MeterName, quantity: r._sum.quantity ?? 0n, amountMinor: r._sum.amountMinor ?? 0n }]
        : [],
    );
  }

  credits(tenantId: string, month: Date, db: Tx = this.prisma): Promise<CreditRow[]> {
    return db.credit.findMany({
      where: { tenantId, month },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      select: { id: true, amountMinor: true, currency: true, reason: true, createdAt: true },
    });
  }

  /**
   * Runs `fn` in a transaction holding the tenant's billing lock: closing a month and adding a
   * credit serialise on it, so no credit slips in between a close's read and its insert.
   */
  withTenantLock<T>(tenantId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.prisma.$transaction(async (tx) => {
      // ::text: the driver adapter cannot read a column of type void.
      await tx.$queryRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`billing:${tenantId}`}, 0))::text`;
      return fn(tx);
    });
  }

  async insertCredit(
    tx: Tx,
    tenantId: string,
    credit: { month: Date; amountMinor: bigint; currency: string; reason: string; createdBy: string },
  ): Promise<CreditRow> {
    return tx.credit.create({
      data: { tenantId, ...credit },
      select: { id: true, amountMinor: true, currency: true, reason: true, createdAt: true },
    });
  }

  async insertFinal(tx: Tx, tenantId: string, invoice: Invoice, closedBy: string): Promise<void> {
    await tx.invoice.create({
      data: {
        id: invoice.id,
        tenantId,
        month: invoice.month,
        currency: invoice.currency,
        totalMinor: invoice.totalMinor,
        closedBy,
        ...(invoice.closedAt ? { closedAt: invoice.closedAt } : {}),
        lines: {
          create: invoice.lines.map((l, position) => ({
            position,
            kind: l.kind,
            meter: l.meter ?? null,
            planName: l.plan ?? null,
            usageMonth: l.usageMonth ?? null,
            quantity: l.quantity ?? null,
            freeQuantity: l.freeQuantity ?? null,
            unitPriceMicros: l.unitPriceMicros ?? null,
            amountMinor: l.amountMinor,
            description: l.description,
          })),
        },
      },
    });
  }
}
