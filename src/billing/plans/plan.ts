import { formatScaled, MICROS_SCALE } from '../invoices/money.js';
import { METER_NAMES, METERS, type MeterName } from '../usage/meters.js';
import type { PlanQuotas } from './plan-quotas.js';

/** What a plan charges for one meter: per priced unit (see METERS), after free units each month. */
export interface MeterPrice {
  readonly unitPriceMicros: bigint;
  /** Priced units included each month (hours for the *_seconds meters). */
  readonly freeUnits: bigint;
}

/** A meter a plan names no price for is free of charge and has no allowance. */
export const NO_PRICE: MeterPrice = { unitPriceMicros: 0n, freeUnits: 0n };

export interface Plan {
  readonly id: string;
  readonly name: string;
  readonly builtIn: boolean;
  readonly currency: string;
  readonly quotas: PlanQuotas;
  readonly prices: Readonly<Record<MeterName, MeterPrice>>;
}

export interface PlanView {
  name: string;
  builtIn: boolean;
  currency: string;
  quotas: PlanQuotas;
  prices: Record<MeterName, { unitPrice: string; per: string; freeUnits: string }>;
}

export function planView(plan: Plan): PlanView {
  const prices = {} as PlanView['prices'];
  for (const meter of METER_NAMES) {
    const p = plan.prices[meter];
    prices[meter] = {
      unitPrice: formatScaled(p.unitPriceMicros, MICROS_SCALE),
      per: METERS[meter].pricedPer,
      freeUnits: p.freeUnits.toString(),
    };
  }
  return { name: plan.name, builtIn: plan.builtIn, currency: plan.currency, quotas: plan.quotas, prices };
}
