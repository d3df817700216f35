import { Inject, Injectable, Logger } from '@nestjs/common';
import { badRequest, DomainError, notFound } from '../../common/errors/domain-error.js';
import type { TenantScope } from '../../common/tenancy/tenant-scope.js';
import { parseInput } from '../../common/validation/parse-input.js';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import type { Prisma } from '../../generated/prisma/client.js';
import { BillingClock } from '../plans/billing-clock.js';
import { planAt, type PlanPeriod } from '../plans/plan-timeline.js';
import { PlansService } from '../plans/plans.service.js';
import { addMonths, monthLabel, monthsBetween, monthStart, parseMonth } from '../usage/month.js';
import { closeMonthInput, creditInput } from './invoice.inputs.js';
import { INVOICE_ID, invoiceId, invoiceView, type Invoice, type InvoiceLine, type InvoiceView } from './invoice.js';
import { InvoicesRepository, type BilledTenant } from './invoices.repository.js';
import { formatScaled, MINOR_SCALE, parseScaled } from './money.js';
import { lateCorrections, priceUsage, type UsageCharge } from './pricing.js';

/** Most open months a listing computes drafts for (the scheduled close keeps it at one or two). */
const DRAFTS_LISTED = 12;
const HOUR_MS = 3_600_000;

export interface ClosedMonth {
  month: string;
  closed: { accountId: string; invoiceId: string; total: string }[];
}

export interface CreditView {
  id: string;
  accountId: string;
  month: string;
  amount: string;
  currency: string;
  reason: string;
  createdAt: string;
}

function usageLine(c: UsageCharge, month: Date): InvoiceLine {
  return {
    kind: 'usage',
    meter: c.meter,
    plan: c.plan,
    usageMonth: month,
    quantity: c.quantity,
    freeQuantity: c.freeQuantity,
    unitPriceMicros: c.unitPriceMicros,
    amountMinor: c.amountMinor,
    description: `${c.meter} on plan ${c.plan}, ${c.from.toISOString()} to ${c.to.toISOString()}`,
  };
}

/**
 * Monthly invoices. A month's invoice is a draft, computed from usage whenever it is read, until
 * the month is closed (by an operator, or by the scheduled job once the month has ended and its
 * grace passed); then it is written once, final, and never changes.
 *
 * Usage recorded for a closed month after it closed (a late adjustment) is billed on the next
 * invoice to close, as a `late_usage` line: the closed month's usage priced again minus what was
 * billed for it. Credits are lines of their own, on the month an operator names (an open one).
 */
@Injectable()
export class InvoicesService {
  private readonly log = new Logger(InvoicesService.name);

