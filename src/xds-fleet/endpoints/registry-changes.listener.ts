import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import { PrismaService } from '../../platform/prisma/prisma.service.js';
import type { RegistryChangeListener } from '../../registry/registry-changes.js';
import { EndpointRegistry } from './endpoint-registry.js';
import { EndpointsQueue } from './endpoints-queue.js';

/**
 * How far back the repair looks beyond one sweep interval: a writer's transaction stamps its
 * service at its start (PostgreSQL's now()) and may commit up to its timeout (15 s) later.
 */
const REPAIR_MARGIN_S = 30;

/**
 * The registry's side of the EDS fast path (ADR 0021): a change of some services' instances
 * marks the virtual nodes that select them (`serviceDiscovery.awsCloudMap` naming the service's
 * namespace and name, in the same tenant) dirty in their meshes, then enqueues those meshes'
 * `endpoints` updates, which rebuild only those nodes' ClusterLoadAssignments.
 *
 * Level-triggered: every instance write also stamps its service's `updated_at` in its own
 * transaction, and the endpoints sweep calls `repair`, which treats every service stamped
 * within the last sweep interval (plus a margin) as changed again. A notification lost between
 * the writer's commit and Redis is applied by the next sweep; a repeated one finds nothing to
 * publish.
 */
@Injectable()
export class RegistryChanges implements RegistryChangeListener {
  private readonly repairWindowS: number;

  constructor(
    private readonly prisma: PrismaService,
    private readonly endpoints: EndpointRegistry,
    private readonly queue: EndpointsQueue,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.repairWindowS = Math.ceil(config.endpointsSweepIntervalMs / 1000) + REPAIR_MARGIN_S;
  }

  async servicesChanged(tenantId: string, serviceIds: readonly string[]): Promise<void> {
    if (serviceIds.length === 0) return;
    const nodes = await this.selectingNodes(tenantId, serviceIds);
    const byMesh = new Map<string, string[]>();
    for (const n of nodes) {
      const list = byMesh.get(n.meshId);
      if (list) list.push(n.name);
      else byMesh.set(n.meshId, [n.name]);
    }
    for (const [meshId, names] of byMesh) {
      await this.endpoints.markDirty({ tenantId, meshId }, names);
      await this.queue.enqueue(tenantId, meshId);
    }
  }

  /**
   * The virtual nodes of the tenant whose Cloud Map discovery names one of these services. The
   * expression index `mesh_resources_cloud_map_idx` answers it from the tenant and the two
   * names, whatever the number of nodes.
   */
  selectingNodes(tenantId: string, serviceIds: readonly string[]): Promise<{ meshId: string; name: string }[]> {
    return this.prisma.$queryRaw<{ meshId: string; name: string }[]>`
      SELECT r.mesh_id::text AS "meshId", r.name
      FROM registry_services s
      JOIN registry_namespaces n ON n.id = s.namespace_id AND n.tenant_id = s.tenant_id
      JOIN mesh_resources r
        ON r.tenant_id = s.tenant_id
       AND r.kind = 'virtualNode'
       AND (r.spec #> '{serviceDiscovery,awsCloudMap}') IS NOT NULL
       AND (r.spec #>> '{serviceDiscovery,awsCloudMap,namespaceName}') = n.name
       AND (r.spec #>> '{serviceDiscovery,awsCloudMap,serviceName}') = s.name
      WHERE s.tenant_id = ${tenantId}::uuid AND s.id = ANY(${[...serviceIds]}::uuid[])`;
  }

  /** The sweep's repair: every service changed recently is applied again. Returns how many. */
  async repair(): Promise<number> {
    const rows = await this.prisma.$queryRaw<{ tenantId: string; id: string }[]>`
      SELECT tenant_id::text AS "tenantId", id::text AS id FROM registry_services
      WHERE updated_at > now() - make_interval(secs => ${this.repairWindowS})`;
    const byTenant = new Map<string, string[]>();
    for (const r of rows) {
      const list = byTenant.get(r.tenantId);
      if (list) list.push(r.id);
      else byTenant.set(r.tenantId, [r.id]);
    }
    for (const [tenantId, ids] of byTenant) await this.servicesChanged(tenantId, ids);
    return rows.length;
  }
}
