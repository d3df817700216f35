import type { Plan } from './plan.js';

/** One row of a tenant's plan history: `plan` is in force from `from` until the next period's `from`. */
export interface PlanPeriod {
  readonly from: Date;
  readonly plan: Plan;
}

const HOUR_MS = 3_600_000;

/** The start of the hour after `now`: when a plan change made at `now` takes effect. */
export function nextHour(now: Date): Date {
  return new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS + HOUR_MS);
}

/**
 * The plan in force at `at`. `periods` is sorted by `from`; before the first period (an hour
 * before the tenant existed) the first plan applies.
 */
export function planAt(periods: readonly PlanPeriod[], at: Date): Plan {
  const first = periods[0];
  if (!first) throw new Error('a tenant always has a plan history (tenants_initial_plan trigger)');
  let found = first.plan;
  for (const p of periods) {
    if (p.from.getTime() > at.getTime()) break;
    found = p.plan;
  }
  return found;
}
