import { planAt, type PlanPeriod } from '../plans/plan-timeline.js';
import { METER_NAMES, METERS, type MeterName } from '../usage/meters.js';
import { divideRounded, MICROS_PER_MINOR } from './money.js';

/** Usage of one meter in one hour, summed over dimensions: the bucket plus its adjustments. */
export interface HourQuantity {
  readonly hour: Date;
  readonly meter: MeterName;
  readonly quantity: bigint;
}

/** What a month's usage of one meter costs under one plan. */
export interface UsageCharge {
  readonly meter: MeterName;
  readonly plan: string;
  /** In the meter's base unit. */
  readonly quantity: bigint;
  /** The part of `quantity` the monthly allowance covered. */
  readonly freeQuantity: bigint;
  readonly unitPriceMicros: bigint;
  /** In minor units (cents), rounded half away from zero once per charge. */
  readonly amountMinor: bigint;
  /** First hour priced and the end of the last one. */
  readonly from: Date;
  readonly to: Date;
}

const HOUR_MS = 3_600_000;

/**
 * Prices one month of usage (pure; exact integer arithmetic).
 *
 * - Each hour is priced at the plan in force in that hour, so a change mid-month splits a meter's
 *   usage into one charge per plan.
 * - Free units are a monthly allowance per meter, consumed in hour order: an hour's usage is free
 *   while the month's usage before it is below the allowance of the plan in force in that hour.
 *   (A move to a plan with a larger allowance frees more; to one with none, nothing more.)
 * - An hour whose adjustments net below zero counts as zero: usage is never negative.
 * - Amounts are `billable × unit price / units per priced unit`, rounded to the cent once per
 *   charge, never per hour, so rounding cannot add up.
 */
export function priceUsage(hours: readonly HourQuantity[], periods: readonly PlanPeriod[]): UsageCharge[] {
  const order = (m: MeterName) => METER_NAMES.indexOf(m);
  const sorted = [...hours].sort((a, b) => a.hour.getTime() - b.hour.getTime() || order(a.meter) - order(b.meter));
  const usedBefore = new Map<MeterName, bigint>();
  const charges = new Map<
    string,
    { meter: MeterName; plan: string; unitPriceMicros: bigint; quantity: bigint; free: bigint; from: Date; to: Date }
  >();
  for (const h of sorted) {
    const quantity = h.quantity > 0n ? h.quantity : 0n;
    if (quantity === 0n) continue;
    const plan = planAt(periods, h.hour);
    const price = plan.prices[h.meter];
    const allowance = price.freeUnits * METERS[h.meter].perPricedUnit;
    const before = usedBefore.get(h.meter) ?? 0n;
    const left = allowance > before ? allowance - before : 0n;
    const free = left < quantity ? left : quantity;
    usedBefore.set(h.meter, before + quantity);
    const key = `${h.meter}\u0000${plan.name}`;
    const end = new Date(h.hour.getTime() + HOUR_MS);
    const charge = charges.get(key);
    if (charge) {
      charge.quantity += quantity;
      charge.free += free;
      charge.to = end;
    } else {
      charges.set(key, {
        meter: h.meter,
        plan: plan.name,
        unitPriceMicros: price.unitPriceMicros,
        quantity,
        free,
        from: h.hour,
        to: end,
      });
    }
  }
  return [...charges.values()]
    .sort((a, b) => order(a.meter) - order(b.meter) || a.from.getTime() - b.from.getTime())
    .map((c) => ({
      meter: c.meter,
      plan: c.plan,
      quantity: c.quantity,
      freeQuantity: c.free,
      unitPriceMicros: c.unitPriceMicros,
      amountMinor: divideRounded(
        (c.quantity - c.free) * c.unitPriceMicros,
        METERS[c.meter].perPricedUnit * MICROS_PER_MINOR,
      ),
      from: c.from,
      to: c.to,
    }));
}

/** What final invoices already billed for one meter of one usage month (usage and late-usage lines). */
export interface BilledUsage {
  readonly meter: MeterName;
  readonly quantity: bigint;
  readonly amountMinor: bigint;
}

export interface LateCorrection {
  readonly meter: MeterName;
  readonly quantity: bigint;
  readonly amountMinor: bigint;
}

/**
 * The late corrections for a closed month: what its usage costs now (recomputed with every
 * adjustment recorded since) minus what was billed for it, per meter. Pricing the difference of
 * the month's totals, not the late rows alone, keeps free units and rounding exactly as if the
 * usage had been on time. Meters with no difference give no correction.
 */
export function lateCorrections(recomputed: readonly UsageCharge[], billed: readonly BilledUsage[]): LateCorrection[] {
  const out: LateCorrection[] = [];
  for (const meter of METER_NAMES) {
    const now = recomputed.filter((c) => c.meter === meter);
    const was = billed.filter((b) => b.meter === meter);
    const quantity = sum(now.map((c) => c.quantity)) - sum(was.map((b) => b.quantity));
    const amountMinor = sum(now.map((c) => c.amountMinor)) - sum(was.map((b) => b.amountMinor));
    if (quantity !== 0n || amountMinor !== 0n) out.push({ meter, quantity, amountMinor });
  }
  return out;
}

function sum(values: readonly bigint[]): bigint {
  return values.reduce((a, b) => a + b, 0n);
}
