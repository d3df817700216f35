import { z } from 'zod';

export const GRANULARITIES = ['hour', 'day', 'month'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

/** Most points one answer may hold per meter: a month of hours, a year of days, three years of months. */
export const MAX_POINTS: Record<Granularity, number> = { hour: 744, day: 366, month: 36 };

const TIME_RULE = 'must be an ISO 8601 UTC time (e.g. 2026-11-01T00:00:00Z)';
const instant = z
  .string({ error: TIME_RULE })
  .regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?Z)?$/, TIME_RULE)
  .transform((v) => new Date(v))
  .refine((d) => !Number.isNaN(d.getTime()), TIME_RULE);

const ACCOUNT_RULE = 'must be a 12-digit account id';

/** The query of a usage report; the range rules that involve several fields are checked after parsing. */
export const usageQuery = z.strictObject({
  from: instant,
  to: instant,
  granularity: z.enum(GRANULARITIES, { error: `must be one of ${GRANULARITIES.join(', ')}` }).default('day'),
});

export const adminUsageQuery = usageQuery.extend({
  accountId: z
    .string({ error: ACCOUNT_RULE })
    .regex(/^\d{12}$/, ACCOUNT_RULE)
    .optional(),
});
