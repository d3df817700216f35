import type { RegistryInstance, RegistryNamespace, RegistryService } from '../generated/prisma/client.js';

/** What the registry's transports show of a namespace, a service and an instance (transport-free). */
export interface NamespaceView {
  readonly name: string;
  readonly description: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface ServiceView {
  readonly namespaceName: string;
  readonly name: string;
  readonly description: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/**
 * `source`: `api` (registered through the API), `ec2` (kept by an EC2 sync source: read-only
 * here), `proxy` (a connected proxy of a virtual node that selects the service: read-only, it
 * lives as long as its stream, ADR 0007).
 */
export interface InstanceView {
  readonly instanceId: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly healthStatus: 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN';
  readonly source: 'api' | 'ec2' | 'proxy';
  readonly ipv4: string | null;
  readonly ipv6: string | null;
  readonly port: number | null;
  readonly zone: string | null;
  readonly updatedAt: Date | null;
}

export interface Page<T> {
  readonly items: T[];
  readonly nextToken?: string;
}

export const namespaceView = (n: RegistryNamespace): NamespaceView => ({
  name: n.name,
  description: n.description,
  createdAt: n.createdAt,
  updatedAt: n.updatedAt,
});

export const serviceView = (namespaceName: string, s: RegistryService): ServiceView => ({
  namespaceName,
  name: s.name,
  description: s.description,
  createdAt: s.createdAt,
  updatedAt: s.updatedAt,
});

export const instanceView = (i: RegistryInstance): InstanceView => ({
  instanceId: i.instanceId,
  attributes: i.attributes as Record<string, string>,
  healthStatus: i.health,
  source: i.source,
  ipv4: i.ipv4,
  ipv6: i.ipv6,
  port: i.port,
  zone: i.zone,
  updatedAt: i.updatedAt,
});
