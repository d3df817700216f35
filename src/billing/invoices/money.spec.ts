import { describe, expect, it } from 'vitest';
import { divideRounded, formatScaled, parseScaled } from './money.js';

describe('exact money', () => {
  it('rounds half away from zero', () => {
    expect(divideRounded(5n, 10n)).toBe(1n);
    expect(divideRounded(4n, 10n)).toBe(0n);
    expect(divideRounded(-5n, 10n)).toBe(-1n);
    expect(divideRounded(-14n, 10n)).toBe(-1n);
    expect(divideRounded(2_519_999n, 3600n * 10_000n)).toBe(0n);
  });

  it('formats and parses without losing a digit', () => {
    expect(formatScaled(1234n, 2)).toBe('12.34');
    expect(formatScaled(-5n, 2)).toBe('-0.05');
    expect(formatScaled(700n, 6)).toBe('0.000700');
    expect(parseScaled('0.0007', 6)).toBe(700n);
    expect(parseScaled('12', 2)).toBe(1200n);
    expect(parseScaled('-3.5', 2)).toBe(-350n);
    expect(parseScaled('0.001', 2)).toBeUndefined();
    expect(parseScaled('1e3', 2)).toBeUndefined();
    expect(parseScaled('', 2)).toBeUndefined();
  });
});
