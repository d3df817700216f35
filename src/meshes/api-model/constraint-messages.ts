/**
 * The wording of every validation rule, so that the validator, tests and documentation agree.
 * Each message follows `<path>: ` in the BadRequestException message.
 */
export const RULE = {
  required: 'is required',
  string: 'must be a string',
  object: 'must be an object',
  list: 'must be a list',
  boolean: 'must be a boolean',
  integer: 'must be an integer',
  // The model's Long allows 2^63-1; meshplane keeps integers exactly up to 2^53-1 (ADR 0011).
  safeInteger:
    'must be an integer between -9007199254740991 and 9007199254740991 (2^53-1, the largest integer this service accepts)',
  number: 'must be a number',
  timestamp: 'must be a timestamp in epoch seconds',
  isoTimestamp: 'must be an ISO 8601 timestamp',
  singleValue: 'must be given once',
  bodyObject: 'must be a JSON object',
} as const;

export const oneOf = (values: readonly string[]) => `must be one of ${values.join(', ')}`;

export const matchPattern = (pattern: string) => `must match the pattern ${pattern}`;

export const exactlyOneOf = (members: readonly string[]) => `must set exactly one of ${members.join(', ')}`;

export const notAMember = (structure: string) => `is not a member of ${structure}`;

export const notInBody = (location: 'uri' | 'querystring') =>
  location === 'uri'
    ? 'must be given in the URI path, not in the body'
    : 'must be given in the query string, not in the body';

/** Numeric value bounds: `must be between 1 and 65535`, `must be at least 0`, `must be at most 100`. */
export function valueRange(min: number | undefined, max: number | undefined): string | undefined {
  if (min !== undefined && max !== undefined) return `must be between ${min} and ${max}`;
  if (min !== undefined) return `must be at least ${min}`;
  if (max !== undefined) return `must be at most ${max}`;
  return undefined;
}

const UNITS = {
  characters: { singular: 'character', verb: 'be', tail: ' long' },
  bytes: { singular: 'byte', verb: 'be', tail: ' long' },
  items: { singular: 'item', verb: 'have', tail: '' },
  entries: { singular: 'entry', verb: 'have', tail: '' },
} as const;

/**
 * Length or size bounds: `must be between 1 and 255 characters long`, `must have at most 50 items`,
 * `must be exactly 12 characters long`. A minimum of 0 constrains nothing and is not mentioned,
 * so `TagList` (0..50) reads `must have at most 50 items`.
 */
export function sizeRange(
  unit: keyof typeof UNITS,
  min: number | undefined,
  max: number | undefined,
): string | undefined {
  const { singular, verb, tail } = UNITS[unit];
  const lo = min !== undefined && min > 0 ? min : undefined;
  const n = (count: number) => `${count} ${count === 1 ? singular : unit}`;
  if (lo !== undefined && max !== undefined) {
    return lo === max ? `must ${verb} exactly ${n(lo)}${tail}` : `must ${verb} between ${lo} and ${n(max)}${tail}`;
  }
  if (lo !== undefined) return `must ${verb} at least ${n(lo)}${tail}`;
  if (max !== undefined) return `must ${verb} at most ${n(max)}${tail}`;
  return undefined;
}
