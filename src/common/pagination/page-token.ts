import { badRequest } from '../errors/domain-error.js';
import { textProblem } from '../validation/text.js';

/**
 * Opaque pagination tokens: base64url of `<kind>:<cursor>`. The kind stops a token from one
 * listing being replayed against another; the cursor is the last key of the previous page
 * (keyset pagination), so pages stay stable while items are added.
 */
export function encodePageToken(kind: string, cursor: string): string {
  return Buffer.from(`${kind}:${cursor}`, 'utf8').toString('base64url');
}

export function decodePageToken(token: string, kind: string): string {
  const decoded = Buffer.from(token, 'base64url').toString('utf8');
  const prefix = `${kind}:`;
  // A token is the client's bytes: the cursor it decodes to reaches a query, so it must be text
  // PostgreSQL can compare (a forged token can decode to a NUL).
  if (!decoded.startsWith(prefix) || decoded.length === prefix.length || textProblem(decoded) !== undefined) {
    throw badRequest('nextToken: is not a token returned by this listing');
  }
  return decoded.slice(prefix.length);
}
