import { randomUUID } from 'node:crypto';
import { ASCII_LOWER, ASCII_UPPER, hostNameKey } from '../../common/ids/host-name.js';
import type { TenantScope } from '../../common/tenancy/tenant-scope.js';
import { Prisma, type Mesh, type MeshResource, type ResourceKind } from '../../generated/prisma/client.js';
import type { SqlRunner } from '../../platform/prisma/sql-runner.js';
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
 * Row locks a write takes before its mesh's lock (docs/adr/0008-mesh-write-locking.md): `share`
 * keeps a row from being changed or deleted until the transaction ends, `keyShare` only from being
 * deleted, `noKeyUpdate` is what an UPDATE of the row takes, `update` what a DELETE takes; `none`
 * reads the row without locking it.
 */
export type RowLock = 'share' | 'keyShare' | 'noKeyUpdate' | 'update' | 'none';

/**
 * What a write locks in one statement, in this order: parent, references (sorted), the resource,
 * and last the mesh's row (`mesh`: a create, which counts against the quotas under it).
 */
export interface RowsToLock {
  readonly parent?: { readonly key: ResourceKey; readonly lock: RowLock };
  readonly references?: readonly ReferenceTo[];
  readonly self?: { readonly key: ResourceKey; readonly lock: RowLock };
  readonly mesh?: boolean;
}

/** The bounds a staged insert must stay within (`stageInsert`). */
export interface InsertLimits {
  /** At most this many resources of the kind in the mesh (under `countParent`, when given). */
  readonly max: number;
  readonly countParent?: string;
  /** The kind's names are host names: none may equal another but for letter case. */
  readonly hostNames: boolean;
}

/** Why a staged insert wrote nothing: the quota is full, another name is the same host, or the name exists. */
export type InsertRefusal =
  | { readonly reason: 'limit'; readonly count: number }
  | { readonly reason: 'sameHost'; readonly name: string }
  | { readonly reason: 'exists' };

/**
 * Filters of a listing (the GraphQL API's; App Mesh's lists have none): names starting with
 * `namePrefix` (literally), and resources carrying the tag `key` (with `value`, when given).
 */
export interface ListFilter {
  readonly namePrefix?: string;
  readonly tag?: { readonly key: string; readonly value?: string };
}

/**
 * The JSON a tag filter is matched with, `tags @> '[{"key": ..., "value": ...}]'`: an operator the
 * GIN index on `tags` answers (when the tag is selective enough for the planner to prefer it), and
 * a JSON value, so nothing in a key or value needs escaping.
 */
function tagContainment(tag: ListFilter['tag']): { key: string; value?: string }[] | null {
  return tag === undefined ? null : [tag.value === undefined ? { key: tag.key } : { key: tag.key, value: tag.value }];
}

/** `text` with LIKE's wildcards `%` and `_` and its escape character `\\` escaped (PostgreSQL's default ESCAPE). */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, '\\$&');
}

function json(value: unknown): string | null {
  return value === null ? null : JSON.stringify(value);
}

/** A mesh as the writes to its resources need it. */
export interface MeshRef {
  readonly id: string;
  readonly name: string;
}

/** The rows `lockRows` found (and locked); a missing one does not exist. */
export interface LockedRows {
  /** The mesh (read, not locked). Without it nothing else is found. */
  readonly mesh?: MeshRef;
  /** The mesh's row lock is held (asked for with `mesh`; false when the mesh was deleted meanwhile). */
  readonly meshLocked: boolean;
  readonly parent?: MeshResource;
  /** `kind/name` of each referenced resource that exists. */
  readonly referenced: ReadonlySet<string>;
  readonly self?: MeshResource;
}

const LOCKING: Record<RowLock, Prisma.Sql> = {
  share: Prisma.sql`FOR SHARE`,
  keyShare: Prisma.sql`FOR KEY SHARE`,
  noKeyUpdate: Prisma.sql`FOR NO KEY UPDATE`,
  update: Prisma.sql`FOR UPDATE`,
  none: Prisma.empty,
};

/** The columns of a mesh_resources row under MeshResource's names. */
const RESOURCE_COLUMNS = Prisma.sql`id, tenant_id AS "tenantId", mesh_id AS "meshId", kind, parent_name AS "parentName",
  name, spec, version, tags, created_at AS "createdAt", updated_at AS "updatedAt"`;

