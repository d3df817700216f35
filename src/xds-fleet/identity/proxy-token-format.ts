import { createHash, randomBytes } from 'node:crypto';

/**
 * Proxy tokens look like API tokens (prefix + 256 random bits in base64url) with their own prefix,
 * so a leaked one is recognisable in logs and secret scanners, and is never taken for an API token.
 */
export const PROXY_TOKEN_PREFIX = 'mpx_';
export const PROXY_TOKEN_PATTERN = /^mpx_[A-Za-z0-9_-]{43}$/;

export function newProxyToken(): string {
  return PROXY_TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/** What is stored: 256 random bits need no slow password hash, as with API tokens. */
export function hashProxyToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
