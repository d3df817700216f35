import type { Instance } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { mapInstances } from './ec2-instance-map.js';

const running = (over: Partial<Instance>): Instance => ({
  InstanceId: 'i-1',
  State: { Name: 'running' },
  PrivateIpAddress: '10.0.0.1',
  Placement: { AvailabilityZone: 'eu-west-1b' },
  ...over,
});

describe('mapInstances', () => {
  it('gives each instance the attributes Cloud Map would, then the chosen tags it carries', () => {
    const { instances, withoutAddress } = mapInstances(
      [
        running({
          Tags: [
            { Key: 'team', Value: 'a' },
            { Key: 'cost', Value: 'x' },
          ],
        }),
      ],
      { port: 8443, attributeTags: ['team', 'missing'] },
    );
    expect(withoutAddress).toEqual([]);
    expect(instances.get('i-1')).toEqual({
      instanceId: 'i-1',
      ipv4: '10.0.0.1',
      ipv6: null,
      port: 8443,
      zone: 'eu-west-1b',
      attributes: {
        AWS_INSTANCE_IPV4: '10.0.0.1',
        AWS_INSTANCE_PORT: '8443',
        AWS_INSTANCE_AVAILABILITY_ZONE: 'eu-west-1b',
        AWS_EC2_INSTANCE_ID: 'i-1',
        team: 'a',
      },
    });
  });

  it('takes IPv6 from the instance or its first interface, and skips instances without any private address', () => {
    const { instances, withoutAddress } = mapInstances(
      [
        running({ InstanceId: 'i-v6', PrivateIpAddress: undefined, Ipv6Address: '2001:db8::1' }),
        running({
          InstanceId: 'i-nic',
          NetworkInterfaces: [{ Ipv6Addresses: [] }, { Ipv6Addresses: [{ Ipv6Address: '2001:db8::2' }] }],
        }),
        running({ InstanceId: 'i-none', PrivateIpAddress: undefined }),
      ],
      { port: 80, attributeTags: [] },
    );
    expect(instances.get('i-v6')).toMatchObject({ ipv4: null, ipv6: '2001:db8::1' });
    expect(instances.get('i-v6')?.attributes).not.toHaveProperty('AWS_INSTANCE_IPV4');
    expect(instances.get('i-nic')).toMatchObject({ ipv4: '10.0.0.1', ipv6: '2001:db8::2' });
    expect(instances.get('i-nic')?.attributes['AWS_INSTANCE_IPV6']).toBe('2001:db8::2');
    expect(withoutAddress).toEqual(['i-none']);
  });

  it('leaves out instances that are not running, and keeps the last description of an id seen twice', () => {
    const { instances } = mapInstances(
      [
        running({ InstanceId: 'i-stopping', State: { Name: 'stopping' } }),
        running({ InstanceId: 'i-2', PrivateIpAddress: '10.0.0.2' }),
        running({ InstanceId: 'i-2', PrivateIpAddress: '10.0.0.3' }),
      ],
      { port: 80, attributeTags: [] },
    );
    expect([...instances.keys()]).toEqual(['i-2']);
    expect(instances.get('i-2')?.ipv4).toBe('10.0.0.3');
  });
});
