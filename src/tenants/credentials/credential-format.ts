import { createHash, randomBytes } from 'node:crypto';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * Access key ids look like AWS's (20 upper-case characters) so every SDK and tool accepts them,
 * with their own prefix so nobody mistakes them for AWS keys.
 */
export const ACCESS_KEY_ID_PREFIX = 'MPAK';
export const ACCESS_KEY_ID_PATTERN = /^MPAK[A-Z2-7]{16}$/;
export const API_TOKEN_PREFIX = 'mpt_';
export const API_TOKEN_PATTERN = /^mpt_[A-Za-z0-9_-]{43}$/;

export function newAccessKeyId(): string {
  const bytes = randomBytes(16);
  let id = ACCESS_KEY_ID_PREFIX;
  for (const b of bytes) id += BASE32[b & 31];
  return id;
}

/** 40 characters like an AWS secret access key: 30 random bytes in base64. */
export function newSecretAccessKey(): string {
  return randomBytes(30).toString('base64');
}

/** A bearer token: prefix + 256 random bits in base64url. */
export function newApiToken(): string {
  return API_TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function hashApiToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** What listings show of a token: enough to tell tokens apart, useless to an attacker. */
export function apiTokenDisplayPrefix(token: string): string {
  return token.slice(0, API_TOKEN_PREFIX.length + 6);
}
