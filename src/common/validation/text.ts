/**
 * What every decoded string a client sends must be before it is stored, compared or forwarded:
 * text that PostgreSQL (text and jsonb), UTF-8 and Envoy can hold as it is. PostgreSQL refuses
 * U+0000 in both column types, and a lone UTF-16 surrogate has no UTF-8 encoding, so it would be
 * silently replaced by U+FFFD (two different inputs then collide on one name) or refused by jsonb.
 * Such input is refused with a BadRequest naming the field; it is never rewritten.
 */
const FORBIDDEN = /\u0000|\p{Cs}/u;

export const TEXT_RULE = {
  nul: 'must not contain the NUL character (U+0000)',
  surrogate: (unit: number) => `must not contain an unpaired UTF-16 surrogate (U+${unit.toString(16).toUpperCase()})`,
} as const;

/** The rule `value` breaks, or `undefined` for text that can be kept as it is. */
export function textProblem(value: string): string | undefined {
  const found = FORBIDDEN.exec(value);
  if (found === null) return undefined;
  const unit = found[0].charCodeAt(0);
  return unit === 0 ? TEXT_RULE.nul : TEXT_RULE.surrogate(unit);
}

/** `parent.key`, `parent["odd key"]`, `parent[3]`; a bare key at the top. */
export function fieldPath(parent: string, step: string | number): string {
  if (typeof step === 'number') return `${parent}[${step}]`;
  const bracketed = !/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(step);
  if (parent === '') return bracketed ? `[${JSON.stringify(step)}]` : step;
  return bracketed ? `${parent}[${JSON.stringify(step)}]` : `${parent}.${step}`;
}

/**
 * Appends `<path>: <rule>` for every string (value or object key) anywhere in a decoded JSON,
 * query or path value that `textProblem` refuses. Iterative, so no nesting depth can overflow the
 * stack; `root` names the value itself when it is a string at the top (`body`, `accountId`).
 */
export function textProblems(value: unknown, root: string, problems: string[]): void {
  // [value, its path, the object key it is held under]; popped in document order.
  const pending: [unknown, string, string | undefined][] = [[value, '', undefined]];
  while (pending.length > 0) {
    const [current, path, key] = pending.pop()!;
    if (key !== undefined) {
      const rule = textProblem(key);
      if (rule !== undefined) problems.push(`${path} (key): ${rule}`);
    }
    if (typeof current === 'string') {
      const rule = textProblem(current);
      if (rule !== undefined) problems.push(`${path === '' ? root : path}: ${rule}`);
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) pending.push([current[i], fieldPath(path || root, i), undefined]);
    } else if (typeof current === 'object' && current !== null) {
      const keys = Object.keys(current);
      for (let i = keys.length - 1; i >= 0; i--) {
        const k = keys[i]!;
        pending.push([(current as Record<string, unknown>)[k], fieldPath(path, k), k]);
      }
    }
  }
}

/** At most this many problems are listed in one message (a body can hold thousands of bad strings). */
export const MAX_LISTED_PROBLEMS = 100;

/** `a; b; c`, or the first 100 and `and N more problems`. */
export function listProblems(problems: readonly string[]): string {
  if (problems.length <= MAX_LISTED_PROBLEMS) return problems.join('; ');
  const more = problems.length - MAX_LISTED_PROBLEMS;
  return `${problems.slice(0, MAX_LISTED_PROBLEMS).join('; ')}; and ${more} more problem${more === 1 ? '' : 's'}`;
}
