import { Injectable } from '@nestjs/common';
import { PrismaService } from '../platform/prisma/prisma.service.js';
import { registryEndpoint, serviceKey, type CloudMapSelector, type RegistryEndpoint } from './cloud-map-selector.js';

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
    const rows = await this.prisma.registryInstance.findMany({
      where: {
        tenantId,
        service: {
          tenantId,
          OR: [...services.values()].map((s) => ({ name: s.serviceName, namespace: { name: s.namespaceName } })),
        },
      },
      select: {
        ipv4: true,
        ipv6: true,
        port: true,
        zone: true,
        attributes: true,
        health: true,
        service: { select: { name: true, namespace: { select: { name: true } } } },
      },
    });
    const byService = new Map<string, typeof rows>();
    for (const row of rows) {
      const key = serviceKey(row.service.namespace.name, row.service.name);
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
