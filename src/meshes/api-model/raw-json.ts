/**
 * Reads the botocore JSON model, which is data, not code: every accessor checks the type it
 * expects and names the offending place (`shapes.Foo.min`) so that a broken or newer model fails
 * loudly at load instead of producing a validator that silently accepts everything.
 */
export type RawObject = Readonly<Record<string, unknown>>;

export class ModelFormatError extends Error {
  constructor(where: string, expected: string) {
    super(`App Mesh model: ${where} must be ${expected}`);
    this.name = 'ModelFormatError';
  }
}

export function isObject(value: unknown): value is RawObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function rawObject(value: unknown, where: string): RawObject {
  if (!isObject(value)) throw new ModelFormatError(where, 'an object');
  return value;
}

export function rawString(value: unknown, where: string): string {
  if (typeof value !== 'string') throw new ModelFormatError(where, 'a string');
  return value;
}

export function optionalString(value: unknown, where: string): string | undefined {
  return value === undefined ? undefined : rawString(value, where);
}

export function optionalNumber(value: unknown, where: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new ModelFormatError(where, 'a number');
  return value;
}

/** An absent flag is false. */
export function optionalFlag(value: unknown, where: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new ModelFormatError(where, 'a boolean');
  return value;
}

export function rawArray(value: unknown, where: string): readonly unknown[] {
  if (!Array.isArray(value)) throw new ModelFormatError(where, 'an array');
  return value;
}

export function optionalStringArray(value: unknown, where: string): readonly string[] {
  if (value === undefined) return [];
  return rawArray(value, where).map((item, i) => rawString(item, `${where}[${i}]`));
}