/** What `writeStaged` writes in the transaction's last statement. */
interface StagedWrites {
  insert?: {
    /** The row as it is inserted. */
    readonly row: MeshResource;
    readonly references: readonly ReferenceTo[];
    readonly limits: InsertLimits;
    readonly refused: (why: InsertRefusal) => Error;
  };
  change?: { readonly mesh: MeshRef; readonly key: ResourceKey; readonly operation: ChangeOp };
  specUpdate?: {
    readonly resource: MeshResource;
    readonly spec: Prisma.InputJsonValue;
    readonly references: readonly ReferenceTo[];
    readonly updatedAt: Date;
  };
  idempotency?: {
    readonly operation: string;
    readonly clientToken: string;
    readonly requestHash: string;
    readonly response: Prisma.InputJsonValue;
  };
}

/** References without repeats (a spec may name one node in several targets). */
function uniqueReferences(refs: readonly ReferenceTo[]): ReferenceTo[] {
  return [...new Map(refs.map((r) => [`${r.kind}/${r.name}`, r])).values()];
}

/** The references as rows (to_kind, to_name), for the statements that write resource_references. */
function wantedReferences(refs: readonly ReferenceTo[]): Prisma.Sql {
  return Prisma.sql`SELECT * FROM unnest(${refs.map((r) => r.kind)}::text[]::"ResourceKind"[],
    ${refs.map((r) => r.name)}::text[]) AS w(to_kind, to_name)`;
}

/**
 * PostgreSQL aborted the transaction to break a deadlock (40P01) or a serialization conflict
 * (40001): running it again from the start is safe. Prisma reports these as P2034 for model
 * queries and as P2010 carrying the driver's code for raw ones; the driver (`SqlRunner`) as the
 * error's SQLSTATE.
 */
export function isRetryableConflict(err: unknown): boolean {
  const sqlState = (err as { code?: unknown } | null)?.code;
  if (sqlState === '40P01' || sqlState === '40001') return true;
  if (!(err instanceof Prisma.PrismaClientKnownRequestError)) return false;
  if (err.code === 'P2034') return true;
  const cause = (err.meta as { driverAdapterError?: { cause?: { originalCode?: string; kind?: string } } } | undefined)
    ?.driverAdapterError?.cause;
  return (
    cause?.originalCode === '40P01' || cause?.originalCode === '40001' || cause?.kind === 'TransactionWriteConflict'
  );
}

/**
 * Thrown by `lockRows` when the clientToken record it was asked to read (`checkIdempotency`)
 * exists: the request was made before. Nothing has been written; the transaction rolls back and
 * the caller answers as the first request was answered.
 */
export class IdempotentReplay extends Error {
  constructor(readonly record: { readonly requestHash: string; readonly response: unknown }) {
    super('clientToken already used');
  }
}

/**
 * All queries of meshes and their resources for ONE tenant. It is constructed with the tenant's
 * scope, so no method can reach another tenant's rows: every statement filters on tenant_id,
 * including those that also name a mesh id.
 */
export class MeshStore {
  private readonly changed = new Set<string>();
  private staged: StagedWrites = {};
  private idempotencyCheck?: { readonly operation: string; readonly clientToken: string };

  /**
   * `sql` runs the store's hottest statements (`lockRows`, `writeStaged`): through the driver when
   * given (ADR 0029), else through Prisma's `$queryRaw` on `db`.
   */
  constructor(
    private readonly db: Db,
    readonly scope: TenantScope,
    sql?: SqlRunner,
  ) {
    this.sql = sql ?? (<T>(query: Prisma.Sql) => db.$queryRaw<T[]>(query));
  }

  private readonly sql: SqlRunner;

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
   * ends: the mesh-level changes (update, delete) are serialised with every other write to the mesh
   * for the whole transaction. Writes to resources take the lock late instead (`lockRows` with
   * `mesh`, `writeStaged`).
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

  /**
   * Records the change this transaction makes to a resource: `writeStaged` bumps the mesh's
   * generation and writes the change log in the transaction's last statement, so the mesh's row
   * lock (if not held yet) is held for that statement and the COMMIT only.
   */
  stageChange(mesh: MeshRef, key: ResourceKey, operation: ChangeOp): void {
    this.staged.change = { mesh, key, operation };
  }

