import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { badRequest, DomainError, notFound } from '../../common/errors/domain-error.js';
import { decodePageToken, encodePageToken } from '../../common/pagination/page-token.js';
import type { TenantScope } from '../../common/tenancy/tenant-scope.js';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import type { Mesh, MeshResource, Prisma, ResourceKind } from '../../generated/prisma/client.js';
import type { PlanQuotas } from '../../billing/plans/plan-quotas.js';
import { PlansService } from '../../billing/plans/plans.service.js';
import { asJson, encodeResult, replay, requestHash } from './idempotency.js';
import { KIND_RULES } from './kind-registry.js';
import { MESH_CHANGE_LISTENER, type MeshChangeListener } from './mesh-change-listener.js';
import type { KindRules, Spec } from './kind-rules.js';
import {
  IdempotentReplay,
  isRetryableConflict,
  type ListFilter,
  type LockedRows,
  type MeshRef,
  type MeshStore,
  type ResourceKey,
  type RowLock,
} from './mesh-store.js';
import { MeshStoreFactory, type TransactionVia } from './mesh-store.factory.js';
import {
  RESOURCE_TRANSLATION,
  type ResourceTranslationReader,
  type ResourceTranslationStatus,
} from './resource-translation.js';
import { meshData, meshRef, resourceData, resourceRef, type ResourceData, type ResourceRef } from './resource-views.js';
import { validateTags, type Tag } from './tags.js';

/** Names a mesh and, optionally, the account that owns it (App Mesh's `meshOwner`). */
export interface MeshTarget {
  readonly meshName: string;
  readonly meshOwner?: string;
}

/** Names a resource inside a mesh; `parentName` is the router or gateway of routes and gateway routes. */
export interface ResourceTarget extends MeshTarget {
  readonly name: string;
  readonly parentName?: string;
}

export interface Page<T> {
  readonly items: T[];
  readonly nextToken?: string;
}

/** One resource of a mesh as `meshContents` reads it: its key, and its Describe data. */
export interface MeshContent {
  readonly kind: ResourceKind;
  readonly parentName: string;
  readonly name: string;
  readonly data: ResourceData;
}

/**
 * Optimistic concurrency (the GraphQL API's `expectedVersion`; App Mesh has none): a write that
 * names the version it read happens only if the resource is still at that version. It is checked
 * on the row the write has locked (FOR NO KEY UPDATE, FOR UPDATE, or the mesh row its UPDATE
 * locks), in the write's own transaction, so no other write can slip in between check and write.
 */
export interface ExpectedVersion {
  readonly expectedVersion?: number;
}

export interface PageRequest {
  readonly limit?: number;
  readonly nextToken?: string;
}

const DEFAULT_PAGE = 100;
const DEFAULT_MESH_SPEC = { egressFilter: { type: 'DROP_ALL' } };
/** Attempts of a change that PostgreSQL aborted to break a deadlock or a serialization conflict. */
const CONFLICT_ATTEMPTS = 4;

/**
 * The App Mesh resource model: meshes and the six kinds of resources inside them. Transport-free
 * (REST and GraphQL call it). Inputs have passed the App Mesh model's shape validation; this adds
 * the semantic rules, quotas, references between resources and clientToken idempotency. Every
 * change bumps its mesh's generation and records a change event in the same transaction; once
 * that transaction has committed, the MeshChangeListener hears of the mesh (it enqueues the
 * compile). Tags are not part of the compiled configuration and bump nothing.
 *
 * Locking (docs/adr/0008-mesh-write-locking.md): a write to a resource locks the rows it depends
 * on first (its parent FOR SHARE, what its spec references FOR KEY SHARE, itself FOR NO KEY
 * UPDATE, or FOR UPDATE to delete it) and takes the mesh row's lock last: a create before it
 * counts against the quotas, an update or a delete only in the statement that bumps the generation
 * and writes the change log, right before COMMIT. Mesh-level changes lock the mesh first.
 */
@Injectable()
export class MeshResourcesService {
  private readonly log = new Logger(MeshResourcesService.name);
  private readonly region: string;

