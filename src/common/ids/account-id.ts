import { randomInt } from 'node:crypto';

export const ACCOUNT_ID_PATTERN = /^\d{12}$/;

/** A random 12-digit account id. Leading zeros are valid, as in AWS account ids. */
export function randomAccountId(): string {
  // Two draws: randomInt's range is limited to 2^48, enough for 12 digits but kept readable.
  return `${randomInt(0, 1_000_000).toString().padStart(6, '0')}${randomInt(0, 1_000_000).toString().padStart(6, '0')}`;
}
