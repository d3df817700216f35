import type { z } from 'zod';
import { DomainError } from '../errors/domain-error.js';
import { listProblems, textProblems } from './text.js';

/**
 * Validates input at a service boundary. A failure becomes one BAD_REQUEST whose message names
 * every offending field and its rule, e.g. `name: must match ^[a-z0-9-]+$; plan: must be one of ...`.
 * Strings are checked for text PostgreSQL cannot hold (see text.ts) before the schema, whatever
 * the schema says, so no field of any input escapes that rule.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const text: string[] = [];
  textProblems(input, 'body', text);
  if (text.length > 0) throw new DomainError('BAD_REQUEST', listProblems(text));
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const field = issue.path.length > 0 ? issue.path.join('.') : 'body';
    return `${field}: ${issue.message}`;
  });
  throw new DomainError('BAD_REQUEST', problems.join('; '));
}
