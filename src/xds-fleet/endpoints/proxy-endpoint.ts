import { isIP } from 'node:net';
import type { XdsNode } from '../encoding/wire.js';
import type { ProxyKind } from '../identity/proxy-identity.js';

/**
 * Where a connected proxy of a virtual node can be reached: what it registers as an endpoint of
 * its node for as long as its stream lives (Kuma's universal mode does the same). The port is not
 * part of it: a ClusterLoadAssignment uses the target listener's port.
 */
export interface ProxyEndpoint {
  readonly address: string;
  /** `node.locality.zone`, when the proxy declared one. */
  readonly zone?: string;
}

export const ADDRESS_RULE = 'must be an IPv4 or IPv6 address (not a DNS name, not 0.0.0.0 or ::)';

/**
 * `value` as an endpoint address: an IP literal, IPv4-mapped IPv6 written as IPv4, IPv6 in lower
 * case; `undefined` for anything else (host names, ports, brackets, scope ids, the unspecified
 * address). Endpoints are IP addresses because EDS clients (Envoy, proxyless gRPC) connect to
 * them without resolving anything.
 */
export function endpointAddress(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 45) return undefined;
  const family = isIP(value);
  if (family === 4) return value === '0.0.0.0' ? undefined : value;
  if (family !== 6 || value.includes('%')) return undefined;
  const lower = value.toLowerCase();
  const mapped = /^(?:::|(?:0{1,4}:){5})ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(lower)?.[1];
  if (mapped !== undefined && isIP(mapped) === 4) return endpointAddress(mapped);
  return /^[0:]+$/.test(lower) ? undefined : lower;
}

/**
 * The IP address of a gRPC peer as grpc-js reports it (`1.2.3.4:5678`, `[::1]:5678`; IPv4
 * clients of a dual-stack listener as `[::ffff:1.2.3.4]:5678`), without its port.
 */
export function peerAddress(peer: string): string | undefined {
  const bracketed = /^\[([^\]]+)\]:\d+$/.exec(peer);
  if (bracketed) return endpointAddress(bracketed[1]);
  const v4 = /^([^:]+):\d+$/.exec(peer);
  return v4 ? endpointAddress(v4[1]) : endpointAddress(peer);
}

/** A zone as a locality name: printable, at most 128 characters (longer or odd ones are left out). */
function zoneOf(node: XdsNode): string | undefined {
  const zone = node.locality?.zone;
  return typeof zone === 'string' && /^[\x21-\x7e]{1,128}$/.test(zone) ? zone : undefined;
}

/**
 * The endpoint a stream registers: virtual nodes only (a gateway is an entry point, not a target
 * of EDS). The address is `node.metadata.meshplane.address` when the proxy declares one (behind
 * NAT or a load balancer that hides the source address, the peer address is not the proxy's),
 * else the gRPC peer's address. `{ error }` when the declared address is not an IP address: the
 * stream is refused rather than registered somewhere nobody can reach. `{}` when there is nothing
 * to register (a gateway, or a peer that is not an IP socket).
 */
export function proxyEndpoint(
  kind: ProxyKind,
  node: XdsNode,
  peer: string,
): { readonly endpoint?: ProxyEndpoint; readonly error?: string } {
  if (kind !== 'virtualNode') return {};
  const declared = (node.metadata['meshplane'] as { address?: unknown } | undefined)?.address;
  let address: string | undefined;
  if (declared !== undefined) {
    address = endpointAddress(declared);
    if (address === undefined)
      return {
        error: `node.metadata.meshplane.address ${ADDRESS_RULE}, got ${JSON.stringify(declared).slice(0, 100)}`,
      };
  } else {
    address = peerAddress(peer);
    if (address === undefined) return {};
  }
  const zone = zoneOf(node);
  return { endpoint: { address, ...(zone === undefined ? {} : { zone }) } };
}
