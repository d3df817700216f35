import { describe, expect, it } from 'vitest';
import { envoyFormatProblem } from './envoy-format.js';

describe('Envoy access log formats', () => {
  it('refuses what Envoy refuses, naming the position and the rule', () => {
    const rule = 'must be an Envoy access log format: ';
    expect(envoyFormatProblem('100% ok')).toBe(
      `${rule}the % at position 3 starts no command operator (%NAME%, %NAME(argument)% or %NAME(argument):length%, or %% for a literal %)`,
    );
    expect(envoyFormatProblem('%NOT_A_COMMAND%')).toBe(
      `${rule}%NOT_A_COMMAND% at position 0 is not a command operator Envoy supports`,
    );
    expect(envoyFormatProblem('x %REQ%')).toBe(
      `${rule}%REQ% at position 2 needs an argument (a header name, or two separated by ?)`,
    );
    expect(envoyFormatProblem('%REQ(a b)%')).toBe(
      `${rule}%REQ(a b)% at position 0 needs a header name, or two separated by ? as its argument`,
    );
    expect(envoyFormatProblem('%RESPONSE_CODE:5%')).toBe(
      `${rule}%RESPONSE_CODE:5% at position 0 takes no argument or length`,
    );
    expect(envoyFormatProblem('%START_TIME:10%')).toBe(`${rule}%START_TIME:10% at position 0 takes no length`);
    expect(envoyFormatProblem('%response_code%')).toMatch(/position 0 starts no command operator/);
    expect(envoyFormatProblem('%CEL(request.path)%')).toMatch(/is not a command operator Envoy supports/);
    expect(envoyFormatProblem('%%%')).toMatch(/position 2 starts no command operator/);
    expect(envoyFormatProblem('%START_TIME(%s.%3f)% 100%% %REQ(:path):20%\n')).toBeUndefined();
  });
});
