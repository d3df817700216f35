import { Injectable } from '@nestjs/common';
import type { TenantScope } from '../../common/tenancy/tenant-scope.js';
import type { Mesh } from '../../generated/prisma/client.js';
import { meshNotFound } from '../../meshes/resources/mesh-resources.service.js';
import { MeshStoreFactory } from '../../meshes/resources/mesh-store.factory.js';
import { CompiledStore } from '../cache/compiled-store.js';
import type { CompileRejection } from '../cache/translation-record.js';
import { SessionRegistry, type SessionRecord } from '../sessions/session-registry.js';

/** A connected proxy as the APIs show it: its registry record, and whether it holds the latest compile. */
export type ProxyView = Omit<SessionRecord, 'tenantId' | 'meshId' | 'meshName'> & {
  /** Whether the proxy holds the mesh's latest compiled configuration. */
  readonly inSync: boolean;
};

export interface MeshStatus {
  readonly meshName: string;
  /** Increases with every committed change to the mesh or anything in it. */
  readonly generation: string;
  /**
   * The newest generation compiled: published, or rejected (then see `rejected`). A generation
   * whose compile failed (`rejected` with an `internal error: … could not be compiled` reason) is
   * not compiled: it is retried with backoff, and this stays behind `generation` meanwhile.
   */
  readonly compiledGeneration: string;
  /** The generation whose configuration the xDS fleet serves (the last compile that was published). */
  readonly servedGeneration?: string;
  readonly compiledVersion?: string;
  readonly compiledAt?: string;
  /**
   * Configuration problems of what the fleet serves, by the ARN of the resource at fault, with
   * what the latest compile made of that resource (`translation`, as in its Describe): `DEGRADED`,
   * the part the problem affects is left out; `REJECTED`, its latest version is not served (the
   * encoder refused it: the proxies keep its last good version).
   */
  readonly problems: readonly ServedProblem[];
  /**
   * The latest compile, when it was not published (a problem on a resource the proxies are served
   * without one, a translator defect, or a failure nobody could attribute, retried with backoff):
   * the proxies keep the configuration of `servedGeneration`. Cleared by the next compile that
   * publishes. Only ever this tenant's mesh: it is read by tenant and mesh id.
   */
  readonly rejected?: CompileRejection;
  readonly proxies: { readonly connected: number; readonly inSync: number; readonly withNack: number };
  /**
   * True when every committed change is compiled and published, and every connected proxy ACKed
   * it: "has my change landed?". False while the latest generation is rejected.
   */
  readonly inSync: boolean;
  readonly proxyDetails: readonly ProxyView[];
}

export interface ServedProblem {
  readonly arn: string;
  readonly message: string;
  readonly translation?: 'DEGRADED' | 'REJECTED';
}

/** What the xDS fleet holds for a mesh: its connected proxies and whether they are up to date. */
@Injectable()
export class MeshStatusService {
  constructor(
    private readonly stores: MeshStoreFactory,
    private readonly compiled: CompiledStore,
    private readonly registry: SessionRegistry,
  ) {}

  async proxies(scope: TenantScope, meshName: string): Promise<ProxyView[]> {
    return this.proxiesOf(scope, await this.mesh(scope, meshName));
  }

  async status(scope: TenantScope, meshName: string): Promise<MeshStatus> {
    return this.statusOf(scope, await this.mesh(scope, meshName));
  }

  /**
   * `proxies` for many meshes at once (the GraphQL API's batched loading): the meshes are looked
   * up in one SQL statement, whatever their number; each answer is the proxies or the error
   * `proxies` would throw for that mesh. The fleet's records are read per mesh, concurrently.
   */
  proxiesBatch(scope: TenantScope, meshNames: readonly string[]): Promise<(ProxyView[] | Error)[]> {
    return this.batch(scope, meshNames, (mesh) => this.proxiesOf(scope, mesh));
  }

  /** `status` for many meshes at once, as `proxiesBatch`. */
  statusBatch(scope: TenantScope, meshNames: readonly string[]): Promise<(MeshStatus | Error)[]> {
    return this.batch(scope, meshNames, (mesh) => this.statusOf(scope, mesh));
  }

