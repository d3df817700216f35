import { z } from 'zod';
import { MONTH_RULE, parseMonth } from '../usage/month.js';

export const month = z.string({ error: MONTH_RULE }).transform((v, ctx) => {
  const m = parseMonth(v);
  if (!m) {
    ctx.addIssue({ code: 'custom', message: MONTH_RULE });
    return z.NEVER;
  }
  return m;
});

const ACCOUNT_RULE = 'must be a 12-digit account id';
export const accountId = z.string({ error: ACCOUNT_RULE }).regex(/^\d{12}$/, ACCOUNT_RULE);

export const closeMonthInput = z.strictObject({
  month,
  /** Only this tenant; every tenant when absent. */
  accountId: accountId.optional(),
});

const AMOUNT_RULE = 'must be a positive decimal string with at most 2 decimals (e.g. "12.50"), at most 1000000000';
export const creditInput = z.strictObject({
  amount: z
    .string({ error: AMOUNT_RULE })
    .refine((v) => /^\d{1,10}(\.\d{1,2})?$/.test(v) && Number(v) > 0 && Number(v) <= 1_000_000_000, AMOUNT_RULE),
  reason: z
    .string({ error: 'is required and must be a string' })
    .min(1, 'must not be empty')
    .max(256, 'must be at most 256 characters'),
  /** The invoice month the credit lands on; the current month when absent. */
  month: month.optional(),
});
