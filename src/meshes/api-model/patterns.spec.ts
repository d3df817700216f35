import { describe, expect, it } from 'vitest';
import { anchorPattern, compilePattern } from './patterns.js';

describe('compilePattern', () => {
  it('anchors patterns so that only full matches pass', () => {
    const { regex, flags, anchored } = compilePattern('[a-z]+');
    expect(anchored).toBe('^(?:[a-z]+)$');
    expect(flags).toBe('u');
    expect(regex?.test('abc')).toBe(true);
    expect(regex?.test('abc1')).toBe(false);
    expect(compilePattern('a|b').regex?.test('ab')).toBe(false);
  });

  it('compiles the model patterns with the u flag', () => {
    const key = compilePattern('^[a-zA-Z0-9!-~]+$');
    expect(key.flags).toBe('u');
    expect(key.regex?.test('k8s.io/name')).toBe(true);
    expect(key.regex?.test('has space')).toBe(false);
    const value = compilePattern('^([a-zA-Z0-9!-~][  a-zA-Z0-9!-~]*){0,1}[a-zA-Z0-9!-~]{0,1}$');
    expect(value.regex?.test('a b c')).toBe(true);
    expect(value.regex?.test(' leading')).toBe(false);
  });

  it('falls back to no flag when the u flag rejects the pattern', () => {
    // An identity escape of a letter is an error under `u` only.
    const { regex, flags } = compilePattern('\\q+');
    expect(flags).toBe('');
    expect(regex?.test('qq')).toBe(true);
  });

  it('reports patterns JavaScript cannot compile', () => {
    const compiled = compilePattern('a++(');
    expect(compiled.regex).toBeUndefined();
    expect(compiled.unsupported).toMatch(/Invalid regular expression/);
    expect(anchorPattern('x')).toBe('^(?:x)$');
  });
});
