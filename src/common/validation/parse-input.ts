import type { z } from 'zod';
import { DomainError } from '../errors/domain-error.js';

/**
 * Validates input at a service boundary. A failure becomes one BAD_REQUEST whose message names
 * every offending field and its rule, e.g. `name: must match ^[a-z0-9-]+$; plan: must be one of ...`.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const field = issue.path.length > 0 ? issue.path.join('.') : 'body';
    return `${field}: ${issue.message}`;
  });
  throw new DomainError('BAD_REQUEST', problems.join('; '));
}
