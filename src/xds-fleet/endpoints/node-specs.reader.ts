import { Injectable } from '@nestjs/common';
import { PrismaService } from '../../platform/prisma/prisma.service.js';
import type { EndpointMeshRef } from './endpoint-registry.js';
import type { EndpointNode } from './node-endpoints.js';

/**
 * The specs the endpoints fast path needs to rebuild some nodes' assignments without compiling:
 * the mesh's (its IP preference) and those nodes' (their Cloud Map selectors). Two indexed
 * queries of a few rows; the current specs, which the next compile reads too, so both agree.
 */
@Injectable()
export class NodeSpecsReader {
  constructor(private readonly prisma: PrismaService) {}

  /** A node the database no longer has reads with no spec: only its connected proxies count. */
  async read(mesh: EndpointMeshRef, names: readonly string[]): Promise<{ meshSpec: unknown; nodes: EndpointNode[] }> {
    const [row, nodes] = await Promise.all([
      this.prisma.mesh.findFirst({ where: { id: mesh.meshId, tenantId: mesh.tenantId }, select: { spec: true } }),
      this.prisma.meshResource.findMany({
        where: {
          tenantId: mesh.tenantId,
          meshId: mesh.meshId,
          kind: 'virtualNode',
          parentName: '',
          name: { in: [...names] },
        },
        select: { name: true, spec: true },
      }),
    ]);
    const specs = new Map(nodes.map((n) => [n.name, n.spec]));
    return { meshSpec: row?.spec ?? null, nodes: names.map((name) => ({ name, spec: specs.get(name) ?? null })) };
  }
}
