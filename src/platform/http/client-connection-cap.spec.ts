import { describe, expect, it } from 'vitest';
import { clientKey } from './client-connection-cap.js';

describe('clientKey', () => {
  it('counts an IPv4 address as itself, also when it arrives IPv4-mapped', () => {
    expect(clientKey('192.0.2.7')).toBe('192.0.2.7');
    expect(clientKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
  });

  it('counts IPv6 addresses per /64', () => {
    expect(clientKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8:1:3::1')).toBe('2001:db8:1:3::/64');
    expect(clientKey('::1')).toBe('::/64');
  });

  it('keeps an address it cannot parse as it is', () => {
    expect(clientKey('not-an-address')).toBe('not-an-address');
  });
});
