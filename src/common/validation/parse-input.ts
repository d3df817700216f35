import type { z } from 'zod';
import { DomainError } from '../errors/domain-error.js';
import { listProblems, textProblems } from './text.js';

/**
 * Validates input at a service boundary. A failure becomes one BAD_REQUEST whose message names
 * every offending field and its rule, e.g. `name: must match ^[a-z0-9-]+$; plan: must be one of ...`.
 *
 * `where` names the part of the request the input came from (`query`, `path`) when it is not the
 * body: fields are then reported under it (`query.format: must be envoy or grpc`), and a key a
 * strict schema does not know is named itself (`query.adminport: is not a known parameter`)
 * rather than reported against the whole input.
 *
 * Strings are checked for text PostgreSQL cannot hold (see text.ts) before the schema, whatever
 * the schema says, so no field of any input escapes that rule.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, where?: string): z.output<S> {
  const text: string[] = [];
  textProblems(input, where ?? 'body', text);
  if (text.length > 0) throw new DomainError('BAD_REQUEST', listProblems(text));
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.flatMap((issue) => {
    if (where === undefined) {
      const field = issue.path.length > 0 ? issue.path.join('.') : 'body';
      return [`${field}: ${issue.message}`];
    }
    const field = [where, ...issue.path].join('.');
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => `${field}.${key}: is not a known parameter`);
    return [`${field}: ${issue.message}`];
  });
  throw new DomainError('BAD_REQUEST', problems.join('; '));
}
