import { isIP } from 'node:net';
import { z } from 'zod';
import { endpointAddress } from '../xds-fleet/endpoints/proxy-endpoint.js';

/**
 * AWS Cloud Map's input rules for the registry's names and instances (its API reference:
 * CreateHttpNamespace, CreateService, RegisterInstance, UpdateInstanceCustomHealthStatus), so a
 * deploy pipeline that registered with Cloud Map registers here with the same values. Where the
 * mesh needs more than Cloud Map (an instance must have an IP address: EDS clients connect to
 * addresses, they resolve nothing), the rule says so.
 */

/** A Cloud Map HTTP namespace name: printable ASCII without spaces. */
export const NAMESPACE_NAME = z
  .string({ error: 'must be a string' })
  .min(1, 'must not be empty')
  .max(1024, 'must be at most 1024 characters')
  .regex(/^[!-~]+$/, 'must match ^[!-~]{1,1024}$ (printable ASCII, no spaces)');

/** Cloud Map's service name: DNS labels of letters, digits, `_` and `-` (not at a label's ends), 127 characters. */
export const SERVICE_NAME = z
  .string({ error: 'must be a string' })
  .min(1, 'must not be empty')
  .max(127, 'must be at most 127 characters')
  .regex(
    /^([a-zA-Z0-9_]([a-zA-Z0-9_-]{0,61}[a-zA-Z0-9_])?)(\.[a-zA-Z0-9_]([a-zA-Z0-9_-]{0,61}[a-zA-Z0-9_])?)*$/,
    'must be dot-separated labels of letters, digits, _ and - (not first or last), each at most 63 characters',
  );

export const DESCRIPTION = z.string({ error: 'must be a string' }).max(1024, 'must be at most 1024 characters');

export const INSTANCE_ID = z
  .string({ error: 'must be a string' })
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .regex(/^[0-9a-zA-Z_/:.@-]+$/, 'must match ^[0-9a-zA-Z_/:.@-]+$');

export const MAX_ATTRIBUTES = 30;
/** Cloud Map: the keys and values of one instance together. */
export const MAX_ATTRIBUTES_SIZE = 5000;
const ATTRIBUTE_KEY = /^[a-zA-Z0-9!-~]+$/;
/** App Mesh's and Cloud Map's attribute value: printable, inner spaces and tabs allowed. */
const ATTRIBUTE_VALUE = /^([a-zA-Z0-9!-~][ \ta-zA-Z0-9!-~]*)?[a-zA-Z0-9!-~]?$/;

export const HEALTH_STATUS = z.enum(['HEALTHY', 'UNHEALTHY'], { error: 'must be HEALTHY or UNHEALTHY' });
export type CustomHealthStatus = z.output<typeof HEALTH_STATUS>;

/** Cloud Map attributes that would name a host instead of an address: EDS carries addresses only. */
const UNSUPPORTED = new Set(['AWS_ALIAS_DNS_NAME', 'AWS_INSTANCE_CNAME']);

/** Where an instance is reached, parsed once from its attributes and kept in columns for EDS. */
export interface InstanceLocation {
  readonly ipv4: string | null;
  readonly ipv6: string | null;
  readonly port: number | null;
  readonly zone: string | null;
  /** `AWS_INIT_HEALTH_STATUS`: the status a new registration starts with. */
  readonly initialHealth: CustomHealthStatus | null;
}

/**
 * Checks an instance's attributes against Cloud Map's limits and the mesh's reserved keys, and
 * returns where it is reached. Every problem is reported (`Attributes.<key>: <rule>`), not just the first.
 */
export function parseAttributes(attributes: Readonly<Record<string, string>>): InstanceLocation | string[] {
  const problems: string[] = [];
  const entries = Object.entries(attributes);
  if (entries.length > MAX_ATTRIBUTES) problems.push(`Attributes: must have at most ${MAX_ATTRIBUTES} entries`);
  const size = entries.reduce((sum, [k, v]) => sum + k.length + v.length, 0);
  if (size > MAX_ATTRIBUTES_SIZE)
    problems.push(`Attributes: keys and values together must be at most ${MAX_ATTRIBUTES_SIZE} characters`);
  for (const [key, value] of entries) {
    const field = `Attributes.${key.slice(0, 64)}`;
    if (key.length > 255) problems.push(`${field}: the key must be at most 255 characters`);
    else if (!ATTRIBUTE_KEY.test(key)) problems.push(`${field}: the key must match ^[a-zA-Z0-9!-~]+$`);
    if (value.length > 1024) problems.push(`${field}: must be at most 1024 characters`);
    else if (!ATTRIBUTE_VALUE.test(value))
      problems.push(`${field}: must be printable ASCII (inner spaces and tabs allowed)`);
    if (UNSUPPORTED.has(key)) problems.push(`${field}: is not supported (the mesh routes to IP addresses, not names)`);
  }
  const ipv4 = attributes['AWS_INSTANCE_IPV4'];
  const ipv6 = attributes['AWS_INSTANCE_IPV6'];
  const port = attributes['AWS_INSTANCE_PORT'];
  const zone = attributes['AWS_INSTANCE_AVAILABILITY_ZONE'] ?? attributes['AVAILABILITY_ZONE'];
  const health = attributes['AWS_INIT_HEALTH_STATUS'];
  if (ipv4 !== undefined && (isIP(ipv4) !== 4 || ipv4 === '0.0.0.0'))
    problems.push('Attributes.AWS_INSTANCE_IPV4: must be an IPv4 address (not 0.0.0.0)');
  const v6 = ipv6 === undefined ? undefined : isIP(ipv6) === 6 ? endpointAddress(ipv6) : undefined;
  if (ipv6 !== undefined && (v6 === undefined || isIP(v6) !== 6))
    problems.push('Attributes.AWS_INSTANCE_IPV6: must be an IPv6 address (not ::, no zone index)');
  if (ipv4 === undefined && ipv6 === undefined)
    problems.push('Attributes: must include AWS_INSTANCE_IPV4 or AWS_INSTANCE_IPV6 (an endpoint is an IP address)');
  if (port !== undefined && !(/^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535))
    problems.push('Attributes.AWS_INSTANCE_PORT: must be a port number (1-65535)');
  if (zone !== undefined && !/^[\x21-\x7e]{1,128}$/.test(zone))
    problems.push('Attributes.AWS_INSTANCE_AVAILABILITY_ZONE: must be 1-128 printable characters without spaces');
  if (health !== undefined && health !== 'HEALTHY' && health !== 'UNHEALTHY')
    problems.push('Attributes.AWS_INIT_HEALTH_STATUS: must be HEALTHY or UNHEALTHY');
  if (problems.length > 0) return problems;
  return {
    ipv4: ipv4 ?? null,
    ipv6: v6 ?? null,
    port: port === undefined ? null : Number(port),
    zone: zone ?? null,
    initialHealth: (health as CustomHealthStatus | undefined) ?? null,
  };
}

/** `Attributes` as the body carries it: a map of strings (the limits are checked by parseAttributes). */
export const ATTRIBUTES = z.record(z.string(), z.string({ error: 'must be a string' }), {
  error: 'must be an object of string values',
});
