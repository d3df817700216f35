/**
 * The model's `pattern`s are Java-style regular expressions meant to match the whole value.
 * They are compiled with the `u` flag when JavaScript accepts them that way (the usual case),
 * without it otherwise, and anchored as `^(?:...)$` so a match is always a full match.
 * A pattern JavaScript cannot compile at all is reported, not enforced.
 */
export interface CompiledPattern {
  /** The model's pattern, verbatim (what error messages quote). */
  readonly source: string;
  /** The anchored source that `regex` was built from (what the OpenAPI document publishes). */
  readonly anchored: string;
  readonly regex?: RegExp;
  readonly flags: 'u' | '';
  /** Why `regex` is absent. */
  readonly unsupported?: string;
}

export function anchorPattern(pattern: string): string {
  return `^(?:${pattern})$`;
}

export function compilePattern(pattern: string): CompiledPattern {
  const anchored = anchorPattern(pattern);
  for (const flags of ['u', ''] as const) {
    try {
      return { source: pattern, anchored, regex: new RegExp(anchored, flags), flags };
    } catch {
      // try the next flag set
    }
  }
  let reason = 'not a JavaScript regular expression';
  try {
    new RegExp(anchored);
  } catch (err) {
    reason = (err as Error).message;
  }
  return { source: pattern, anchored, flags: '', unsupported: reason };
}
