import { RE2JS } from 're2js';

/**
 * Envoy refuses a regex whose RE2 program is larger than this (its runtime default for
 * `re2.max_program_size.error_level`), NACKing the whole route configuration.
 */
export const ENVOY_MAX_PROGRAM_SIZE = 100;

/** C++ RE2 counts this many more instructions than RE2/J for the same ASCII program. */
const CPP_EXTRA_INSTRUCTIONS = 2;

/**
 * Regular expressions the translator hands to Envoy as `safe_regex` are RE2 (Envoy's only
 * engine), not JavaScript: no lookaround, no backreferences, repeat counts up to 1000. Checking
 * them here, with a port of RE2 itself, turns what would be a NACK from every proxy of the mesh
 * into a BadRequest naming the field.
 *
 * The program size is a lower bound of Envoy's: RE2/J compiles to rune instructions where C++ RE2
 * compiles UTF-8 byte ranges, so they agree on ASCII up to 2 instructions C++ adds (checked
 * against Envoy 1.40 in validate mode: x{96} is 100, x{97} is 101) and C++ counts more for `.`,
 * `\w`, `\pL` and non-ASCII classes. What
 * is over the limit here is over it in Envoy; a Unicode-heavy regex may still pass here and be
 * refused by Envoy.
 */
export function envoyRegexProblem(pattern: string): string | undefined {
  let size: number;
  try {
    size = RE2JS.compile(pattern).programSize() + CPP_EXTRA_INSTRUCTIONS;
  } catch (err) {
    const reason = (err as Error).message.replace(/^error parsing regexp: /, '');
    return `must be a regular expression in Envoy's RE2 syntax (${reason})`;
  }
  if (size > ENVOY_MAX_PROGRAM_SIZE) {
    return `is too large for Envoy (an RE2 program of at least ${size} instructions, over Envoy's limit of ${ENVOY_MAX_PROGRAM_SIZE})`;
  }
  return undefined;
}