  constructor(
    private readonly stores: MeshStoreFactory,
    private readonly plans: PlansService,
    @Inject(MESH_CHANGE_LISTENER) private readonly changes: MeshChangeListener,
    @Inject(APP_CONFIG) config: AppConfig,
    @Optional() @Inject(RESOURCE_TRANSLATION) private readonly translations?: ResourceTranslationReader,
  ) {
    this.region = config.region;
  }

  // --- meshes -----------------------------------------------------------------------------------

  createMesh(
    scope: TenantScope,
    input: { meshName: string; spec?: Spec; tags?: Tag[]; clientToken?: string },
  ): Promise<ResourceData> {
    return this.idempotent(scope, 'CreateMesh', input, async (store, quotas) => {
      await store.lockTenant();
      const tags = validateTags(input.tags ?? [], quotas.tagsPerResource);
      const count = await store.countMeshes();
      if (count >= quotas.meshesPerAccount) {
        throw new DomainError(
          'LIMIT_EXCEEDED',
          `Account ${scope.accountId} already has the maximum of ${quotas.meshesPerAccount} meshes allowed by its plan.`,
        );
      }
      const mesh = await store.insertMesh({ name: input.meshName, spec: meshSpec(input.spec), tags: asJson(tags) });
      if (mesh === 'exists')
        throw new DomainError('CONFLICT', `Mesh ${input.meshName} already exists in account ${scope.accountId}.`);
      await store.recordChange(mesh, { kind: 'mesh', parentName: '', name: mesh.name }, 'create');
      return meshData(scope, this.region, mesh);
    });
  }

  async describeMesh(scope: TenantScope, target: MeshTarget): Promise<ResourceData> {
    return meshData(scope, this.region, await this.mesh(this.stores.reader(scope), target));
  }

  updateMesh(
    scope: TenantScope,
    input: MeshTarget & { spec?: Spec; clientToken?: string } & ExpectedVersion,
  ): Promise<ResourceData> {
    return this.idempotent(scope, 'UpdateMesh', input, async (store) => {
      const mesh = await this.lockMesh(store, input);
      checkVersion(`Mesh ${mesh.name}`, mesh.version, input.expectedVersion);
      // An update without a spec leaves it as it is; one with a spec replaces it (defaults filled).
      const spec = input.spec === undefined ? asJson(mesh.spec) : meshSpec(input.spec);
      const updated = await store.updateMeshSpec(mesh, spec);
      await store.recordChange(updated, { kind: 'mesh', parentName: '', name: mesh.name }, 'update');
      return meshData(scope, this.region, updated);
    });
  }

  deleteMesh(scope: TenantScope, target: MeshTarget & ExpectedVersion): Promise<ResourceData> {
    return this.change(scope, async (store) => {
      const mesh = await this.lockMesh(store, target);
      checkVersion(`Mesh ${mesh.name}`, mesh.version, target.expectedVersion);
      const remaining = await store.countResources(mesh.id);
      if (remaining > 0) {
        throw new DomainError(
          'RESOURCE_IN_USE',
          `Mesh ${mesh.name} still contains ${remaining} resource(s); delete its virtual services, routes, virtual routers, gateway routes, virtual gateways and virtual nodes first.`,
        );
      }
      await store.deleteMesh(mesh);
      return meshData(scope, this.region, { ...mesh, updatedAt: new Date() }, 'DELETED');
    });
  }

  /** The filters (GraphQL's; App Mesh's ListMeshes has none) keep the meshes of a name prefix, or a tag. */
  listMeshes(scope: TenantScope, page: PageRequest & ListFilter): Promise<Page<ResourceRef>> {
    return this.meshPage(scope, page, (m) => meshRef(scope, this.region, m));
  }

  /** As `listMeshes`, each mesh as a Describe shows it (spec, status): read by the same one query. */
  listMeshData(scope: TenantScope, page: PageRequest & ListFilter): Promise<Page<ResourceData>> {
    return this.meshPage(scope, page, (m) => meshData(scope, this.region, m));
  }

