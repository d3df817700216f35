import { describe, expect, it } from 'vitest';
import { NO_PRICE, type Plan } from '../plans/plan.js';
import type { PlanQuotas } from '../plans/plan-quotas.js';
import { lateCorrections, priceUsage } from './pricing.js';

const quotas = {} as PlanQuotas; // pricing never reads quotas
const plan = (name: string, proxy: bigint, freeHours: bigint, read = 0n, freeReads = 0n): Plan => ({
  id: name,
  name,
  builtIn: false,
  currency: 'USD',
  quotas,
  prices: {
    proxy_seconds: { unitPriceMicros: proxy, freeUnits: freeHours },
    grpc_client_seconds: NO_PRICE,
    api_read_requests: { unitPriceMicros: read, freeUnits: freeReads },
    api_write_requests: NO_PRICE,
    resource_hours: NO_PRICE,
  },
});
const h = (iso: string) => new Date(iso);

describe('priceUsage', () => {
  const small = plan('small', 1_000n, 10n); // $0.001 per proxy-hour, 10 free hours
  const large = plan('large', 600n, 100n); // $0.0006, 100 free hours

  it('uses the free allowance first, in hour order, and rounds once per charge', () => {
    const charges = priceUsage(
      [
        { hour: h('2027-01-02T00:00:00Z'), meter: 'proxy_seconds', quantity: 3_600n * 8n },
        { hour: h('2027-01-01T00:00:00Z'), meter: 'proxy_seconds', quantity: 3_600n * 5n },
        // 1,001.5 h in all: 10 free, 991.5 billable at $0.001 = $0.9915 -> $0.99 (rounded once, not per hour)
        { hour: h('2027-01-03T00:00:00Z'), meter: 'proxy_seconds', quantity: 3_600n * 988n + 1_800n },
      ],
      [{ from: h('2026-12-01T00:00:00Z'), plan: small }],
    );
    expect(charges).toEqual([
      {
        meter: 'proxy_seconds',
        plan: 'small',
        quantity: 3_600n * 1_001n + 1_800n,
        freeQuantity: 36_000n,
        unitPriceMicros: 1_000n,
        amountMinor: 99n,
        from: h('2027-01-01T00:00:00Z'),
        to: h('2027-01-03T01:00:00Z'),
      },
    ]);
  });

  it('prices each hour at the plan in force and gives the new plan its own allowance left', () => {
    const charges = priceUsage(
      [
        { hour: h('2027-01-10T00:00:00Z'), meter: 'proxy_seconds', quantity: 3_600n * 30n },
        { hour: h('2027-01-20T00:00:00Z'), meter: 'proxy_seconds', quantity: 3_600n * 200n },
      ],
      [
        { from: h('2026-12-01T00:00:00Z'), plan: small },
        { from: h('2027-01-15T11:00:00Z'), plan: large },
      ],
    );
    // small: 30 h, 10 free, 20 x $0.001 = $0.02. large: 30 h used before, 70 of its 100 free left:
    // 130 x $0.0006 = $0.078 -> $0.08.
    expect(charges.map((c) => [c.plan, c.quantity / 3_600n, c.freeQuantity / 3_600n, c.amountMinor])).toEqual([
      ['small', 30n, 10n, 2n],
      ['large', 200n, 70n, 8n],
    ]);
  });

  it('counts an hour whose adjustments net below zero as no usage', () => {
    expect(
      priceUsage(
        [{ hour: h('2027-01-01T00:00:00Z'), meter: 'proxy_seconds', quantity: -5n }],
        [{ from: h('2026-12-01T00:00:00Z'), plan: small }],
      ),
    ).toEqual([]);
  });
});

describe('lateCorrections', () => {
  it('bills the difference of the month priced again, per meter, and nothing when equal', () => {
    const base = {
      plan: 'small',
      freeQuantity: 0n,
      unitPriceMicros: 1n,
      from: h('2027-01-01T00:00:00Z'),
      to: h('2027-01-02T00:00:00Z'),
    };
    const now = [
      { ...base, meter: 'proxy_seconds' as const, quantity: 7_200n, amountMinor: 3n },
      { ...base, meter: 'api_read_requests' as const, quantity: 10n, amountMinor: 0n },
    ];
    expect(
      lateCorrections(now, [
        { meter: 'proxy_seconds', quantity: 3_600n, amountMinor: 1n },
        { meter: 'api_read_requests', quantity: 10n, amountMinor: 0n },
      ]),
    ).toEqual([{ meter: 'proxy_seconds', quantity: 3_600n, amountMinor: 2n }]);
  });
});