  constructor(
    private readonly repo: InvoicesRepository,
    private readonly plans: PlansService,
    private readonly clock: BillingClock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The tenant's invoices, newest first: drafts of open months, then final ones. */
  async list(scope: TenantScope): Promise<InvoiceView[]> {
    const tenant = await this.tenantOf(scope.tenantId);
    const finals = await this.repo.finals(tenant.id, tenant.accountId);
    const closed = new Set(finals.map((i) => i.month.getTime()));
    const open = monthsBetween(tenant.createdAt, monthStart(this.clock.now()))
      .filter((m) => !closed.has(m.getTime()))
      .slice(-DRAFTS_LISTED)
      .reverse();
    const drafts: Invoice[] = [];
    for (const month of open) drafts.push(await this.compute(tenant, month));
    return [...drafts, ...finals].map(invoiceView);
  }

  async get(scope: TenantScope, id: string): Promise<InvoiceView> {
    const tenant = await this.tenantOf(scope.tenantId);
    const m = INVOICE_ID.exec(id);
    const month = m ? parseMonth(m[2]!) : undefined;
    // Another tenant's id reads exactly like one that does not exist.
    if (!m || m[1] !== tenant.accountId || !month || !this.billable(tenant, month))
      throw notFound(`Invoice ${id} does not exist.`);
    const invoice = (await this.repo.final(tenant.id, tenant.accountId, month)) ?? (await this.compute(tenant, month));
    return invoiceView(invoice);
  }

  /** Operator: closes `month` (and any earlier open month) for one tenant or all. */
  async close(input: unknown, closedBy: string): Promise<ClosedMonth> {
    const { month, accountId } = parseInput(closeMonthInput, input);
    const end = addMonths(month, 1);
    const now = this.clock.now();
    if (end.getTime() > now.getTime())
      throw badRequest(`month: ${monthLabel(month)} has not ended yet; it can be closed from ${end.toISOString()}`);
    const tenants =
      accountId === undefined ? await this.repo.tenantsCreatedBefore(end) : [await this.tenantByAccount(accountId)];
    const closed: ClosedMonth['closed'] = [];
    for (const tenant of tenants) {
      if (!this.billable(tenant, month)) continue;
      const invoice = await this.closeThrough(tenant, month, closedBy);
      closed.push({ accountId: tenant.accountId, invoiceId: invoice.id, total: invoiceView(invoice).total });
    }
    return { month: monthLabel(month), closed };
  }

  /**
   * The scheduled close: every month that ended more than the grace ago is closed for every tenant.
   * Idempotent (a closed month is left as it is) and resumable (months close oldest first, each in
   * its own transaction).
   */
  async closeDue(): Promise<number> {
    const cutoff = new Date(this.clock.now().getTime() - this.config.billingCloseGraceHours * HOUR_MS);
    const month = addMonths(monthStart(cutoff), -1);
    let count = 0;
    const failed: string[] = [];
    for (const tenant of await this.repo.tenantsCreatedBefore(addMonths(month, 1))) {
      if (await this.repo.final(tenant.id, tenant.accountId, month)) continue;
      try {
        await this.closeThrough(tenant, month, 'scheduler');
        count++;
      } catch (err) {
        // One tenant's failure does not hold up the others; a tenant deleted meanwhile is no failure.
        if (await this.repo.tenant(tenant.id)) failed.push(`${tenant.accountId}: ${(err as Error).message}`);
      }
    }
    if (count > 0) this.log.log(`closed ${monthLabel(month)} for ${count} tenant(s)`);
    // Thrown after every tenant was tried, so the job is retried (closing is idempotent).
    if (failed.length > 0) throw new Error(`closing ${monthLabel(month)} failed for ${failed.join('; ')}`);
    return count;
  }

  /** Operator: a credit on an open month's invoice (the current month by default). */
  async addCredit(accountId: string, input: unknown, createdBy: string): Promise<CreditView> {
    const data = parseInput(creditInput, input);
    const tenant = await this.tenantByAccount(accountId);
    const month = data.month ?? monthStart(this.clock.now());
    if (month.getTime() < monthStart(tenant.createdAt).getTime())
      throw badRequest(`month: ${monthLabel(month)} is before the tenant existed`);
    const currency = planAt(await this.plans.timeline(tenant.id), month).currency;
    const amountMinor = parseScaled(data.amount, MINOR_SCALE)!;
    const credit = await this.repo.withTenantLock(tenant.id, async (tx) => {
      if (await this.repo.final(tenant.id, tenant.accountId, month, tx))
        throw new DomainError(
          'CONFLICT',
          `month: ${monthLabel(month)} is closed and its invoice final; put the credit on an open month`,
        );
      return this.repo.insertCredit(tx, tenant.id, {
        month,
        amountMinor,
        currency,
        reason: data.reason,
        createdBy,
      });
    });
    return {
      id: credit.id,
      accountId,
      month: monthLabel(month),
      amount: formatScaled(amountMinor, MINOR_SCALE),
      currency,
      reason: credit.reason,
      createdAt: credit.createdAt.toISOString(),
    };
  }

  /** Closes every open month of the tenant up to `month`, oldest first; returns `month`'s invoice. */
  private async closeThrough(tenant: BilledTenant, month: Date, closedBy: string): Promise<Invoice> {
    const closed = new Set(
      (await this.repo.closedMonths(tenant.id, monthStart(tenant.createdAt), addMonths(month, 1))).map((m) =>
        m.getTime(),
      ),
    );
    let last: Invoice | undefined;
    for (const m of monthsBetween(tenant.createdAt, month)) {
      last = closed.has(m.getTime())
        ? await this.repo.final(tenant.id, tenant.accountId, m)
        : await this.closeOne(tenant, m, closedBy);
    }
    return last!;
  }

  private closeOne(tenant: BilledTenant, month: Date, closedBy: string): Promise<Invoice> {
    return this.repo.withTenantLock(tenant.id, async (tx) => {
      const existing = await this.repo.final(tenant.id, tenant.accountId, month, tx);
      if (existing) return existing; // closed meanwhile by another worker or operator
      const draft = await this.compute(tenant, month, tx);
      const invoice: Invoice = { ...draft, status: 'final', closedAt: this.clock.now() };
      await this.repo.insertFinal(tx, tenant.id, invoice, closedBy);
      return invoice;
    });
  }

  /**
   * A month's invoice as of now: its usage priced hour by hour at the plan in force, late
   * corrections of closed months in the look-back, and its credits (read in `db`: under the
   * tenant's lock when closing).
   */
  private async compute(tenant: BilledTenant, month: Date, db?: Prisma.TransactionClient): Promise<Invoice> {
    const periods = await this.plans.timeline(tenant.id);
    const currency = planAt(periods, month).currency;
    const lines: InvoiceLine[] = (await this.charges(tenant, month, periods)).map((c) => usageLine(c, month));

    const lookback = addMonths(month, -this.config.billingLateUsageMonths);
    for (const earlier of await this.repo.closedMonths(tenant.id, lookback, month)) {
      const corrections = lateCorrections(
        await this.charges(tenant, earlier, periods),
        await this.repo.billed(tenant.id, earlier),
      );
      for (const c of corrections)
        lines.push({
          kind: 'late_usage',
          meter: c.meter,
          usageMonth: earlier,
          quantity: c.quantity,
          amountMinor: c.amountMinor,
          description: `${c.meter} of ${monthLabel(earlier)} recorded after that month closed`,
        });
    }

    for (const credit of await this.repo.credits(tenant.id, month, db))
      lines.push({ kind: 'credit', amountMinor: -credit.amountMinor, description: `Credit: ${credit.reason}` });

    return {
      id: invoiceId(tenant.accountId, month),
      accountId: tenant.accountId,
      month,
      status: 'draft',
      currency,
      lines,
      totalMinor: lines.reduce((sum, l) => sum + l.amountMinor, 0n),
    };
  }

  private async charges(tenant: BilledTenant, month: Date, periods: readonly PlanPeriod[]): Promise<UsageCharge[]> {
    return priceUsage(await this.repo.usageHours(tenant.id, month, addMonths(month, 1)), periods);
  }

  /** A month has an invoice from the tenant's first month to the current one. */
  private billable(tenant: BilledTenant, month: Date): boolean {
    return (
      month.getTime() >= monthStart(tenant.createdAt).getTime() &&
      month.getTime() <= monthStart(this.clock.now()).getTime()
    );
  }

  private async tenantOf(tenantId: string): Promise<BilledTenant> {
    const tenant = await this.repo.tenant(tenantId);
    if (!tenant) throw notFound('The tenant does not exist.');
    return tenant;
  }

  private async tenantByAccount(accountId: string): Promise<BilledTenant> {
    const tenant = /^\d{12}$/.test(accountId) ? await this.repo.tenantByAccount(accountId) : null;
    if (!tenant) throw notFound(`Tenant ${accountId} does not exist.`);
    return tenant;
  }
}