  /**
   * Records a resource to create, with what its spec references; `writeStaged` inserts both if the
   * kind's quota (`limits`) allows and no resource has its name (or, for host names, the same
   * name but for letter case), and otherwise throws `refused`'s error. The caller holds the mesh's
   * lock (`lockRows` with `mesh`): under READ COMMITTED the statement's snapshot is taken after the
   * lock, so it counts every create of the mesh that committed before, and two creates cannot both
   * pass the quota or the host-name check. Returns the row as it will be.
   */
  stageInsert(
    mesh: MeshRef,
    key: ResourceKey,
    data: { spec: Prisma.InputJsonValue; tags: Prisma.InputJsonValue },
    references: readonly ReferenceTo[],
    limits: InsertLimits,
    refused: (why: InsertRefusal) => Error,
  ): MeshResource {
    const now = new Date();
    const row: MeshResource = {
      id: randomUUID(),
      tenantId: this.scope.tenantId,
      meshId: mesh.id,
      kind: key.kind,
      parentName: key.parentName,
      name: key.name,
      // As PostgreSQL will return them: JSON (members set to undefined dropped).
      spec: JSON.parse(JSON.stringify(data.spec)) as Prisma.JsonValue,
      version: 1,
      tags: JSON.parse(JSON.stringify(data.tags)) as Prisma.JsonValue,
      createdAt: now,
      updatedAt: now,
    };
    this.staged.insert = { row, references, limits, refused };
    return row;
  }

  /**
   * Records a new spec for a resource this transaction has locked (FOR NO KEY UPDATE, so its
   * version is known), with what the spec references; `writeStaged` writes both. Returns the row as
   * it will be.
   */
  stageSpecUpdate(
    resource: MeshResource,
    spec: Prisma.InputJsonValue,
    references: readonly ReferenceTo[],
  ): MeshResource {
    const updatedAt = new Date();
    this.staged.specUpdate = { resource, spec, references, updatedAt };
    // As PostgreSQL will return it: JSON (members set to undefined dropped).
    const stored = JSON.parse(JSON.stringify(spec)) as Prisma.JsonValue;
    return { ...resource, spec: stored, version: resource.version + 1, updatedAt };
  }

  /**
   * Has the next `lockRows` also read the clientToken record of `operation` and `clientToken`, in
   * the same statement, and throw IdempotentReplay with it if there is one.
   */
  checkIdempotency(operation: string, clientToken: string): void {
    this.idempotencyCheck = { operation, clientToken };
  }

  /** Records the clientToken record of this transaction's request; `writeStaged` writes it. */
  stageIdempotency(operation: string, clientToken: string, requestHash: string, response: Prisma.InputJsonValue): void {
    this.staged.idempotency = { operation, clientToken, requestHash, response };
  }