  private async batch<T>(
    scope: TenantScope,
    meshNames: readonly string[],
    read: (mesh: Mesh) => Promise<T>,
  ): Promise<(T | Error)[]> {
    const meshes = new Map(
      (await this.stores.reader(scope).findMeshes([...new Set(meshNames)])).map((m) => [m.name, m]),
    );
    return Promise.all(
      meshNames.map((name) => {
        const mesh = meshes.get(name);
        return mesh ? read(mesh).catch((err: Error) => err) : meshNotFound(scope, name);
      }),
    );
  }

  private async proxiesOf(scope: TenantScope, mesh: Mesh): Promise<ProxyView[]> {
    const meta = await this.compiled.meta({ tenantId: scope.tenantId, meshId: mesh.id });
    return (await this.registry.list(scope.tenantId, mesh.id)).map((r) => proxyView(r, meta.version));
  }

  private async statusOf(scope: TenantScope, mesh: Mesh): Promise<MeshStatus> {
    const ref = { tenantId: scope.tenantId, meshId: mesh.id };
    const [manifest, meta, problems, rejected, records] = await Promise.all([
      this.compiled.head(ref),
      this.compiled.meta(ref),
      this.compiled.servedProblems(ref),
      this.compiled.rejection(ref),
      this.registry.list(scope.tenantId, mesh.id),
    ]);
    const proxies = records.map((r) => proxyView(r, manifest?.version));
    const compiled = manifest !== undefined || rejected !== undefined;
    return {
      meshName: mesh.name,
      generation: mesh.generation.toString(),
      compiledGeneration: compiled ? mesh.compiledGeneration.toString() : '0',
      ...(manifest
        ? {
            servedGeneration: meta.generation ?? manifest.generation,
            compiledVersion: manifest.version,
            compiledAt: new Date(manifest.compiledAt).toISOString(),
          }
        : {}),
      // A mesh last published before the served record existed: its compile's extras have the problems.
      problems: await this.withStates(
        ref,
        problems ?? (manifest ? ((await this.compiled.compileExtras(ref))?.problems ?? []) : []),
      ),
      ...(rejected ? { rejected } : {}),
      proxies: {
        connected: proxies.length,
        inSync: proxies.filter((p) => p.inSync).length,
        withNack: proxies.filter((p) => p.lastNack !== undefined).length,
      },
      inSync:
        manifest !== undefined &&
        rejected === undefined &&
        mesh.compiledGeneration >= mesh.generation &&
        proxies.every((p) => p.inSync),
      proxyDetails: proxies,
    };
  }

  /** Each problem with its resource's state in the latest compile (one HMGET, only when there are problems). */
  private async withStates(
    ref: { tenantId: string; meshId: string },
    problems: readonly { arn: string; message: string }[],
  ): Promise<ServedProblem[]> {
    const entries = await this.compiled.translationsOf(ref, [...new Set(problems.map((p) => p.arn))]);
    return problems.map((p) => {
      const state = entries.get(p.arn)?.s;
      return { arn: p.arn, message: p.message, ...(state ? { translation: state } : {}) };
    });
  }

  /** The mesh's id, for what follows it by id (fleet events); NOT_FOUND for a mesh the tenant does not have. */
  async meshRef(scope: TenantScope, meshName: string): Promise<{ meshId: string; meshName: string }> {
    const mesh = await this.mesh(scope, meshName);
    return { meshId: mesh.id, meshName: mesh.name };
  }

  /** Every live session of a tenant, all meshes (operators). */
  async tenantProxies(scope: TenantScope): Promise<(ProxyView & { meshName: string })[]> {
    return (await this.registry.list(scope.tenantId)).map((r) => ({
      ...proxyView(r, undefined),
      meshName: r.meshName,
    }));
  }

  private async mesh(scope: TenantScope, meshName: string) {
    const mesh = await this.stores.reader(scope).findMesh(meshName);
    if (!mesh) throw meshNotFound(scope, meshName);
    return mesh;
  }
}

function proxyView(r: SessionRecord, compiledVersion: string | undefined): ProxyView {
  const { tenantId: _tenant, meshId: _mesh, meshName: _name, ...shown } = r;
  return { ...shown, inSync: compiledVersion !== undefined && r.syncedVersion === compiledVersion };
}
