import { describe, expect, it } from 'vitest';
import { duplicateMemberName } from './duplicate-member.js';

describe('duplicateMemberName', () => {
  it.each([
    ['{"a":1,"a":2}', 'a'],
    ['{"a":1,"\\u0061":2}', 'a'],
    ['{"x":{"b":[1,{"c":1,"c":2}]}}', 'c'],
    ['[{"a":1},{"b":1,"b":1}]', 'b'],
    ['{"a":{},"a":[]}', 'a'],
    ['{"q\\"":1,"q\\"":2}', 'q"'],
  ])('finds the duplicate in %s', (text, name) => {
    expect(duplicateMemberName(text)).toBe(name);
  });

  it.each([
    '{"a":1,"b":2}',
    '{"a":{"a":{"a":1}}}',
    '[{"a":1},{"a":2}]',
    '{"a":"a","b":["a","a"]}',
    '{"a":"\\\\","b":"}{,\\""}',
    '{"a":{},"b":{}}',
    '{}',
    '[]',
    '{"meshName":"m","spec":{"egressFilter":{"type":"ALLOW_ALL"}},"tags":[{"key":"k","value":"v"},{"key":"k2","value":"v"}]}',
  ])('finds none in %s', (text) => {
    expect(duplicateMemberName(text)).toBeUndefined();
  });
});