  private async meshPage<T>(
    scope: TenantScope,
    page: PageRequest & ListFilter,
    view: (mesh: Mesh) => T,
  ): Promise<Page<T>> {
    const limit = page.limit ?? DEFAULT_PAGE;
    const after = page.nextToken === undefined ? undefined : decodePageToken(page.nextToken, 'meshes');
    const rows = await this.stores.reader(scope).listMeshes(limit + 1, after, {
      ...(page.namePrefix === undefined ? {} : { namePrefix: page.namePrefix }),
      ...(page.tag === undefined ? {} : { tag: page.tag }),
    });
    return pageOf(rows, limit, 'meshes', view);
  }

  // --- resources inside a mesh ------------------------------------------------------------------

  create(
    scope: TenantScope,
    kind: ResourceKind,
    input: ResourceTarget & { spec: Spec; tags?: Tag[]; clientToken?: string },
  ): Promise<ResourceData> {
    const rules = KIND_RULES[kind];
    return this.idempotent(
      scope,
      `Create${rules.apiName}`,
      { kind, ...input },
      async (store, quotas) => {
        // The mesh lock is taken last, after the row locks: the insert that counts against the
        // quotas and compares host names runs under it, so two creates can pass neither together.
        const { key, refs, locked, mesh, parentSpec } = await this.lockForWrite(store, rules, input, { mesh: true });
        if (!locked.meshLocked) throw meshNotFound(scope, mesh.name);
        const tags = validateTags(input.tags ?? [], quotas.tagsPerResource);
        this.checkSpec(mesh, rules, input.spec, parentSpec, quotas, locked.referenced);
        const max = quotas[rules.quota.key];
        const row = store.stageInsert(
          mesh,
          key,
          { spec: asJson(input.spec), tags: asJson(tags) },
          refs,
          {
            max,
            hostNames: rules.hostNames === true,
            ...(rules.quota.per === 'parent' ? { countParent: key.parentName } : {}),
          },
          (refused) => {
            if (refused.reason === 'sameHost')
              return new DomainError(
                'CONFLICT',
                `${describeKey(rules, { ...key, name: refused.name })} already exists in mesh ${mesh.name}: ${rules.apiName} names are host names, compared without regard to letter case (${key.name} is the same host).`,
              );
            if (refused.reason === 'limit') {
              const where =
                rules.quota.per === 'parent' ? `${rules.parent!.kind} ${key.parentName}` : `mesh ${mesh.name}`;
              return new DomainError(
                'LIMIT_EXCEEDED',
                `The ${where} already has the maximum of ${max} ${rules.apiName} resources allowed by the plan.`,
              );
            }
            return new DomainError('CONFLICT', `${describeKey(rules, key)} already exists in mesh ${mesh.name}.`);
          },
        );
        store.stageChange(mesh, key, 'create');
        return resourceData(scope, this.region, mesh.name, row);
      },
      'sql',
    );
  }

  async describe(scope: TenantScope, kind: ResourceKind, target: ResourceTarget): Promise<ResourceData> {
    return (await this.find(scope, kind, target)).data;
  }

  /**
   * Describe, with what the control plane made of the resource when it last compiled its mesh
   * (absent when that cannot be read: the description does not depend on it).
   */
  async describeWithTranslation(
    scope: TenantScope,
    kind: ResourceKind,
    target: ResourceTarget,
  ): Promise<{ data: ResourceData; translation?: ResourceTranslationStatus }> {
    const { data, meshId, version } = await this.find(scope, kind, target);
    const translation = await this.translations?.statusOf(scope.tenantId, meshId, data.metadata.arn, version);
    return { data, ...(translation ? { translation } : {}) };
  }

  /**
   * The mesh, the parent (for a route or gateway route) and the resource in one statement, read
   * without locks: a Describe is one round trip, and each missing row gets its own NotFound.
   */
  private async find(scope: TenantScope, kind: ResourceKind, target: ResourceTarget) {
    const { mesh, row } = await this.existing(this.stores.reader(scope), kind, target, 'none');
    return { data: resourceData(scope, this.region, mesh.name, row), meshId: mesh.id, version: row.version };
  }

