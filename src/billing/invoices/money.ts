/**
 * Exact money: amounts are BigInt integers in a fixed scale, never floating point. Prices are in
 * micro-units (6 decimals, so $0.0007 per proxy-hour is 700), invoice amounts in the currency's
 * minor unit (2 decimals; every currency a plan may use is a two-decimal ISO 4217 currency).
 */
export const MICROS_SCALE = 6;
export const MINOR_SCALE = 2;
/** Micro-units in one minor unit. */
export const MICROS_PER_MINOR = 10n ** BigInt(MICROS_SCALE - MINOR_SCALE);

/** `numerator / denominator`, rounded half away from zero (commercial rounding). */
export function divideRounded(numerator: bigint, denominator: bigint): bigint {
  if (denominator <= 0n) throw new RangeError('denominator must be positive');
  const negative = numerator < 0n;
  const n = negative ? -numerator : numerator;
  const q = n / denominator;
  const rounded = (n % denominator) * 2n >= denominator ? q + 1n : q;
  return negative ? -rounded : rounded;
}

/** `1234n` at scale 2 → `"12.34"`; `-5n` → `"-0.05"`. */
export function formatScaled(value: bigint, scale: number): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale);
  return `${negative ? '-' : ''}${whole}${scale > 0 ? `.${fraction}` : ''}`;
}

const DECIMAL = /^(-)?(\d{1,15})(?:\.(\d+))?$/;

/**
 * A decimal string as an integer at `scale`, or `undefined` when it is not a plain decimal or has
 * more fraction digits than the scale holds (nothing is rounded on input).
 */
export function parseScaled(text: string, scale: number): bigint | undefined {
  const m = DECIMAL.exec(text);
  if (!m) return undefined;
  const fraction = m[3] ?? '';
  if (fraction.length > scale) return undefined;
  const value = BigInt(m[2]! + fraction.padEnd(scale, '0'));
  return m[1] ? -value : value;
}
