import { RE2JS } from 're2js';

/**
 * Regular expressions the translator hands to Envoy as `safe_regex` are RE2 (Envoy's only
 * engine), not JavaScript: no lookaround, no backreferences, repeat counts up to 1000. Checking
 * them here, with a port of RE2 itself, turns what would be a NACK from every proxy of the mesh
 * into a BadRequest naming the field.
 */
export function envoyRegexProblem(pattern: string): string | undefined {
  try {
    RE2JS.compile(pattern);
    return undefined;
  } catch (err) {
    const reason = (err as Error).message.replace(/^error parsing regexp: /, '');
    return `must be a regular expression in Envoy's RE2 syntax (${reason})`;
  }
}