  /**
   * The first statement of a create or an update (`lockRows`): the mesh read, the parent locked
   * FOR SHARE and what the spec references FOR KEY SHARE, then the resource itself locked with
   * `also.self`, or the mesh's lock taken (`also.mesh`). NotFound when the mesh or the parent is
   * missing; the parent's spec for the kind's checks.
   */
  private async lockForWrite(
    store: MeshStore,
    rules: KindRules,
    input: ResourceTarget & { spec: Spec },
    also: { self?: RowLock; mesh?: boolean },
  ) {
    this.checkOwner(store.scope, input);
    const key = keyOf(rules.kind, input);
    const refs = rules.references(input.spec);
    const locked = await store.lockRows(input.meshName, {
      ...parentLock(rules, key, 'share'),
      references: refs,
      ...(also.self === undefined ? {} : { self: { key, lock: also.self } }),
      ...(also.mesh ? { mesh: true } : {}),
    });
    const mesh = meshOf(store.scope, input, locked);
    return { key, refs, locked, mesh, parentSpec: this.parentSpec(mesh, rules, key, locked) };
  }

  /**
   * The mesh and the resource, read (and the resource locked with `lock`) in one statement with
   * its parent; NotFound naming the first of the mesh, the parent and the resource that is missing.
   */
  private async existing(store: MeshStore, kind: ResourceKind, target: ResourceTarget, lock: RowLock) {
    this.checkOwner(store.scope, target);
    const rules = KIND_RULES[kind];
    const key = keyOf(kind, target);
    const locked = await store.lockRows(target.meshName, { ...parentLock(rules, key, 'none'), self: { key, lock } });
    const mesh = meshOf(store.scope, target, locked);
    this.parentSpec(mesh, rules, key, locked);
    const row = locked.self;
    if (!row) throw notFound(`${describeKey(rules, key)} does not exist in mesh ${mesh.name}.`);
    return { mesh, row, rules, key };
  }

  update(
    scope: TenantScope,
    kind: ResourceKind,
    input: ResourceTarget & { spec: Spec; clientToken?: string } & ExpectedVersion,
  ): Promise<ResourceData> {
    const rules = KIND_RULES[kind];
    return this.idempotent(
      scope,
      `Update${rules.apiName}`,
      { kind, ...input },
      async (store, quotas) => {
        const { key, refs, locked, mesh, parentSpec } = await this.lockForWrite(store, rules, input, {
          self: 'noKeyUpdate',
        });
        if (!locked.self) throw notFound(`${describeKey(rules, key)} does not exist in mesh ${mesh.name}.`);
        checkVersion(describeKey(rules, key), locked.self.version, input.expectedVersion);
        this.checkSpec(mesh, rules, input.spec, parentSpec, quotas, locked.referenced);
        // Written, with the generation bump that takes the mesh lock, by the transaction's last statement.
        const updated = store.stageSpecUpdate(locked.self, asJson(input.spec), refs);
        store.stageChange(mesh, key, 'update');
        return resourceData(scope, this.region, mesh.name, updated);
      },
      'sql',
    );
  }

  delete(scope: TenantScope, kind: ResourceKind, target: ResourceTarget & ExpectedVersion): Promise<ResourceData> {
    const rules = KIND_RULES[kind];
    return this.change(scope, async (store) => {
      // Locked FOR UPDATE before its referrers and children are read: a write that adds a reference
      // to it, or a child under it, holds a lock on it until it commits, so (READ COMMITTED) the
      // reads below see what it committed; one that comes later finds it gone.
      const { mesh, row, key } = await this.existing(store, kind, target, 'update');
      checkVersion(describeKey(rules, key), row.version, target.expectedVersion);
      const referrers = await store.referrers(mesh.id, key);
      if (referrers.length > 0) {
        const who = referrers.map((r) => describeKey(KIND_RULES[r.kind], r)).join(', ');
        throw new DomainError(
          'RESOURCE_IN_USE',
          `${describeKey(rules, key)} is still referenced by ${who}; change or delete those first.`,
        );
      }
      const childKind = CHILD_KIND[kind];
      if (childKind !== undefined) {
        const children = await store.countResources(mesh.id, childKind, key.name);
        if (children > 0) {
          throw new DomainError(
            'RESOURCE_IN_USE',
            `${describeKey(rules, key)} still has ${children} ${KIND_RULES[childKind].apiName} resource(s); delete them first.`,
          );
        }
      }
      await store.deleteResource(row);
      store.stageChange(mesh, key, 'delete');
      return resourceData(scope, this.region, mesh.name, { ...row, updatedAt: new Date() }, 'DELETED');
    });
  }

