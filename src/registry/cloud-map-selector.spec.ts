import { describe, expect, it } from 'vitest';
import {
  cloudMapSelector,
  instanceAddress,
  matches,
  registryEndpoint,
  type SelectableInstance,
} from './cloud-map-selector.js';

const instance = (over: Partial<SelectableInstance> = {}): SelectableInstance => ({
  ipv4: '10.0.0.1',
  ipv6: 'fd00::1',
  port: null,
  zone: null,
  attributes: { stage: 'canary', team: 'shop' },
  health: 'HEALTHY',
  ...over,
});

describe('awsCloudMap selection (App Mesh semantics)', () => {
  it("takes the node's selector, with the mesh's IP preference when the node sets none", () => {
    const node = { serviceDiscovery: { awsCloudMap: { namespaceName: 'ns', serviceName: 'svc' } } };
    const mesh = { serviceDiscovery: { ipPreference: 'IPv6_ONLY' } };
    expect(cloudMapSelector(mesh, node)).toEqual({
      namespaceName: 'ns',
      serviceName: 'svc',
      attributes: [],
      ipPreference: 'IPv6_ONLY',
    });
    const own = {
      serviceDiscovery: { awsCloudMap: { namespaceName: 'ns', serviceName: 'svc', ipPreference: 'IPv4_ONLY' } },
    };
    expect(cloudMapSelector(mesh, own)?.ipPreference).toBe('IPv4_ONLY');
    expect(cloudMapSelector({}, { serviceDiscovery: { dns: { hostname: 'x' } } })).toBeUndefined();
    expect(cloudMapSelector(null, null)).toBeUndefined();
  });

  it('matches only instances that carry every attribute pair, exactly', () => {
    const sel = (attributes: { key: string; value: string }[]) => ({
      namespaceName: 'n',
      serviceName: 's',
      attributes,
    });
    expect(matches(sel([]), { any: 'thing' })).toBe(true);
    expect(matches(sel([{ key: 'stage', value: 'canary' }]), { stage: 'canary', x: 'y' })).toBe(true);
    expect(
      matches(
        sel([
          { key: 'stage', value: 'canary' },
          { key: 'team', value: 'a' },
        ]),
        { stage: 'canary' },
      ),
    ).toBe(false);
    expect(matches(sel([{ key: 'stage', value: 'canary' }]), { stage: 'Canary' })).toBe(false);
    expect(matches(sel([{ key: 'toString', value: 'x' }]), {})).toBe(false);
  });

  it('chooses the address family as the IP preference says', () => {
    const both = instance();
    const v4 = instance({ ipv6: null });
    const v6 = instance({ ipv4: null });
    expect(instanceAddress(both, undefined)).toBe('10.0.0.1');
    expect(instanceAddress(v6, undefined)).toBe('fd00::1');
    expect(instanceAddress(both, 'IPv4_PREFERRED')).toBe('10.0.0.1');
    expect(instanceAddress(v6, 'IPv4_PREFERRED')).toBe('fd00::1');
    expect(instanceAddress(both, 'IPv6_PREFERRED')).toBe('fd00::1');
    expect(instanceAddress(v4, 'IPv6_PREFERRED')).toBe('10.0.0.1');
    expect(instanceAddress(v6, 'IPv4_ONLY')).toBeUndefined();
    expect(instanceAddress(v4, 'IPv6_ONLY')).toBeUndefined();
  });

  it('builds the endpoint with port (0: the listener port), zone and health', () => {
    const sel = { namespaceName: 'n', serviceName: 's', attributes: [{ key: 'stage', value: 'canary' }] };
    expect(registryEndpoint(sel, instance({ port: 8080, zone: 'az1', health: 'UNHEALTHY' }))).toEqual({
      address: '10.0.0.1',
      port: 8080,
      zone: 'az1',
      health: 'UNHEALTHY',
    });
    expect(registryEndpoint(sel, instance())).toEqual({ address: '10.0.0.1', port: 0, health: 'HEALTHY' });
    expect(registryEndpoint(sel, instance({ attributes: {} }))).toBeUndefined();
  });
});
