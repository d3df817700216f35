import type { TenantScope } from '../../common/tenancy/tenant-scope.js';
import { Prisma, type Mesh, type MeshResource, type ResourceKind } from '../../generated/prisma/client.js';
import type { ReferenceTo } from './kind-rules.js';

/** A Prisma client or an open transaction: the store works the same on both. */
export type Db = Prisma.TransactionClient;

export type ChangeOp = 'create' | 'update' | 'delete';

/** Identifies a resource inside a mesh. `parentName` is '' for kinds without a parent. */
export interface ResourceKey {
  readonly kind: ResourceKind;
  readonly parentName: string;
  readonly name: string;
}

/**
 * All queries of meshes and their resources for ONE tenant. It is constructed with the tenant's
 * scope, so no method can reach another tenant's rows: every statement filters on tenant_id,
 * including those that also name a mesh id.
 */
export class MeshStore {
  private readonly changed = new Set<string>();

  constructor(
    private readonly db: Db,
    readonly scope: TenantScope,
  ) {}

  /**
   * Ids of the meshes whose generation this store moved (created, or bumped by a change). Once
   * the transaction has committed, these are the meshes to reconcile.
   */
  get changedMeshIds(): readonly string[] {
    return [...this.changed];
  }

  // --- meshes -------------------------------------------------------------------------------

  findMesh(name: string): Promise<Mesh | null> {
    return this.db.mesh.findUnique({ where: { tenantId_name: { tenantId: this.scope.tenantId, name } } });
  }

  /**
   * Bumps the mesh's generation and returns the mesh, holding its row lock until the transaction
   * ends: writes inside one mesh are serialised, so quotas, references and generations stay exact.
   */
  async lockMeshForChange(name: string): Promise<Mesh | null> {
    try {
      const mesh = await this.db.mesh.update({
        where: { tenantId_name: { tenantId: this.scope.tenantId, name } },
        data: { generation: { increment: 1 } },
      });
      this.changed.add(mesh.id);
      return mesh;
    } catch (err) {
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2025') return null;
      throw err;
    }
  }

  /** Locks the tenant row (serialising mesh creation against the mesh quota) and returns its plan. */
  async lockTenantPlan(): Promise<string> {
    const rows = await this.db.$queryRaw<{ plan: string }[]>`
      SELECT plan FROM tenants WHERE id = ${this.scope.tenantId}::uuid FOR UPDATE`;
    const plan = rows[0]?.plan;
    if (plan === undefined) throw new Error(`tenant ${this.scope.accountId} vanished during a request`);
    return plan;
  }

  countMeshes(): Promise<number> {
    return this.db.mesh.count({ where: { tenantId: this.scope.tenantId } });
  }

  /** Inserts a mesh, or reports that the name is taken. */
  async insertMesh(data: {
    name: string;
    spec: Prisma.InputJsonValue;
    tags: Prisma.InputJsonValue;
  }): Promise<Mesh | 'exists'> {
    try {
      const mesh = await this.db.mesh.create({ data: { ...data, tenantId: this.scope.tenantId } });
      this.changed.add(mesh.id);
      return mesh;
    } catch (err) {
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') return 'exists';
      throw err;
    }
  }

  updateMeshSpec(mesh: Mesh, spec: Prisma.InputJsonValue): Promise<Mesh> {
    return this.db.mesh.update({
      where: { id: mesh.id, tenantId: this.scope.tenantId },
      data: { spec, version: { increment: 1 }, updatedAt: new Date() },
    });
  }

  async deleteMesh(mesh: Mesh): Promise<void> {
    await this.db.mesh.delete({ where: { id: mesh.id, tenantId: this.scope.tenantId } });
  }

  setMeshTags(mesh: Mesh, tags: Prisma.InputJsonValue): Promise<Mesh> {
    return this.db.mesh.update({ where: { id: mesh.id, tenantId: this.scope.tenantId }, data: { tags } });
  }

  /** Keyset pagination by name: stable while meshes are added or removed. */
  listMeshes(limit: number, afterName: string | undefined): Promise<Mesh[]> {
    return this.db.mesh.findMany({
      where: { tenantId: this.scope.tenantId, ...(afterName === undefined ? {} : { name: { gt: afterName } }) },
      orderBy: { name: 'asc' },
      take: limit,
    });
  }

  async recordChange(
    mesh: Mesh,
    key: { kind: string; parentName: string; name: string },
    operation: ChangeOp,
  ): Promise<void> {
    await this.db.meshChange.create({
      data: {
        meshId: mesh.id,
        generation: mesh.generation,
        kind: key.kind,
        parentName: key.parentName,
        name: key.name,
        operation,
      },
    });
  }

  // --- resources inside a mesh ------------------------------------------------------------------

  findResource(meshId: string, key: ResourceKey): Promise<MeshResource | null> {
    return this.db.meshResource.findUnique({
      where: {
        meshId_kind_parentName_name: { meshId, kind: key.kind, parentName: key.parentName, name: key.name },
        tenantId: this.scope.tenantId,
      },
    });
  }