  /**
   * Writes what was staged in ONE statement, the transaction's last before COMMIT: the new resource
   * (within its limits) or the new spec, with their references; the mesh's generation bump (which
   * takes the mesh's row lock if not held yet, held until COMMIT, so generations follow commit
   * order); the change-log row at that generation (stamped with the clock, not the transaction's
   * start); and the clientToken record (after the mesh lock when there is a change: two requests
   * with one token then meet only under it). A refused insert writes nothing and throws its
   * error. Returns the new generation (null when the mesh is gone: the caller must roll back), or
   * undefined when no change was staged.
   */
  async writeStaged(): Promise<{ meshName: string; generation: bigint | null } | undefined> {
    const { insert, change, specUpdate, idempotency } = this.staged;
    this.staged = {};
    const tenantId = Prisma.sql`${this.scope.tenantId}::uuid`;
    const ctes: Prisma.Sql[] = [];
    const outcome: Prisma.Sql[] = [];
    if (insert) {
      const { row, limits } = insert;
      const kind = Prisma.sql`${row.kind}::"ResourceKind"`;
      const inKind = Prisma.sql`tenant_id = ${tenantId} AND mesh_id = ${row.meshId}::uuid AND kind = ${kind}`;
      const sameParent =
        limits.countParent === undefined ? Prisma.empty : Prisma.sql`AND parent_name = ${limits.countParent}`;
      const host = limits.hostNames
        ? Prisma.sql`SELECT name FROM mesh_resources
            WHERE ${inKind} AND parent_name = ${row.parentName}
              AND translate(name, ${ASCII_UPPER}, ${ASCII_LOWER}) = ${hostNameKey(row.name)} AND name <> ${row.name}
            ORDER BY name LIMIT 1`
        : Prisma.sql`SELECT NULL::varchar AS name WHERE false`;
      ctes.push(
        Prisma.sql`counted AS (SELECT count(*)::int AS n FROM mesh_resources WHERE ${inKind} ${sameParent})`,
        Prisma.sql`host AS (${host})`,
        Prisma.sql`inserted AS (
          INSERT INTO mesh_resources (id, tenant_id, mesh_id, kind, parent_name, name, spec, tags, created_at, updated_at)
          SELECT ${row.id}::uuid, ${tenantId}, ${row.meshId}::uuid, ${kind}, ${row.parentName}, ${row.name},
                 ${JSON.stringify(row.spec)}::jsonb, ${JSON.stringify(row.tags)}::jsonb,
                 ${row.createdAt.toISOString()}::timestamptz, ${row.updatedAt.toISOString()}::timestamptz
          WHERE (SELECT n FROM counted) < ${limits.max} AND NOT EXISTS (SELECT 1 FROM host)
          ON CONFLICT (mesh_id, kind, parent_name, name) DO NOTHING
          RETURNING id, mesh_id)`,
      );
      const refs = uniqueReferences(insert.references);
      if (refs.length > 0)
        ctes.push(
          Prisma.sql`linked AS (
            INSERT INTO resource_references (from_id, mesh_id, to_kind, to_name)
            SELECT i.id, i.mesh_id, w.to_kind, w.to_name FROM inserted i CROSS JOIN (${wantedReferences(refs)}) w)`,
        );
      outcome.push(
        Prisma.sql`(SELECT count(*) FROM inserted)::int AS inserted, (SELECT n FROM counted) AS count,
          (SELECT name FROM host) AS "sameHost"`,
      );
    }
    if (change) {
      const { mesh, key, operation } = change;
      ctes.push(
        Prisma.sql`bumped AS (
          UPDATE meshes SET generation = generation + 1 WHERE id = ${mesh.id}::uuid AND tenant_id = ${tenantId}
            ${insert ? Prisma.sql`AND EXISTS (SELECT 1 FROM inserted)` : Prisma.empty}
          RETURNING id, generation)`,
        Prisma.sql`logged AS (
          INSERT INTO mesh_changes (mesh_id, generation, kind, parent_name, name, operation, committed_at)
          SELECT id, generation, ${key.kind}, ${key.parentName}, ${key.name}, ${operation}::"ChangeOperation",
            clock_timestamp()
          FROM bumped RETURNING generation)`,
      );
      outcome.push(Prisma.sql`(SELECT generation FROM logged) AS generation`);
    }
    if (specUpdate) {
      const { resource, spec, updatedAt } = specUpdate;
      const wanted = wantedReferences(uniqueReferences(specUpdate.references));
      ctes.push(
        Prisma.sql`updated AS (
          UPDATE mesh_resources
          SET spec = ${JSON.stringify(spec)}::jsonb, version = version + 1,
            updated_at = ${updatedAt.toISOString()}::timestamptz
          WHERE id = ${resource.id}::uuid AND tenant_id = ${tenantId}
          RETURNING id, mesh_id)`,
        Prisma.sql`dropped AS (
          DELETE FROM resource_references r USING updated u
          WHERE r.from_id = u.id AND (r.to_kind, r.to_name) NOT IN (${wanted}))`,
        Prisma.sql`added AS (
          INSERT INTO resource_references (from_id, mesh_id, to_kind, to_name)
          SELECT u.id, u.mesh_id, w.to_kind, w.to_name FROM updated u CROSS JOIN (${wanted}) w
          ON CONFLICT (from_id, to_kind, to_name) DO NOTHING)`,
      );
      outcome.push(Prisma.sql`(SELECT count(*) FROM updated)::int AS updated`);
    }
    if (idempotency) {
      const { operation, clientToken, requestHash, response } = idempotency;
      ctes.push(
        Prisma.sql`remembered AS (
          INSERT INTO idempotency_records (tenant_id, operation, client_token, request_hash, response)
          SELECT ${tenantId}, ${operation}, ${clientToken}, ${requestHash}, ${JSON.stringify(response)}::jsonb
          ${change ? Prisma.sql`FROM bumped` : Prisma.empty})`,
      );
    }
    if (ctes.length === 0) return undefined;
    const [row] = await this.sql<{
      inserted?: number;
      count?: number;
      sameHost?: string | null;
      generation?: bigint | null;
      updated?: number;
    }>(
      Prisma.sql`WITH ${Prisma.join(ctes, ', ')} SELECT ${outcome.length > 0 ? Prisma.join(outcome, ', ') : Prisma.sql`1 AS one`}`,
    );
    if (insert && row?.inserted !== 1) {
      const count = row?.count ?? 0;
      throw insert.refused(
        count >= insert.limits.max
          ? { reason: 'limit', count }
          : row?.sameHost
            ? { reason: 'sameHost', name: row.sameHost }
            : { reason: 'exists' },
      );
    }
    if (specUpdate && row?.updated !== 1) throw new Error(`resource ${specUpdate.resource.id} vanished while locked`);
    if (!change) return undefined;
    const generation = row?.generation ?? null;
    if (generation !== null) this.changed.add(change.mesh.id);
    return { meshName: change.mesh.name, generation };
  }

