import { z } from 'zod';
import { planName } from '../billing/plans/plan.inputs.js';

export const TENANT_NAME_RULE =
  'must be 1-63 lower-case letters, digits or hyphens, starting and ending with a letter or digit';

export const createTenantInput = z.strictObject({
  name: z
    .string({ error: 'is required and must be a string' })
    .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, TENANT_NAME_RULE),
  plan: planName.optional(),
});
export type CreateTenantInput = z.infer<typeof createTenantInput>;

export const createAccessKeyInput = z.strictObject({
  description: z.string().max(256, 'must be at most 256 characters').optional(),
});

export const createApiTokenInput = z.strictObject({
  name: z
    .string({ error: 'is required and must be a string' })
    .min(1, 'must not be empty')
    .max(64, 'must be at most 64 characters'),
});

export const listInput = z.strictObject({
  limit: z.coerce
    .number()
    .int('must be an integer')
    .min(1, 'must be between 1 and 100')
    .max(100, 'must be between 1 and 100')
    .optional(),
  nextToken: z.string().max(1024, 'is not a valid token').optional(),
});