  countResources(meshId: string, kind?: ResourceKind, parentName?: string): Promise<number> {
    return this.db.meshResource.count({
      where: {
        tenantId: this.scope.tenantId,
        meshId,
        ...(kind ? { kind } : {}),
        ...(parentName === undefined ? {} : { parentName }),
      },
    });
  }

  /** Which of the named resources (of kinds without a parent) exist in the mesh. */
  async existing(meshId: string, refs: readonly ReferenceTo[]): Promise<Set<string>> {
    if (refs.length === 0) return new Set();
    const rows = await this.db.meshResource.findMany({
      where: {
        tenantId: this.scope.tenantId,
        meshId,
        parentName: '',
        OR: refs.map((r) => ({ kind: r.kind, name: r.name })),
      },
      select: { kind: true, name: true },
    });
    return new Set(rows.map((r) => `${r.kind}/${r.name}`));
  }

  async insertResource(
    meshId: string,
    key: ResourceKey,
    data: { spec: Prisma.InputJsonValue; tags: Prisma.InputJsonValue },
  ): Promise<MeshResource | 'exists'> {
    try {
      return await this.db.meshResource.create({ data: { ...key, ...data, meshId, tenantId: this.scope.tenantId } });
    } catch (err) {
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') return 'exists';
      throw err;
    }
  }

  updateResourceSpec(resource: MeshResource, spec: Prisma.InputJsonValue): Promise<MeshResource> {
    return this.db.meshResource.update({
      where: { id: resource.id, tenantId: this.scope.tenantId },
      data: { spec, version: { increment: 1 }, updatedAt: new Date() },
    });
  }

  setResourceTags(resource: MeshResource, tags: Prisma.InputJsonValue): Promise<MeshResource> {
    return this.db.meshResource.update({ where: { id: resource.id, tenantId: this.scope.tenantId }, data: { tags } });
  }

  async deleteResource(resource: MeshResource): Promise<void> {
    await this.db.meshResource.delete({ where: { id: resource.id, tenantId: this.scope.tenantId } });
  }

  /**
   * Replaces what a resource's spec references (the resource row belongs to this tenant). A
   * resource created in this transaction has none yet, so `created` skips the delete.
   */
  async replaceReferences(resource: MeshResource, refs: readonly ReferenceTo[], created = false): Promise<void> {
    if (!created) {
      await this.db.resourceReference.deleteMany({
        where: { fromId: resource.id, from: { tenantId: this.scope.tenantId } },
      });
    }
    const unique = new Map(refs.map((r) => [`${r.kind}/${r.name}`, r]));
    if (unique.size === 0) return;
    await this.db.resourceReference.createMany({
      data: [...unique.values()].map((r) => ({
        fromId: resource.id,
        meshId: resource.meshId,
        toKind: r.kind,
        toName: r.name,
      })),
    });
  }

  /** The resources whose specs reference the given one. */
  async referrers(meshId: string, key: ResourceKey): Promise<ResourceKey[]> {
    const rows = await this.db.resourceReference.findMany({
      where: { meshId, toKind: key.kind, toName: key.name, from: { tenantId: this.scope.tenantId } },
      select: { from: { select: { kind: true, parentName: true, name: true } } },
      orderBy: { fromId: 'asc' },
      take: 5,
    });
    return rows.map((r) => r.from);
  }

  listResources(
    meshId: string,
    kind: ResourceKind,
    parentName: string,
    limit: number,
    afterName: string | undefined,
  ): Promise<MeshResource[]> {
    return this.db.meshResource.findMany({
      where: {
        tenantId: this.scope.tenantId,
        meshId,
        kind,
        parentName,
        ...(afterName === undefined ? {} : { name: { gt: afterName } }),
      },
      orderBy: { name: 'asc' },
      take: limit,
    });
  }

  /** Every resource of a mesh, in a stable order (for compiling the mesh as one snapshot). */
  allResources(meshId: string): Promise<MeshResource[]> {
    return this.db.meshResource.findMany({
      where: { tenantId: this.scope.tenantId, meshId },
      orderBy: [{ kind: 'asc' }, { parentName: 'asc' }, { name: 'asc' }],
    });
  }

  // --- clientToken idempotency ----------------------------------------------------------------

  findIdempotency(operation: string, clientToken: string) {
    return this.db.idempotencyRecord.findUnique({
      where: { tenantId_operation_clientToken: { tenantId: this.scope.tenantId, operation, clientToken } },
    });
  }

  async insertIdempotency(
    operation: string,
    clientToken: string,
    requestHash: string,
    response: Prisma.InputJsonValue,
  ): Promise<void> {
    await this.db.idempotencyRecord.create({
      data: { tenantId: this.scope.tenantId, operation, clientToken, requestHash, response },
    });
  }
}
