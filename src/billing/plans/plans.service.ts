import { Inject, Injectable } from '@nestjs/common';
import { badRequest, conflict, DomainError, notFound } from '../../common/errors/domain-error.js';
import { parseInput } from '../../common/validation/parse-input.js';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import { MICROS_SCALE, parseScaled } from '../invoices/money.js';
import { METER_NAMES, type MeterName } from '../usage/meters.js';
import { BillingClock } from './billing-clock.js';
import { ExpiringCache } from './expiring-cache.js';
import { planView, type MeterPrice, type Plan, type PlanView } from './plan.js';
import { PlanChangeBus } from './plan-change-bus.js';
import { changePlanInput, createPlanInput, updatePlanInput, type MeterPriceInput } from './plan.inputs.js';
import type { PlanQuotas } from './plan-quotas.js';
import { nextHour, planAt, type PlanPeriod } from './plan-timeline.js';
import { PlansRepository, type PlanHistoryRow } from './plans.repository.js';

interface Catalogue {
  readonly byId: ReadonlyMap<string, Plan>;
  readonly byName: ReadonlyMap<string, Plan>;
}

export interface PlanInForce {
  readonly plan: Plan;
  readonly quotas: PlanQuotas;
}

export interface PlanHistoryView {
  plan: string;
  effectiveFrom: string;
  changedBy: string;
  reason: string;
  recordedAt: string;
}

const CATALOGUE = 'catalogue';

function toPrice(input: MeterPriceInput): MeterPrice {
  return { unitPriceMicros: parseScaled(input.unitPrice, MICROS_SCALE)!, freeUnits: input.freeUnits };
}

/**
 * The one place plans and quotas are read from. The API (resource quotas, rate limit) and the xDS
 * fleet (connected proxies) ask it on every request or stream, so both the catalogue and each
 * tenant's plan history are cached in memory for `billingPlanCacheTtlMs`; a change made by an
 * operator is announced on PlanChangeBus and forgotten at once by every process.
 *
 * Invariant: a plan change never rewrites the past: it is recorded from the next hour (or a later
 * hour the operator names), and the hours before keep the plan they had (invoices rely on it).
 */
@Injectable()
export class PlansService {
  private readonly catalogueCache: ExpiringCache<Catalogue>;
  private readonly timelines: ExpiringCache<PlanHistoryRow[]>;

  constructor(
    private readonly repo: PlansRepository,
    private readonly bus: PlanChangeBus,
    private readonly clock: BillingClock,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.catalogueCache = new ExpiringCache(config.billingPlanCacheTtlMs, 1);
    this.timelines = new ExpiringCache(config.billingPlanCacheTtlMs, config.billingPlanCacheTenants);
    bus.subscribe((notice) => {
      if (notice?.kind === 'tenant') this.timelines.delete(notice.tenantId);
      else {
        this.catalogueCache.clear();
        if (notice === undefined) this.timelines.clear();
      }
    });
  }

  /** The plan in force for the tenant now, and its quotas. No query when cached. */
  async inForce(tenantId: string): Promise<PlanInForce> {
    const plan = planAt(await this.timeline(tenantId), this.clock.now());
    return { plan, quotas: plan.quotas };
  }

  /** The tenant's plan history with each period's plan, oldest first (never empty). */
  async timeline(tenantId: string): Promise<PlanPeriod[]> {
    const rows = await this.historyRows(tenantId);
    let catalogue = await this.catalogue();
    if (rows.some((r) => !catalogue.byId.has(r.planId))) {
      // A plan created since the catalogue was cached (its notice still in flight): read it again.
      this.catalogueCache.clear();
      catalogue = await this.catalogue();
    }
    return rows.map((r) => ({ from: r.effectiveFrom, plan: this.byId(catalogue, r.planId) }));
  }

  async find(name: string): Promise<Plan | undefined> {
    return (await this.catalogue()).byName.get(name);
  }

  /** For input that names a plan (tenant creation, plan change): the plan, or an error naming the field. */
  async require(name: string, field = 'plan'): Promise<Plan> {
    const plan = await this.find(name);
    if (!plan)
      throw badRequest(`${field}: must name an existing plan (${name} does not exist; see GET /admin/v1/plans)`);
    return plan;
  }

  async list(): Promise<PlanView[]> {
    return [...(await this.catalogue()).byName.values()].map(planView);
  }

  async get(name: string): Promise<PlanView> {
    const plan = await this.find(name);
    if (!plan) throw notFound(`Plan ${name} does not exist.`);
    return planView(plan);
  }

  async create(input: unknown): Promise<PlanView> {
    const data = parseInput(createPlanInput, input);
    const prices = Object.fromEntries(METER_NAMES.map((m) => [m, toPrice(data.prices[m])])) as Record<
      MeterName,
      MeterPrice
    >;
    const created = await this.repo.insert({ name: data.name, currency: data.currency, quotas: data.quotas, prices });
    if (created === 'exists') throw conflict(`A plan named ${data.name} already exists.`);
    await this.bus.publish({ kind: 'catalogue' });
    return planView(created);
  }

