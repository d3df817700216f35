import { describe, expect, it } from 'vitest';
import type { XdsNode } from '../encoding/wire.js';
import { endpointAddress, peerAddress, proxyEndpoint } from './proxy-endpoint.js';

const node = (metadata: Record<string, unknown> = {}, zone?: string): XdsNode => ({
  id: 'mesh/m/virtualNode/b',
  cluster: 'b',
  metadata,
  ...(zone === undefined ? {} : { locality: { zone } }),
  userAgentName: 'envoy',
  userAgentVersion: '1.36.0',
});

describe('proxy endpoints', () => {
  it('accepts IP literals only, in a canonical form', () => {
    expect(endpointAddress('10.1.2.3')).toBe('10.1.2.3');
    expect(endpointAddress('FD00::1')).toBe('fd00::1');
    expect(endpointAddress('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(endpointAddress('0:0:0:0:0:ffff:10.1.2.3')).toBe('10.1.2.3');
    for (const bad of [
      'api.local',
      '10.1.2.3:80',
      '[::1]',
      'fe80::1%eth0',
      '0.0.0.0',
      '::',
      '',
      ' 10.1.2.3',
      7,
      null,
    ]) {
      expect(endpointAddress(bad), String(bad)).toBeUndefined();
    }
  });

  it('reads the address of a gRPC peer without its port', () => {
    expect(peerAddress('127.0.0.1:51234')).toBe('127.0.0.1');
    expect(peerAddress('[::1]:51234')).toBe('::1');
    expect(peerAddress('[::ffff:192.168.1.9]:443')).toBe('192.168.1.9');
    expect(peerAddress('unknown')).toBeUndefined();
    expect(peerAddress('/run/xds.sock')).toBeUndefined();
  });

  it('registers the declared address, else the peer, with the zone', () => {
    expect(
      proxyEndpoint('virtualNode', node({ meshplane: { address: '10.0.0.5' } }, 'us-east-1a'), '127.0.0.1:1'),
    ).toEqual({ endpoint: { address: '10.0.0.5', zone: 'us-east-1a' } });
    expect(proxyEndpoint('virtualNode', node(), '[::ffff:10.0.0.6]:1')).toEqual({ endpoint: { address: '10.0.0.6' } });
    expect(proxyEndpoint('virtualNode', node({}, 'bad zone'), '10.0.0.6:1')).toEqual({
      endpoint: { address: '10.0.0.6' },
    });
  });

  it('registers nothing for a gateway or a peer without an IP, and refuses a declared address that is not one', () => {
    expect(proxyEndpoint('virtualGateway', node({ meshplane: { address: '10.0.0.5' } }), '10.0.0.6:1')).toEqual({});
    expect(proxyEndpoint('virtualNode', node(), 'unknown')).toEqual({});
    const refused = proxyEndpoint('virtualNode', node({ meshplane: { address: 'api.internal' } }), '10.0.0.6:1');
    expect(refused.endpoint).toBeUndefined();
    expect(refused.error).toMatch(
      /^node\.metadata\.meshplane\.address must be an IPv4 or IPv6 address.*"api\.internal"/,
    );
  });
});
