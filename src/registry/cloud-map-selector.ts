/**
 * What a virtual node's `serviceDiscovery.awsCloudMap` selects in the registry, and how one
 * instance becomes an EDS endpoint, with App Mesh's semantics. Pure: the snapshot loader (full
 * compile) and the endpoints fast path both build endpoints through these functions, so both
 * produce the same bytes (ADR 0007's invariant, ADR 0021).
 */

export type IpPreference = 'IPv6_PREFERRED' | 'IPv4_PREFERRED' | 'IPv4_ONLY' | 'IPv6_ONLY';

export interface CloudMapSelector {
  readonly namespaceName: string;
  readonly serviceName: string;
  /** Every pair must be among the instance's attributes (App Mesh: "match all"). */
  readonly attributes: readonly { readonly key: string; readonly value: string }[];
  /** The node's preference, else the mesh's; undefined when neither sets one. */
  readonly ipPreference?: IpPreference;
}

/** The registry instance fields an endpoint is built from. */
export interface SelectableInstance {
  readonly ipv4: string | null;
  readonly ipv6: string | null;
  readonly port: number | null;
  readonly zone: string | null;
  readonly attributes: unknown;
  readonly health: 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN';
}

export interface RegistryEndpoint {
  readonly address: string;
  /** 0: the target listener's port (App Mesh uses it when the instance has no AWS_INSTANCE_PORT). */
  readonly port: number;
  readonly zone?: string;
  readonly health: 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN';
}

type Discovery = {
  awsCloudMap?: {
    namespaceName: string;
    serviceName: string;
    attributes?: { key: string; value: string }[];
    ipPreference?: IpPreference;
  };
};

/** The node's Cloud Map selector, or undefined when it discovers otherwise (DNS, nothing). */
export function cloudMapSelector(meshSpec: unknown, nodeSpec: unknown): CloudMapSelector | undefined {
  const cloudMap = (nodeSpec as { serviceDiscovery?: Discovery } | null)?.serviceDiscovery?.awsCloudMap;
  if (!cloudMap) return undefined;
  const meshPreference = (meshSpec as { serviceDiscovery?: { ipPreference?: IpPreference } } | null)?.serviceDiscovery
    ?.ipPreference;
  const ipPreference = cloudMap.ipPreference ?? meshPreference;
  return {
    namespaceName: cloudMap.namespaceName,
    serviceName: cloudMap.serviceName,
    attributes: cloudMap.attributes ?? [],
    ...(ipPreference === undefined ? {} : { ipPreference }),
  };
}

/** Whether the instance carries every attribute pair of the selector (exact, case-sensitive). */
export function matches(selector: CloudMapSelector, attributes: unknown): boolean {
  const map = (attributes ?? {}) as Record<string, unknown>;
  return selector.attributes.every((a) => Object.hasOwn(map, a.key) && map[a.key] === a.value);
}

/**
 * The address an instance is reached at under an IP preference: `*_ONLY` takes that family or
 * nothing; `IPv6_PREFERRED` takes IPv6 when the instance has one, else IPv4; `IPv4_PREFERRED`
 * and no preference take IPv4 first (App Mesh's Cloud Map discovery used AWS_INSTANCE_IPV4
 * before IP preferences existed; ADR 0021).
 */
export function instanceAddress(
  instance: SelectableInstance,
  preference: IpPreference | undefined,
): string | undefined {
  switch (preference) {
    case 'IPv4_ONLY':
      return instance.ipv4 ?? undefined;
    case 'IPv6_ONLY':
      return instance.ipv6 ?? undefined;
    case 'IPv6_PREFERRED':
      return instance.ipv6 ?? instance.ipv4 ?? undefined;
    default:
      return instance.ipv4 ?? instance.ipv6 ?? undefined;
  }
}

/** The endpoint of an instance the selector picked, or undefined when it has no address of the wanted family. */
export function registryEndpoint(
  selector: CloudMapSelector,
  instance: SelectableInstance,
): RegistryEndpoint | undefined {
  if (!matches(selector, instance.attributes)) return undefined;
  const address = instanceAddress(instance, selector.ipPreference);
  if (address === undefined) return undefined;
  return {
    address,
    port: instance.port ?? 0,
    ...(instance.zone ? { zone: instance.zone } : {}),
    health: instance.health,
  };
}

/** A selector's registry service, as a map key. */
export const serviceKey = (namespaceName: string, serviceName: string) => `${namespaceName}\u0000${serviceName}`;