  /**
   * Quotas may change at any time (they apply at once). Prices and currency may not change once a
   * tenant has been on the plan: invoices price past hours with them, and a final invoice must stay
   * what it was. Move tenants to a new plan instead.
   */
  async update(name: string, input: unknown): Promise<PlanView> {
    const data = parseInput(updatePlanInput, input);
    const plan = await this.fresh(name);
    const pricing = data.prices !== undefined || (data.currency !== undefined && data.currency !== plan.currency);
    if (pricing && (await this.repo.used(plan.id))) {
      throw new DomainError(
        'CONFLICT',
        `${data.prices !== undefined ? 'prices' : 'currency'}: cannot change once a tenant has been on plan ${name} (invoices price past hours with it); create a new plan and move tenants to it.`,
      );
    }
    const prices = { ...plan.prices };
    for (const m of METER_NAMES) {
      const p = data.prices?.[m];
      if (p) prices[m] = toPrice(p);
    }
    const updated = await this.repo.update(plan.id, {
      currency: data.currency ?? plan.currency,
      quotas: { ...plan.quotas, ...data.quotas },
      prices,
    });
    await this.bus.publish({ kind: 'catalogue' });
    return planView(updated);
  }

  async remove(name: string): Promise<void> {
    const plan = await this.fresh(name);
    if (plan.builtIn) throw new DomainError('RESOURCE_IN_USE', `Plan ${name} is built in and cannot be deleted.`);
    if ((await this.repo.delete(plan.id)) === 'in-use')
      throw new DomainError('RESOURCE_IN_USE', `Plan ${name} has been used by a tenant and cannot be deleted.`);
    await this.bus.publish({ kind: 'catalogue' });
  }

  /**
   * Moves a tenant to another plan from the next hour (or a later hour boundary), recorded in its
   * plan history. Quotas follow from that hour in every process; invoices price each hour at the
   * plan in force.
   */
  async changeTenantPlan(tenantId: string, input: unknown, changedBy: string): Promise<PlanHistoryView> {
    const data = parseInput(changePlanInput, input);
    const plan = await this.require(data.plan);
    const earliest = nextHour(this.clock.now());
    const effectiveFrom = data.effectiveFrom ?? earliest;
    if (effectiveFrom.getTime() < earliest.getTime())
      throw badRequest(
        `effectiveFrom: must not be before the next hour (${earliest.toISOString()}); the past is not rewritten`,
      );
    const current = planAt(await this.timeline(tenantId), effectiveFrom);
    if (current.currency !== plan.currency)
      throw badRequest(
        `plan: must be priced in ${current.currency} like the tenant's plan ${current.name} (an invoice has one currency)`,
      );
    const reason = data.reason ?? '';
    await this.repo.recordChange(tenantId, { planId: plan.id, planName: plan.name, effectiveFrom, changedBy, reason });
    await this.bus.publish({ kind: 'tenant', tenantId });
    return {
      plan: plan.name,
      effectiveFrom: effectiveFrom.toISOString(),
      changedBy,
      reason,
      recordedAt: this.clock.now().toISOString(),
    };
  }

  async history(tenantId: string): Promise<PlanHistoryView[]> {
    this.timelines.delete(tenantId);
    const periods = await this.timeline(tenantId);
    const rows = await this.historyRows(tenantId);
    return rows.map((r, i) => ({
      plan: periods[i]!.plan.name,
      effectiveFrom: r.effectiveFrom.toISOString(),
      changedBy: r.changedBy,
      reason: r.reason,
      recordedAt: r.createdAt.toISOString(),
    }));
  }

  /** A plan read past the cache, for changes that must not act on a stale copy. */
  private async fresh(name: string): Promise<Plan> {
    this.catalogueCache.clear();
    const plan = await this.find(name);
    if (!plan) throw notFound(`Plan ${name} does not exist.`);
    return plan;
  }

  private byId(catalogue: Catalogue, id: string): Plan {
    const plan = catalogue.byId.get(id);
    if (plan) return plan;
    this.catalogueCache.clear();
    throw new Error(`plan ${id} is named by a plan history but missing from the catalogue`);
  }

  private catalogue(): Promise<Catalogue> {
    return this.catalogueCache.getOrLoad(CATALOGUE, async () => {
      const plans = await this.repo.catalogue();
      return { byId: new Map(plans.map((p) => [p.id, p])), byName: new Map(plans.map((p) => [p.name, p])) };
    });
  }

  private historyRows(tenantId: string): Promise<PlanHistoryRow[]> {
    return this.timelines.getOrLoad(
      tenantId,
      () => this.repo.timeline(tenantId),
      (rows) => rows.length > 0,
    );
  }
}
