import { describe, expect, it } from 'vitest';
import type { Plan } from './plan.js';
import { nextHour, planAt } from './plan-timeline.js';

const plan = (name: string) => ({ name }) as Plan;

describe('plan timeline', () => {
  it('takes a change made at any minute from the start of the next hour', () => {
    expect(nextHour(new Date('2027-01-15T10:20:00Z')).toISOString()).toBe('2027-01-15T11:00:00.000Z');
    expect(nextHour(new Date('2027-01-15T10:00:00Z')).toISOString()).toBe('2027-01-15T11:00:00.000Z');
    expect(nextHour(new Date('2027-12-31T23:59:59.999Z')).toISOString()).toBe('2028-01-01T00:00:00.000Z');
  });

  it('answers the plan whose period holds the instant (the first before the history starts)', () => {
    const periods = [
      { from: new Date('2027-01-01T00:00:00Z'), plan: plan('free') },
      { from: new Date('2027-01-15T11:00:00Z'), plan: plan('standard') },
    ];
    expect(planAt(periods, new Date('2026-12-31T23:00:00Z')).name).toBe('free');
    expect(planAt(periods, new Date('2027-01-15T10:59:59Z')).name).toBe('free');
    expect(planAt(periods, new Date('2027-01-15T11:00:00Z')).name).toBe('standard');
    expect(() => planAt([], new Date())).toThrow(/plan history/);
  });
});