  list(
    scope: TenantScope,
    kind: ResourceKind,
    target: MeshTarget & { parentName?: string } & PageRequest,
  ): Promise<Page<ResourceRef>> {
    return this.resourcePage(scope, kind, target, (meshName, r) => resourceRef(scope, this.region, meshName, r));
  }

  /** As `list`, each resource as a Describe shows it (spec, status): read by the same queries. */
  listData(
    scope: TenantScope,
    kind: ResourceKind,
    target: MeshTarget & { parentName?: string } & PageRequest,
  ): Promise<Page<ResourceData>> {
    return this.resourcePage(scope, kind, target, (meshName, r) => resourceData(scope, this.region, meshName, r));
  }

  /**
   * Many pages of one kind at once, each as `listData` reads it, for callers that list the children
   * of many parents (the GraphQL API's nested connections): one query for the meshes, one for every
   * page, whatever their number. Each answer is the page or the error `listData` would throw for
   * it (an unknown mesh, a refused cursor). Parents are not looked up: a parent that does not exist
   * has an empty page, since its caller read it in the same request. Each page may be filtered
   * (`ListFilter`: a name prefix, a tag), which App Mesh's lists are not.
   */
  async listDataBatch(
    scope: TenantScope,
    kind: ResourceKind,
    targets: readonly (MeshTarget & { parentName?: string } & PageRequest & ListFilter)[],
  ): Promise<(Page<ResourceData> | DomainError)[]> {
    const store = this.stores.reader(scope);
    const meshes = new Map(
      (await store.findMeshes([...new Set(targets.map((t) => t.meshName))])).map((m) => [m.name, m]),
    );
    const answers: (Page<ResourceData> | DomainError)[] = [];
    const wanted: ({
      slot: number;
      meshId: string;
      parentName: string;
      afterName?: string;
      limit: number;
    } & ListFilter)[] = [];
    for (const [slot, target] of targets.entries()) {
      try {
        this.checkOwner(scope, target);
        const mesh = meshes.get(target.meshName);
        if (!mesh) throw meshNotFound(scope, target.meshName);
        const parentName = target.parentName ?? '';
        const limit = target.limit ?? DEFAULT_PAGE;
        const tokenKind = `${kind}:${mesh.id}:${parentName}`;
        const after = target.nextToken === undefined ? undefined : decodePageToken(target.nextToken, tokenKind);
        wanted.push({
          slot,
          meshId: mesh.id,
          parentName,
          limit,
          ...(after === undefined ? {} : { afterName: after }),
          ...(target.namePrefix === undefined ? {} : { namePrefix: target.namePrefix }),
          ...(target.tag === undefined ? {} : { tag: target.tag }),
        });
        answers.push({ items: [] });
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        answers.push(err);
      }
    }
    // One row more than each page holds tells whether a next page exists, as in `resourcePage`.
    const pages = await store.listResourcePages(
      kind,
      wanted.map((w) => ({ ...w, limit: w.limit + 1 })),
    );
    for (const [i, { slot, parentName, meshId, limit }] of wanted.entries()) {
      const meshName = targets[slot]!.meshName;
      answers[slot] = pageOf(pages[i]!, limit, `${kind}:${meshId}:${parentName}`, (r) =>
        resourceData(scope, this.region, meshName, r),
      );
    }
    return answers;
  }

