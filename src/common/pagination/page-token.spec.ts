import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors/domain-error.js';
import { decodePageToken, encodePageToken } from './page-token.js';

describe('page tokens', () => {
  it('round-trip a cursor, and refuse tokens of another listing or that decode to a NUL', () => {
    expect(decodePageToken(encodePageToken('meshes', 'a-mesh'), 'meshes')).toBe('a-mesh');
    const refused = (token: string) => {
      try {
        decodePageToken(token, 'meshes');
      } catch (err) {
        return (err as DomainError).message;
      }
      return 'accepted';
    };
    const rule = 'nextToken: is not a token returned by this listing';
    expect(refused(encodePageToken('tenants', 'x'))).toBe(rule);
    expect(refused(Buffer.from('meshes:a\u0000b').toString('base64url'))).toBe(rule);
    expect(refused('!!!')).toBe(rule);
  });
});
