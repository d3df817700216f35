import { Inject, Injectable, Logger } from '@nestjs/common';
import { badRequest, DomainError, notFound } from '../../common/errors/domain-error.js';
import { decodePageToken, encodePageToken } from '../../common/pagination/page-token.js';
import type { TenantScope } from '../../common/tenancy/tenant-scope.js';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import type { Mesh, MeshResource, Prisma, ResourceKind } from '../../generated/prisma/client.js';
import { quotasOf, type PlanQuotas } from '../../tenants/plans.js';
import { asJson, encodeResult, replay, requestHash } from './idempotency.js';
import { KIND_RULES } from './kind-registry.js';
import { MESH_CHANGE_LISTENER, type MeshChangeListener } from './mesh-change-listener.js';
import type { KindRules, Spec } from './kind-rules.js';
import type { MeshStore, ResourceKey } from './mesh-store.js';
import { MeshStoreFactory } from './mesh-store.factory.js';
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

export interface PageRequest {
  readonly limit?: number;
  readonly nextToken?: string;
}

const DEFAULT_PAGE = 100;
const DEFAULT_MESH_SPEC = { egressFilter: { type: 'DROP_ALL' } };

/**
 * The App Mesh resource model: meshes and the six kinds of resources inside them. Transport-free
 * (REST and GraphQL call it). Inputs have passed the App Mesh model's shape validation; this adds
 * the semantic rules, quotas, references between resources and clientToken idempotency. Every
 * change bumps its mesh's generation and records a change event in the same transaction; once
 * that transaction has committed, the MeshChangeListener hears of the mesh (it enqueues the
 * compile). Tags are not part of the compiled configuration and bump nothing.
 */
@Injectable()
export class MeshResourcesService {
  private readonly log = new Logger(MeshResourcesService.name);
  private readonly region: string;

  constructor(
    private readonly stores: MeshStoreFactory,
    @Inject(MESH_CHANGE_LISTENER) private readonly changes: MeshChangeListener,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.region = config.region;
  }

  // --- meshes -----------------------------------------------------------------------------------

