import { Injectable } from '@nestjs/common';
import { PrismaService } from '../platform/prisma/prisma.service.js';
import {
  registryEndpoint,
  serviceKey,
  type CloudMapSelector,
  type RegistryEndpoint,
  type SelectableInstance,
} from './cloud-map-selector.js';

type Row = SelectableInstance & { readonly namespaceName: string; readonly serviceName: string };

/**
 * The registry as the xDS fleet reads it: the endpoints each Cloud Map selector picks, for one
 * tenant. One query for all the selectors' services (a tenant's own rows only: two tenants with
 * the same namespace and service names never see each other's instances).
 */
@Injectable()
export class RegistryEndpointsReader {
  constructor(private readonly prisma: PrismaService) {}

  /** Endpoints by the selectors' keys (nodes), each list sorted by address and port. */
  async read(
    tenantId: string,
    selectors: ReadonlyMap<string, CloudMapSelector>,
  ): Promise<Record<string, RegistryEndpoint[]>> {
    if (selectors.size === 0) return {};
    const services = new Map<string, { namespaceName: string; serviceName: string }>();
    for (const s of selectors.values()) services.set(serviceKey(s.namespaceName, s.serviceName), s);
    const wanted = [...services.values()];
    // One statement for every selected service: (namespace, service) pairs as two arrays.
    const rows = await this.prisma.$queryRaw<Row[]>`
      SELECT n.name AS "namespaceName", s.name AS "serviceName",
             i.ipv4, i.ipv6, i.port, i.zone, i.attributes, i.health::text AS health
      FROM registry_instances i
      JOIN registry_services s ON s.id = i.service_id AND s.tenant_id = i.tenant_id
      JOIN registry_namespaces n ON n.id = s.namespace_id AND n.tenant_id = i.tenant_id
      JOIN unnest(${wanted.map((w) => w.namespaceName)}::text[], ${wanted.map((w) => w.serviceName)}::text[])
        AS w(namespace_name, service_name)
        ON w.namespace_name = n.name AND w.service_name = s.name
      WHERE i.tenant_id = ${tenantId}::uuid`;
    const byService = new Map<string, Row[]>();
    for (const row of rows) {
      const key = serviceKey(row.namespaceName, row.serviceName);
      const list = byService.get(key);
      if (list) list.push(row);
      else byService.set(key, [row]);
    }
    const out: Record<string, RegistryEndpoint[]> = {};
    for (const [node, selector] of selectors) {
      const instances = byService.get(serviceKey(selector.namespaceName, selector.serviceName)) ?? [];
      out[node] = instances.flatMap((i) => registryEndpoint(selector, i) ?? []);
    }
    return out;
  }
}