  /** Locks the tenant row, serialising mesh creation against the mesh quota. */
  async lockTenant(): Promise<void> {
    const rows = await this.db.$queryRaw<{ id: string }[]>`
      SELECT id FROM tenants WHERE id = ${this.scope.tenantId}::uuid FOR UPDATE`;
    if (rows.length === 0) throw new Error(`tenant ${this.scope.accountId} vanished during a request`);
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

  /**
   * Keyset pagination by name: stable while meshes are added or removed. The prefix is matched
   * literally (LIKE's wildcards escaped: Prisma passes `startsWith` to LIKE as is) and the tag by
   * JSON containment (`array_contains` is `@>`, which the GIN index on `tags` can answer).
   */
  listMeshes(limit: number, afterName: string | undefined, filter: ListFilter = {}): Promise<Mesh[]> {
    const tags = tagContainment(filter.tag);
    return this.db.mesh.findMany({
      where: {
        tenantId: this.scope.tenantId,
        name: {
          ...(afterName === undefined ? {} : { gt: afterName }),
          ...(filter.namePrefix === undefined ? {} : { startsWith: escapeLike(filter.namePrefix) }),
        },
        ...(tags === null ? {} : { tags: { array_contains: tags } }),
      },
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

  setResourceTags(resource: MeshResource, tags: Prisma.InputJsonValue): Promise<MeshResource> {
    return this.db.meshResource.update({ where: { id: resource.id, tenantId: this.scope.tenantId }, data: { tags } });
  }

  async deleteResource(resource: MeshResource): Promise<void> {
    await this.db.meshResource.delete({ where: { id: resource.id, tenantId: this.scope.tenantId } });
  }

  /**
   * Finds the mesh by name and locks, in the same statement and in this order, the rows a write
   * depends on, returning those that exist: the parent (a route's router, a gateway route's
   * gateway), the referenced resources (sorted by kind and name) and the resource itself, each with
   * its RowLock, and last, with `mesh`, the mesh's row (FOR NO KEY UPDATE, as the generation bump
   * takes it). The mesh row is otherwise read, not locked. Under READ COMMITTED a lock that had to
   * wait returns the row as the transaction that held it left it (nothing, if it deleted the row).
   */
  async lockRows(meshName: string, rows: RowsToLock): Promise<LockedRows> {
    const tenantId = Prisma.sql`${this.scope.tenantId}::uuid`;
    const inMesh = Prisma.sql`tenant_id = ${tenantId} AND mesh_id = (SELECT id FROM mesh_row)`;
    const byKey = (key: ResourceKey) =>
      Prisma.sql`kind = ${key.kind}::"ResourceKind" AND parent_name = ${key.parentName} AND name = ${key.name}`;
    // Locking clauses are not allowed in a UNION's arms: each arm reads a CTE that locks. The CTEs
    // run in the order the UNION ALL reads them.
    const parts: [role: string, cte: string, query: Prisma.Sql][] = [
      [
        'mesh',
        'mesh_row',
        Prisma.sql`SELECT id, tenant_id AS "tenantId", id AS "meshId", NULL::"ResourceKind" AS kind,
          ''::varchar AS "parentName", name, spec, version, tags, created_at AS "createdAt", updated_at AS "updatedAt"
          FROM meshes WHERE tenant_id = ${tenantId} AND name = ${meshName}`,
      ],
    ];
    const idempotency = this.idempotencyCheck;
    this.idempotencyCheck = undefined;
    if (idempotency) {
      // The record in the columns of the other rows: its request hash as the name, its response as the spec.
      parts.push([
        'remembered',
        'remembered_row',
        Prisma.sql`SELECT NULL::uuid AS id, tenant_id AS "tenantId", NULL::uuid AS "meshId", NULL::"ResourceKind" AS kind,
          ''::varchar AS "parentName", request_hash::varchar AS name, response AS spec, 0 AS version, NULL::jsonb AS tags,
          created_at AS "createdAt", created_at AS "updatedAt"
          FROM idempotency_records
          WHERE tenant_id = ${tenantId} AND operation = ${idempotency.operation} AND client_token = ${idempotency.clientToken}`,
      ]);
    }
    if (rows.parent) {
      parts.push([
        'parent',
        'parent_row',
        Prisma.sql`SELECT ${RESOURCE_COLUMNS} FROM mesh_resources
          WHERE ${inMesh} AND ${byKey(rows.parent.key)} ${LOCKING[rows.parent.lock]}`,
      ]);
    }
    const refs = uniqueReferences(rows.references ?? []);
    if (refs.length > 0) {
      parts.push([
        'reference',
        'reference_rows',
        Prisma.sql`SELECT ${RESOURCE_COLUMNS} FROM mesh_resources
          WHERE ${inMesh} AND parent_name = '' AND (kind, name) IN (${wantedReferences(refs)})
          ORDER BY kind, name FOR KEY SHARE`,
      ]);
    }
    if (rows.self) {
      parts.push([
        'self',
        'self_row',
        Prisma.sql`SELECT ${RESOURCE_COLUMNS} FROM mesh_resources
          WHERE ${inMesh} AND ${byKey(rows.self.key)} ${LOCKING[rows.self.lock]}`,
      ]);
    }
    if (rows.mesh) {
      parts.push([
        'meshLock',
        'mesh_lock',
        Prisma.sql`SELECT id, tenant_id AS "tenantId", id AS "meshId", NULL::"ResourceKind" AS kind,
          ''::varchar AS "parentName", name, NULL::jsonb AS spec, version, NULL::jsonb AS tags, created_at AS "createdAt",
          updated_at AS "updatedAt"
          FROM meshes WHERE tenant_id = ${tenantId} AND id = (SELECT id FROM mesh_row) FOR NO KEY UPDATE`,
      ]);
    }
    const found = await this.sql<
      MeshResource & { role: 'mesh' | 'remembered' | 'parent' | 'reference' | 'self' | 'meshLock' }
    >(
      Prisma.sql`WITH ${Prisma.join(
        parts.map(([, cte, query]) => Prisma.sql`${Prisma.raw(cte)} AS (${query})`),
        ', ',
      )}
      ${Prisma.join(
        parts.map(([role, cte]) => Prisma.sql`SELECT ${role}::text AS role, * FROM ${Prisma.raw(cte)}`),
        ' UNION ALL ',
      )}`,
    );
    const row = (role: string) => {
      const hit = found.find((r) => r.role === role);
      if (!hit) return undefined;
      const { role: _role, ...resource } = hit;
      return resource;
    };
    const remembered = row('remembered');
    if (remembered) throw new IdempotentReplay({ requestHash: remembered.name, response: remembered.spec });
    const mesh = row('mesh');
    const parent = row('parent');
    const self = row('self');
    return {
      ...(mesh ? { mesh: { id: mesh.id, name: mesh.name } } : {}),
      meshLocked: found.some((r) => r.role === 'meshLock'),
      ...(parent ? { parent } : {}),
      referenced: new Set(found.filter((r) => r.role === 'reference').map((r) => `${r.kind}/${r.name}`)),
      ...(self ? { self } : {}),
    };
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

  /**
   * Many keyset pages of one kind in ONE statement (the GraphQL API's batched nested connections):
   * for each request, at most `limit` resources of its mesh and parent named after `afterName`, by
   * name, as `listResources` reads one page, keeping only what its filter asks for. The answer
   * has one list per request, in order. A name prefix also bounds the index scan from below (the
   * database collates names by code point, C.UTF-8, where every name with the prefix sorts at or
   * after it); a tag is matched by JSON containment (`@>`, which the GIN index on `tags` can answer).
   */
  async listResourcePages(
    kind: ResourceKind,
    requests: readonly ({ meshId: string; parentName: string; afterName?: string; limit: number } & ListFilter)[],
  ): Promise<MeshResource[][]> {
    if (requests.length === 0) return [];
    const wanted = Prisma.join(
      requests.map(
        (r, i) =>
          // Names are never empty, so '' sorts before every name: "no cursor", and "no prefix" (LIKE '%').
          Prisma.sql`(${i}::int, ${r.meshId}::uuid, ${r.parentName}::varchar, ${r.afterName ?? ''}::varchar, ${r.limit}::int,
            ${r.namePrefix ?? ''}::varchar, ${`${escapeLike(r.namePrefix ?? '')}%`}::varchar, ${json(tagContainment(r.tag))}::jsonb)`,
      ),
    );
    const rows = await this.db.$queryRaw<(MeshResource & { slot: number })[]>`
      SELECT w.slot, r.id, r.tenant_id AS "tenantId", r.mesh_id AS "meshId", r.kind, r.parent_name AS "parentName",
             r.name, r.spec, r.version, r.tags, r.created_at AS "createdAt", r.updated_at AS "updatedAt"
      FROM (VALUES ${wanted}) AS w(slot, mesh_id, parent_name, after_name, lim, prefix, pattern, tag)
      CROSS JOIN LATERAL (
        SELECT * FROM mesh_resources m
        WHERE m.tenant_id = ${this.scope.tenantId}::uuid AND m.mesh_id = w.mesh_id
          AND m.kind = ${kind}::"ResourceKind" AND m.parent_name = w.parent_name AND m.name > w.after_name
          AND m.name >= w.prefix AND m.name LIKE w.pattern AND (w.tag IS NULL OR m.tags @> w.tag)
        ORDER BY m.name
        LIMIT w.lim
      ) r
      ORDER BY w.slot, r.name`;
    const pages = requests.map((): MeshResource[] => []);
    for (const { slot, ...row } of rows) pages[slot]!.push(row);
    return pages;
  }

  /** The tenant's meshes of these names (those that exist). */
  findMeshes(names: readonly string[]): Promise<Mesh[]> {
    if (names.length === 0) return Promise.resolve([]);
    return this.db.mesh.findMany({ where: { tenantId: this.scope.tenantId, name: { in: [...names] } } });
  }

  /** Every resource of a mesh, in a stable order (for compiling the mesh as one snapshot). */
  allResources(meshId: string): Promise<MeshResource[]> {
    return this.db.meshResource.findMany({
      where: { tenantId: this.scope.tenantId, meshId },
      orderBy: [{ kind: 'asc' }, { parentName: 'asc' }, { name: 'asc' }],
    });
  }

  /**
   * What the mesh's change log records after `generation`, oldest first: at most `limit` + 1
   * entries, so a caller can tell "more than `limit`" from a complete answer.
   */
  changesAfter(
    meshId: string,
    generation: bigint,
    limit: number,
  ): Promise<{ generation: bigint; kind: string; parentName: string; name: string }[]> {
    return this.db.meshChange.findMany({
      where: { meshId, generation: { gt: generation }, mesh: { tenantId: this.scope.tenantId } },
      select: { generation: true, kind: true, parentName: true, name: true },
      orderBy: { id: 'asc' },
      take: limit + 1,
    });
  }

  /** The resources of a mesh with these keys (those that exist). */
  resourcesByKeys(meshId: string, keys: readonly ResourceKey[]): Promise<MeshResource[]> {
    if (keys.length === 0) return Promise.resolve([]);
    return this.db.meshResource.findMany({
      where: {
        tenantId: this.scope.tenantId,
        meshId,
        OR: keys.map((k) => ({ kind: k.kind, parentName: k.parentName, name: k.name })),
      },
    });
  }

  /** The resources with these keys, across the tenant's meshes (those that exist), in one query. */
  resourcesByMeshKeys(keys: readonly (ResourceKey & { readonly meshId: string })[]): Promise<MeshResource[]> {
    if (keys.length === 0) return Promise.resolve([]);
    return this.db.meshResource.findMany({
      where: {
        tenantId: this.scope.tenantId,
        OR: keys.map((k) => ({ meshId: k.meshId, kind: k.kind, parentName: k.parentName, name: k.name })),
      },
    });
  }

  // --- clientToken idempotency ----------------------------------------------------------------

  findIdempotency(operation: string, clientToken: string) {
    return this.db.idempotencyRecord.findUnique({
      where: { tenantId_operation_clientToken: { tenantId: this.scope.tenantId, operation, clientToken } },
    });
  }
}