  createMesh(
    scope: TenantScope,
    input: { meshName: string; spec?: Spec; tags?: Tag[]; clientToken?: string },
  ): Promise<ResourceData> {
    return this.idempotent(scope, 'CreateMesh', input, async (store) => {
      const quotas = quotasOf(await store.lockTenantPlan());
      const tags = validateTags(input.tags ?? [], quotas);
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

  updateMesh(scope: TenantScope, input: MeshTarget & { spec?: Spec; clientToken?: string }): Promise<ResourceData> {
    return this.idempotent(scope, 'UpdateMesh', input, async (store) => {
      const mesh = await this.lockMesh(store, input);
      // An update without a spec leaves it as it is; one with a spec replaces it (defaults filled).
      const spec = input.spec === undefined ? asJson(mesh.spec) : meshSpec(input.spec);
      const updated = await store.updateMeshSpec(mesh, spec);
      await store.recordChange(updated, { kind: 'mesh', parentName: '', name: mesh.name }, 'update');
      return meshData(scope, this.region, updated);
    });
  }

  deleteMesh(scope: TenantScope, target: MeshTarget): Promise<ResourceData> {
    return this.change(scope, async (store) => {
      const mesh = await this.lockMesh(store, target);
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

  async listMeshes(scope: TenantScope, page: PageRequest): Promise<Page<ResourceRef>> {
    const limit = page.limit ?? DEFAULT_PAGE;
    const after = page.nextToken === undefined ? undefined : decodePageToken(page.nextToken, 'meshes');
    const rows = await this.stores.reader(scope).listMeshes(limit + 1, after);
    return pageOf(rows, limit, 'meshes', (m) => meshRef(scope, this.region, m));
  }

  // --- resources inside a mesh ------------------------------------------------------------------

  create(
    scope: TenantScope,
    kind: ResourceKind,
    input: ResourceTarget & { spec: Spec; tags?: Tag[]; clientToken?: string },
  ): Promise<ResourceData> {
    const rules = KIND_RULES[kind];
    return this.idempotent(scope, `Create${rules.apiName}`, { kind, ...input }, async (store) => {
      const mesh = await this.lockMesh(store, input);
      const quotas = quotasOf(scope.plan);
      const tags = validateTags(input.tags ?? [], quotas);
      const key = keyOf(kind, input);
      const parentSpec = await this.parentSpec(store, mesh, rules, key);
      const count = await store.countResources(
        mesh.id,
        kind,
        rules.quota.per === 'parent' ? key.parentName : undefined,
      );
      const max = quotas[rules.quota.key];
      if (count >= max) {
        const where = rules.quota.per === 'parent' ? `${rules.parent!.kind} ${key.parentName}` : `mesh ${mesh.name}`;
        throw new DomainError(
          'LIMIT_EXCEEDED',
          `The ${where} already has the maximum of ${max} ${rules.apiName} resources allowed by the plan.`,
        );
      }
      await this.checkSpec(store, mesh, rules, input.spec, parentSpec, quotas);
      const row = await store.insertResource(mesh.id, key, { spec: asJson(input.spec), tags: asJson(tags) });
      if (row === 'exists')
        throw new DomainError('CONFLICT', `${describeKey(rules, key)} already exists in mesh ${mesh.name}.`);
      await store.replaceReferences(row, rules.references(input.spec), true);
      await store.recordChange(mesh, key, 'create');
      return resourceData(scope, this.region, mesh.name, row);
    });
  }

  async describe(scope: TenantScope, kind: ResourceKind, target: ResourceTarget): Promise<ResourceData> {
    const store = this.stores.reader(scope);
    const mesh = await this.mesh(store, target);
    const row = await this.resource(store, mesh, KIND_RULES[kind], keyOf(kind, target));
    return resourceData(scope, this.region, mesh.name, row);
  }

  update(
    scope: TenantScope,
    kind: ResourceKind,
    input: ResourceTarget & { spec: Spec; clientToken?: string },
  ): Promise<ResourceData> {
    const rules = KIND_RULES[kind];
    return this.idempotent(scope, `Update${rules.apiName}`, { kind, ...input }, async (store) => {
      const mesh = await this.lockMesh(store, input);
      const key = keyOf(kind, input);
      const row = await this.resource(store, mesh, rules, key);
      const parentSpec = await this.parentSpec(store, mesh, rules, key);
      await this.checkSpec(store, mesh, rules, input.spec, parentSpec, quotasOf(scope.plan));
      const updated = await store.updateResourceSpec(row, asJson(input.spec));
      await store.replaceReferences(updated, rules.references(input.spec));
      await store.recordChange(mesh, key, 'update');
      return resourceData(scope, this.region, mesh.name, updated);
    });
  }

  delete(scope: TenantScope, kind: ResourceKind, target: ResourceTarget): Promise<ResourceData> {
    const rules = KIND_RULES[kind];
    return this.change(scope, async (store) => {
      const mesh = await this.lockMesh(store, target);
      const key = keyOf(kind, target);
      const row = await this.resource(store, mesh, rules, key);
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
      await store.recordChange(mesh, key, 'delete');
      return resourceData(scope, this.region, mesh.name, { ...row, updatedAt: new Date() }, 'DELETED');
    });
  }

  async list(
    scope: TenantScope,
    kind: ResourceKind,
    target: MeshTarget & { parentName?: string } & PageRequest,
  ): Promise<Page<ResourceRef>> {
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
    return pageOf(rows, limit, tokenKind, (r) => resourceRef(scope, this.region, mesh.name, r));
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

  private async parentSpec(
    store: MeshStore,
    mesh: Mesh,
    rules: KindRules,
    key: ResourceKey,
  ): Promise<Spec | undefined> {
    if (!rules.parent) return undefined;
    const parent = await this.resource(store, mesh, KIND_RULES[rules.parent.kind], {
      kind: rules.parent.kind,
      parentName: '',
      name: key.parentName,
    });
    return parent.spec as Spec;
  }

  private async checkSpec(
    store: MeshStore,
    mesh: Mesh,
    rules: KindRules,
    spec: Spec,
    parentSpec: Spec | undefined,
    quotas: PlanQuotas,
  ): Promise<void> {
    const problems = rules.check(spec, { parentSpec, quotas });
    const refs = rules.references(spec);
    const found = await store.existing(mesh.id, refs);
    for (const ref of refs) {
      if (!found.has(`${ref.kind}/${ref.name}`)) {
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
    work: (store: MeshStore) => Promise<ResourceData>,
  ): Promise<ResourceData> {
    const token = input.clientToken;
    if (token === undefined) return this.change(scope, work);
    const hash = requestHash(operation, input);
    const prior = await this.stores.reader(scope).findIdempotency(operation, token);
    if (prior) return replay(prior, hash, token);
    try {
      return await this.change(scope, async (store) => {
        const result = await work(store);
        await store.insertIdempotency(operation, token, hash, encodeResult(result));
        return result;
      });
    } catch (err) {
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
   */
  private async change<T>(scope: TenantScope, work: (store: MeshStore) => Promise<T>): Promise<T> {
    let changed: readonly string[] = [];
    const result = await this.stores.transaction(scope, async (store) => {
      const value = await work(store);
      changed = store.changedMeshIds;
      return value;
    });
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
