import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DomainError } from '../errors/domain-error.js';
import { parseInput } from './parse-input.js';
import { textProblem, textProblems } from './text.js';

describe('textProblem', () => {
  it('refuses NUL and unpaired surrogates, and keeps every other string', () => {
    expect(textProblem('a\u0000')).toBe('must not contain the NUL character (U+0000)');
    expect(textProblem('\ud800x')).toBe('must not contain an unpaired UTF-16 surrogate (U+D800)');
    expect(textProblem('x\udfff')).toBe('must not contain an unpaired UTF-16 surrogate (U+DFFF)');
    expect(textProblem('\udc00\ud800')).toBe('must not contain an unpaired UTF-16 surrogate (U+DC00)');
    expect(textProblem('\u{1F600} é \t\n\u0001')).toBeUndefined();
  });
});

describe('textProblems', () => {
  it('names every offending value and key, at any depth, without recursion', () => {
    const problems: string[] = [];
    textProblems({ a: ['ok', '\u0000'], 'b\u0000': { c: { d: '\ud800' } } }, 'body', problems);
    expect(problems).toEqual([
      'a[1]: must not contain the NUL character (U+0000)',
      '["b\\u0000"] (key): must not contain the NUL character (U+0000)',
      '["b\\u0000"].c.d: must not contain an unpaired UTF-16 surrogate (U+D800)',
    ]);
    let deep: unknown = '\u0000';
    for (let i = 0; i < 200_000; i++) deep = [deep];
    const many: string[] = [];
    textProblems(deep, 'body', many);
    expect(many).toHaveLength(1);
    const top: string[] = [];
    textProblems('\u0000', 'accountId', top);
    expect(top).toEqual(['accountId: must not contain the NUL character (U+0000)']);
  });
});

describe('parseInput', () => {
  it('refuses such text in any field, whatever the schema allows', () => {
    const schema = z.strictObject({ name: z.string(), extra: z.unknown().optional() });
    const failure = (input: unknown) => {
      try {
        parseInput(schema, input);
      } catch (err) {
        return err as DomainError;
      }
      throw new Error('accepted');
    };
    const err = failure({ name: 'a\u0000', extra: { x: ['\udbff'] } });
    expect(err.code).toBe('BAD_REQUEST');
    expect(err.message).toBe(
      'name: must not contain the NUL character (U+0000); extra.x[0]: must not contain an unpaired UTF-16 surrogate (U+DBFF)',
    );
    expect(parseInput(schema, { name: 'fine' })).toEqual({ name: 'fine' });
  });
});