  /**
   * Many describes of one kind at once (the GraphQL API's single lookups, batched per request):
   * one query for the meshes and one for the resources and their parents, whatever their number.
   * Each answer is the data `describe` returns or the NotFound it would throw, with its message
   * (an unknown mesh, a route's missing router, a missing resource).
   */
  async describeBatch(
    scope: TenantScope,
    kind: ResourceKind,
    targets: readonly ResourceTarget[],
  ): Promise<(ResourceData | DomainError)[]> {
    const rules = KIND_RULES[kind];
    const parentRules = rules.parent ? KIND_RULES[rules.parent.kind] : undefined;
    const store = this.stores.reader(scope);
    const meshes = new Map(
      (await store.findMeshes([...new Set(targets.map((t) => t.meshName))])).map((m) => [m.name, m]),
    );
    const keys = targets.flatMap((target) => {
      const mesh = meshes.get(target.meshName);
      if (!mesh) return [];
      const key = { meshId: mesh.id, ...keyOf(kind, target) };
      return rules.parent
        ? [key, { meshId: mesh.id, kind: rules.parent.kind, parentName: '', name: key.parentName }]
        : [key];
    });
    const rowKey = (meshId: string, key: ResourceKey) => JSON.stringify([meshId, key.kind, key.parentName, key.name]);
    const rows = new Map((await store.resourcesByMeshKeys(keys)).map((r) => [rowKey(r.meshId, r), r]));
    return targets.map((target) => {
      try {
        this.checkOwner(scope, target);
        const mesh = meshes.get(target.meshName);
        if (!mesh) throw meshNotFound(scope, target.meshName);
        const key = keyOf(kind, target);
        if (parentRules && !rows.has(rowKey(mesh.id, { kind: parentRules.kind, parentName: '', name: key.parentName })))
          throw notFound(
            `${describeKey(parentRules, { parentName: '', name: key.parentName })} does not exist in mesh ${mesh.name}.`,
          );
        const row = rows.get(rowKey(mesh.id, key));
        if (!row) throw notFound(`${describeKey(rules, key)} does not exist in mesh ${mesh.name}.`);
        return resourceData(scope, this.region, mesh.name, row);
      } catch (err) {
        if (err instanceof DomainError) return err;
        throw err;
      }
    });
  }

  /**
   * A mesh and every resource in it, read on one consistent snapshot of the database (two
   * queries): what a view of the whole mesh (the GraphQL topology) is drawn from.
   */
  async meshContents(
    scope: TenantScope,
    target: MeshTarget,
  ): Promise<{ mesh: ResourceData; resources: MeshContent[] }> {
    return this.stores.consistentRead(scope, async (store) => {
      const mesh = await this.mesh(store, target);
      const rows = await store.allResources(mesh.id);
      return {
        mesh: meshData(scope, this.region, mesh),
        resources: rows.map((r) => ({
          kind: r.kind,
          parentName: r.parentName,
          name: r.name,
          data: resourceData(scope, this.region, mesh.name, r),
        })),
      };
    });
  }

  private async resourcePage<T>(
    scope: TenantScope,
    kind: ResourceKind,
    target: MeshTarget & { parentName?: string } & PageRequest,
    view: (meshName: string, row: MeshResource) => T,
  ): Promise<Page<T>> {
    const rules = KIND_RULES[kind];
    const store = this.stores.reader(scope);
    const mesh = await this.mesh(store, target);
    const parentName = target.parentName ?? '';
    if (rules.parent)
      await this.resource(store, mesh, KIND_RULES[rules.parent.kind], {
        kind: rules.parent.kind,
        parentName: '',
        name: parentName,
      });
    const limit = target.limit ?? DEFAULT_PAGE;
    const tokenKind = `${kind}:${mesh.id}:${parentName}`;
    const after = target.nextToken === undefined ? undefined : decodePageToken(target.nextToken, tokenKind);
    const rows = await store.listResources(mesh.id, kind, parentName, limit + 1, after);
    return pageOf(rows, limit, tokenKind, (r) => view(mesh.name, r));
  }

  // --- shared steps -----------------------------------------------------------------------------

  private async mesh(store: MeshStore, target: MeshTarget): Promise<Mesh> {
    this.checkOwner(store.scope, target);
    const mesh = await store.findMesh(target.meshName);
    if (!mesh) throw meshNotFound(store.scope, target.meshName);
    return mesh;
  }

  private async lockMesh(store: MeshStore, target: MeshTarget): Promise<Mesh> {
    this.checkOwner(store.scope, target);
    const mesh = await store.lockMeshForChange(target.meshName);
    if (!mesh) throw meshNotFound(store.scope, target.meshName);
    return mesh;
  }

  /** Meshes are visible to their owner only (sharing across accounts is not offered yet). */
  private checkOwner(scope: TenantScope, target: MeshTarget): void {
    if (target.meshOwner !== undefined && target.meshOwner !== scope.accountId) {
      throw notFound(
        `Mesh ${target.meshName} owned by account ${target.meshOwner} is not shared with account ${scope.accountId}.`,
      );
    }
  }

