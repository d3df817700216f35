import type { Instance } from '@aws-sdk/client-ec2';

/** What one running EC2 instance becomes in the registry. */
export interface DesiredInstance {
  readonly instanceId: string;
  readonly ipv4: string | null;
  readonly ipv6: string | null;
  readonly port: number;
  readonly zone: string | null;
  /** Cloud Map's attribute map: AWS_* attributes the sync sets, then the chosen tags. */
  readonly attributes: Readonly<Record<string, string>>;
}

export interface MappedInventory {
  /** By EC2 instance id (the registry's InstanceId). */
  readonly instances: ReadonlyMap<string, DesiredInstance>;
  /** Running instances without a private address: Envoy could not reach them. */
  readonly withoutAddress: readonly string[];
}

/**
 * EC2 instances → registry instances, with the attributes Cloud Map gives instances it registers
 * (AWS_INSTANCE_IPV4, AWS_INSTANCE_IPV6, AWS_INSTANCE_PORT, AWS_INSTANCE_AVAILABILITY_ZONE,
 * AWS_EC2_INSTANCE_ID), then the tags named in `attributeTags` that the instance carries, under
 * their tag key. Instances not `running` are left out whatever DescribeInstances' filter did;
 * the same id seen twice (pages shifting under a paginated walk) keeps its last description.
 */
export function mapInstances(
  found: Iterable<Instance>,
  options: { readonly port: number; readonly attributeTags: readonly string[] },
): MappedInventory {
  const instances = new Map<string, DesiredInstance>();
  const withoutAddress: string[] = [];
  for (const instance of found) {
    const instanceId = instance.InstanceId;
    if (!instanceId || instance.State?.Name !== 'running') continue;
    const ipv4 = instance.PrivateIpAddress || null;
    const ipv6 = instance.Ipv6Address || firstInterfaceIpv6(instance) || null;
    if (ipv4 === null && ipv6 === null) {
      withoutAddress.push(instanceId);
      continue;
    }
    const zone = instance.Placement?.AvailabilityZone || null;
    const attributes: Record<string, string> = {};
    if (ipv4 !== null) attributes['AWS_INSTANCE_IPV4'] = ipv4;
    if (ipv6 !== null) attributes['AWS_INSTANCE_IPV6'] = ipv6;
    attributes['AWS_INSTANCE_PORT'] = String(options.port);
    if (zone !== null) attributes['AWS_INSTANCE_AVAILABILITY_ZONE'] = zone;
    attributes['AWS_EC2_INSTANCE_ID'] = instanceId;
    for (const key of options.attributeTags) {
      const tag = instance.Tags?.find((t) => t.Key === key);
      if (tag !== undefined) attributes[key] = tag.Value ?? '';
    }
    instances.set(instanceId, { instanceId, ipv4, ipv6, port: options.port, zone, attributes });
  }
  return { instances, withoutAddress };
}

function firstInterfaceIpv6(instance: Instance): string | undefined {
  for (const nic of instance.NetworkInterfaces ?? []) {
    for (const address of nic.Ipv6Addresses ?? []) if (address.Ipv6Address) return address.Ipv6Address;
  }
  return undefined;
}
