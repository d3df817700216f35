import { z } from 'zod';
import { METER_NAMES, type MeterName } from '../usage/meters.js';
import { planQuotasSchema } from './plan-quotas.js';

const PRICE_RULE = 'must be a decimal string with at most 6 decimals, from 0 to 1000000';
const FREE_RULE = 'must be a whole number of priced units from 0 to 1000000000000000';

const unitPrice = z
  .string({ error: PRICE_RULE })
  .regex(/^\d{1,7}(\.\d{1,6})?$/, PRICE_RULE)
  .refine((v) => Number(v) <= 1_000_000, PRICE_RULE);
const freeUnits = z
  .union(
    [z.number({ error: FREE_RULE }).int(FREE_RULE), z.string({ error: FREE_RULE }).regex(/^\d{1,16}$/, FREE_RULE)],
    {
      error: FREE_RULE,
    },
  )
  .transform((v) => BigInt(v))
  .refine((v) => v >= 0n && v <= 1_000_000_000_000_000n, FREE_RULE);

const meterPrice = z.strictObject({ unitPrice, freeUnits });
type MeterPriceInput = z.infer<typeof meterPrice>;

const pricesOf = (required: boolean) =>
  z.strictObject(
    Object.fromEntries(METER_NAMES.map((m) => [m, required ? meterPrice : meterPrice.optional()])) as Record<
      MeterName,
      typeof meterPrice
    >,
  );

export const PLAN_NAME_RULE = 'must be 2-32 characters: lowercase letters, digits and hyphens, starting with a letter';
export const planName = z.string({ error: PLAN_NAME_RULE }).regex(/^[a-z][a-z0-9-]{1,31}$/, PLAN_NAME_RULE);
const CURRENCY_RULE = 'must be a three-letter ISO 4217 code in capitals (e.g. USD)';
const currency = z.string({ error: CURRENCY_RULE }).regex(/^[A-Z]{3}$/, CURRENCY_RULE);

export const createPlanInput = z.strictObject({
  name: planName,
  currency,
  quotas: planQuotasSchema,
  prices: pricesOf(true),
});

export const updatePlanInput = z.strictObject({
  currency: currency.optional(),
  quotas: planQuotasSchema.partial().optional(),
  prices: pricesOf(false).partial().optional(),
});

const HOUR_RULE = 'must be an ISO 8601 UTC time on an hour boundary (e.g. 2026-12-01T00:00:00Z)';
export const hourInstant = z
  .string({ error: HOUR_RULE })
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:00(:00(\.0{1,3})?)?Z$/, HOUR_RULE)
  .transform((v) => new Date(v))
  .refine((d) => !Number.isNaN(d.getTime()), HOUR_RULE);

export const changePlanInput = z.strictObject({
  plan: planName,
  reason: z.string({ error: 'must be a string' }).max(256, 'must be at most 256 characters').optional(),
  /** Default: the next hour. Later hours schedule the change (e.g. for the first of a month). */
  effectiveFrom: hourInstant.optional(),
});

export type { MeterPriceInput };