  private async resource(store: MeshStore, mesh: Mesh, rules: KindRules, key: ResourceKey): Promise<MeshResource> {
    if (rules.parent && key.kind !== rules.parent.kind) {
      await this.resource(store, mesh, KIND_RULES[rules.parent.kind], {
        kind: rules.parent.kind,
        parentName: '',
        name: key.parentName,
      });
    }
    const row = await store.findResource(mesh.id, key);
    if (!row) throw notFound(`${describeKey(rules, key)} does not exist in mesh ${mesh.name}.`);
    return row;
  }

  /** The spec of a route's router or a gateway route's gateway, as `lockRows` read it; NotFound when it does not exist. */
  private parentSpec(mesh: MeshRef, rules: KindRules, key: ResourceKey, locked: LockedRows): Spec | undefined {
    if (!rules.parent) return undefined;
    if (!locked.parent) {
      const parentRules = KIND_RULES[rules.parent.kind];
      throw notFound(
        `${describeKey(parentRules, { parentName: '', name: key.parentName })} does not exist in mesh ${mesh.name}.`,
      );
    }
    return locked.parent.spec as Spec;
  }

  /** The kind's rules, and that what the spec references exists (`referenced`, as `lockRows` found it). */
  private checkSpec(
    mesh: MeshRef,
    rules: KindRules,
    spec: Spec,
    parentSpec: Spec | undefined,
    quotas: PlanQuotas,
    referenced: ReadonlySet<string>,
  ): void {
    const problems = rules.check(spec, { parentSpec, quotas });
    for (const ref of rules.references(spec)) {
      if (!referenced.has(`${ref.kind}/${ref.name}`)) {
        problems.push(`${ref.field}: ${KIND_RULES[ref.kind].apiName} ${ref.name} does not exist in mesh ${mesh.name}`);
      }
    }
    if (problems.length > 0) throw badRequest(problems.join('; '));
  }

  /**
   * Runs a Create/Update in a transaction, honouring `clientToken`: a repeated token with the same
   * request returns the first result; with a different request it is a ConflictException. The
   * record is written in the same transaction as the change, so a retry never applies it twice.
   */
  private async idempotent<I extends { readonly clientToken?: string }>(
    scope: TenantScope,
    operation: string,
    input: I,
    work: (store: MeshStore, quotas: PlanQuotas) => Promise<ResourceData>,
    via: TransactionVia = 'prisma',
  ): Promise<ResourceData> {
    // Read before the transaction opens, never inside it: on a cache miss it takes a pool
    // connection of its own, and transactions each holding one while waiting for another can
    // exhaust the pool until its acquire timeout (seen as 503s under 64 concurrent updates).
    const { quotas } = await this.plans.inForce(scope.tenantId);
    const token = input.clientToken;
    if (token === undefined) return this.change(scope, (store) => work(store, quotas), via);
    const hash = requestHash(operation, input);
    // Work on the driver starts with `lockRows`, which reads the record in its statement (throwing
    // IdempotentReplay when it exists); other work reads it first.
    if (via === 'prisma') {
      const prior = await this.stores.reader(scope).findIdempotency(operation, token);
      if (prior) return replay(prior, hash, token);
    }
    try {
      return await this.change(
        scope,
        async (store) => {
          if (via === 'sql') store.checkIdempotency(operation, token);
          const result = await work(store, quotas);
          store.stageIdempotency(operation, token, hash, encodeResult(result));
          return result;
        },
        via,
      );
    } catch (err) {
      if (err instanceof IdempotentReplay) return replay(err.record, hash, token);
      // A concurrent request with the same token may have won the race: answer as it did.
      const raced = await this.stores.reader(scope).findIdempotency(operation, token);
      if (raced) return replay(raced, hash, token);
      throw err;
    }
  }

