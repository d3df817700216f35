import { isIP } from 'node:net';

/** One DNS label: letters, digits and inner hyphens, at most 63 characters. */
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const DNS_NAME = new RegExp(`^(?=.{1,253}$)${LABEL}(?:\\.${LABEL})*\\.?$`);

export const HOST_RULE = 'must be a DNS name or an IP address';

/**
 * Whether `value` can be written as a host in a proxy's configuration: an IPv4 or IPv6 address
 * (without brackets) or a DNS name. Nothing else (ports, schemes, paths, spaces) gets into a
 * generated bootstrap.
 */
export function isHost(value: string): boolean {
  return isIP(value) !== 0 || DNS_NAME.test(value);
}
