import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import { PrismaService } from '../../platform/prisma/prisma.service.js';
import { RedisService } from '../../platform/redis/redis.service.js';
import type { RegistryChangeListener } from '../../registry/registry-changes.js';
import { EndpointRegistry } from './endpoint-registry.js';
import { EndpointsQueue } from './endpoints-queue.js';

/**
 * How long after a service's stamp the repair looks at it: a writer's transaction stamps its
 * service at its start (PostgreSQL's now()) and may commit up to its timeout (15 s) later, and
 * a stamp must be visible when the repair's window passes over it.
 */
const REPAIR_DELAY_S = 30;

/**
 * The registry's side of the EDS fast path (ADR 0021): a change of some services' instances
 * marks the virtual nodes that select them (`serviceDiscovery.awsCloudMap` naming the service's
 * namespace and name, in the same tenant) dirty in their meshes, then enqueues those meshes'
 * `endpoints` updates, which rebuild only those nodes' ClusterLoadAssignments.
 *
 * Level-triggered: every instance write also stamps its service's `updated_at` in its own
 * transaction, and the endpoints sweep calls `repair`, which applies again every service stamped
 * between the previous repair's upper bound and REPAIR_DELAY_S ago (a watermark in Redis, on
 * PostgreSQL's clock): each change is applied a second time, once, about half a minute later. A
 * notification lost between the writer's commit and Redis is so applied late rather than never;
 * a repeated one finds nothing to publish. A watermark lost with Redis restarts at one sweep
 * interval back.
 */
@Injectable()
export class RegistryChanges implements RegistryChangeListener {
  private readonly intervalS: number;
  private readonly watermarkKey: string;

  constructor(
    private readonly prisma: PrismaService,
    private readonly endpoints: EndpointRegistry,
    private readonly queue: EndpointsQueue,
    private readonly redis: RedisService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.intervalS = Math.ceil(config.endpointsSweepIntervalMs / 1000);
    this.watermarkKey = `${redis.namespace}:registry:repaired-until`;
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
  selectingNodes(
    tenantId: string,
    serviceIds: readonly string[],
  ): Promise<{ meshId: string; meshName: string; name: string }[]> {
    return this.prisma.$queryRaw<{ meshId: string; meshName: string; name: string }[]>`
      SELECT r.mesh_id::text AS "meshId", m.name AS "meshName", r.name
      FROM registry_services s
      JOIN registry_namespaces n ON n.id = s.namespace_id AND n.tenant_id = s.tenant_id
      JOIN mesh_resources r
        ON r.tenant_id = s.tenant_id
       AND r.kind = 'virtualNode'
       AND (r.spec #> '{serviceDiscovery,awsCloudMap}') IS NOT NULL
       AND (r.spec #>> '{serviceDiscovery,awsCloudMap,namespaceName}') = n.name
       AND (r.spec #>> '{serviceDiscovery,awsCloudMap,serviceName}') = s.name
      JOIN meshes m ON m.id = r.mesh_id AND m.tenant_id = s.tenant_id
      WHERE s.tenant_id = ${tenantId}::uuid AND s.id = ANY(${[...serviceIds]}::uuid[])`;
  }

  /**
   * The sweep's repair: applies again the services stamped since the last repair (up to
   * REPAIR_DELAY_S ago). Returns how many. `delayS` is for tests, which cannot wait half a minute.
   */
  async repair(delayS = REPAIR_DELAY_S): Promise<number> {
    const since = await this.redis.client.get(this.watermarkKey);
    const rows = await this.prisma.$queryRaw<{ tenantId: string | null; id: string | null; upper: Date }[]>`
      WITH bounds AS (
        SELECT now() - make_interval(secs => ${delayS}) AS upper,
               COALESCE(${since}::timestamptz, now() - make_interval(secs => ${delayS + this.intervalS})) AS lower
      )
      SELECT s.tenant_id::text AS "tenantId", s.id::text AS id, b.upper
      FROM bounds b LEFT JOIN registry_services s ON s.updated_at > b.lower AND s.updated_at <= b.upper`;
    const byTenant = new Map<string, string[]>();
    for (const r of rows) {
      if (r.tenantId === null || r.id === null) continue;
      const list = byTenant.get(r.tenantId);
      if (list) list.push(r.id);
      else byTenant.set(r.tenantId, [r.id]);
    }
    for (const [tenantId, ids] of byTenant) await this.servicesChanged(tenantId, ids);
    const upper = rows[0]?.upper;
    if (upper) await this.redis.client.set(this.watermarkKey, upper.toISOString());
    return rows.filter((r) => r.id !== null).length;
  }
}