  /**
   * Runs a change in one transaction, then, once it has committed (never inside it: a compile
   * must not start before the change is visible, nor for a change that rolled back), tells the
   * MeshChangeListener about every mesh whose generation moved. That notification cannot fail
   * the request: a lost one delays the compile until the reconciler's sweep, it never loses it.
   * What the work staged (a resource's change, its new spec, the clientToken record) is written by
   * the transaction's last statement, which takes the mesh lock if the work has not. A transaction
   * PostgreSQL aborted to break a deadlock or a serialization conflict runs again, a few times.
   * `via` 'sql' runs it through the driver (`MeshStoreFactory.sqlTransaction`): for work that sends
   * only the store's SQL statements (`lockRows`, then what it stages).
   */
  private async change<T>(
    scope: TenantScope,
    work: (store: MeshStore) => Promise<T>,
    via: TransactionVia = 'prisma',
  ): Promise<T> {
    let changed: readonly string[] = [];
    const attempt = async (store: MeshStore) => {
      const value = await work(store);
      const written = await store.writeStaged();
      if (written?.generation === null) throw meshNotFound(scope, written.meshName);
      changed = store.changedMeshIds;
      return value;
    };
    const result = await retryConflicts(() =>
      via === 'sql' ? this.stores.sqlTransaction(scope, attempt) : this.stores.transaction(scope, attempt),
    );
    for (const meshId of changed) {
      try {
        await this.changes.meshChanged(scope.tenantId, meshId);
      } catch (err) {
        // The listener promises not to reject; this keeps that promise for it.
        this.log.warn(`change listener failed for mesh ${meshId}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return result;
  }
}

/** CONFLICT when the caller expected another version than the locked row's; nothing has been written yet. */
function checkVersion(what: string, version: number, expected: number | undefined): void {
  if (expected !== undefined && expected !== version) {
    throw new DomainError(
      'CONFLICT',
      `${what} is at version ${version}, not the expected version ${expected}: it changed since it was read; read it again and retry.`,
    );
  }
}

/** Runs `attempt` again when PostgreSQL aborted it to break a deadlock or a serialization conflict. */
async function retryConflicts<T>(attempt: () => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      if (n >= CONFLICT_ATTEMPTS || !isRetryableConflict(err)) throw err;
      // A little jitter, so the transactions that deadlocked do not meet again at once.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * n));
    }
  }
}

/** The mesh `lockRows` found, or NotFound. */
function meshOf(scope: TenantScope, target: MeshTarget, locked: LockedRows): MeshRef {
  if (!locked.mesh) throw meshNotFound(scope, target.meshName);
  return locked.mesh;
}

/** The lock a write takes on its parent (a route's router, a gateway route's gateway), if its kind has one. */
function parentLock(
  rules: KindRules,
  key: ResourceKey,
  lock: RowLock,
): { parent?: { key: ResourceKey; lock: RowLock } } {
  return rules.parent
    ? { parent: { key: { kind: rules.parent.kind, parentName: '', name: key.parentName }, lock } }
    : {};
}

/** Deleting a router or gateway requires deleting its routes or gateway routes first. */
const CHILD_KIND: Partial<Record<ResourceKind, ResourceKind>> = {
  virtualRouter: 'route',
  virtualGateway: 'gatewayRoute',
};

function keyOf(kind: ResourceKind, target: ResourceTarget): ResourceKey {
  return { kind, parentName: KIND_RULES[kind].parent ? (target.parentName ?? '') : '', name: target.name };
}

function describeKey(rules: KindRules, key: { parentName: string; name: string }): string {
  return rules.parent
    ? `${rules.apiName} ${key.name} of ${rules.parent.kind} ${key.parentName}`
    : `${rules.apiName} ${key.name}`;
}

/** The App Mesh NotFoundException for a mesh the tenant does not have (whether or not another tenant does). */
export function meshNotFound(scope: TenantScope, meshName: string): DomainError {
  return notFound(`Mesh ${meshName} does not exist in account ${scope.accountId}.`);
}

function meshSpec(spec: Spec | undefined): Prisma.InputJsonValue {
  return asJson({ ...DEFAULT_MESH_SPEC, ...spec });
}

function pageOf<R extends { name: string }, T>(
  rows: R[],
  limit: number,
  tokenKind: string,
  view: (row: R) => T,
): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return rows.length > limit && last
    ? { items: items.map(view), nextToken: encodePageToken(tokenKind, last.name) }
    : { items: items.map(view) };
}
