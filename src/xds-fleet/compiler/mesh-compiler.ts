import { Inject, Injectable, Logger } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { tenantScopeOf } from '../../common/tenancy/tenant-scope.js';
import { PrismaService } from '../../platform/prisma/prisma.service.js';
import {
  contentHash,
  DEFAULT_PORTS_KEY,
  manifestViews,
  parsePortsKey,
  referencedHashes,
  TYPE_URLS,
  type CompiledManifest,
  type EncodedResource,
  type ViewManifest,
} from '../cache/compiled-mesh.js';
import { CompiledStore, type MeshRef } from '../cache/compiled-store.js';
import { encodeResourceAny } from '../encoding/wire.js';
import { MeshSnapshotLoader } from '../snapshot/mesh-snapshot.loader.js';
import type { MeshSnapshot } from '../snapshot/mesh-snapshot.js';
import { consistent } from '../translator/consistency.js';
import type { ResourceKindName } from '../translator/envoy-types.js';
import { translate, type TranslationResult } from '../translator/translate.js';
import type { CompileOutcome } from './compile-outcome.js';
import { CompilerMetrics } from './compiler.metrics.js';

/** What a worker keeps of a mesh between compiles, so the next one only redoes what changed. */
interface Memo {
  snapshot: MeshSnapshot;
  results: Map<string, TranslationResult>;
  /** Encoded resources by object identity: unchanged views keep their objects, so they are not re-encoded. */
  encoded: WeakMap<object, EncodedResource>;
}

/** How many meshes' translations a worker keeps in memory (least recently compiled are dropped). */
const MEMO_LIMIT = 200;
/** Attempts when a concurrent compile of the same mesh published between our read and our write. */
const CONFLICT_ATTEMPTS = 3;

/**
 * Compiles one mesh: loads its latest committed state, translates it for every proxy-port variant
 * in use, encodes each resource once, publishes the result to Redis atomically (never over a newer
 * generation) and tells the xDS shards. Idempotent: compiling twice publishes once.
 */
@Injectable()
export class MeshCompiler {
  private readonly log = new Logger(MeshCompiler.name);
  private readonly memos = new Map<string, Memo>();

  constructor(
    private readonly prisma: PrismaService,
    private readonly loader: MeshSnapshotLoader,
    private readonly store: CompiledStore,
    @Inject(CompilerMetrics) private readonly metrics: CompilerMetrics,
  ) {}

  async compile(tenantId: string, meshId: string): Promise<CompileOutcome> {
    const started = performance.now();
    const elapsed = () => performance.now() - started;
    const ref: MeshRef = { tenantId, meshId };
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt(ref, elapsed);
      if (outcome !== 'conflict') {
        this.metrics.compiles.inc({ status: outcome.status });
        this.metrics.compileSeconds.observe(outcome.durationMs / 1000);
        return outcome;
      }
      if (attempt === CONFLICT_ATTEMPTS) throw new Error(`mesh ${meshId}: concurrent compiles kept conflicting`);
    }
  }

  private async attempt(ref: MeshRef, elapsed: () => number): Promise<CompileOutcome | 'conflict'> {
    const mesh = await this.prisma.mesh.findFirst({
      where: { id: ref.meshId, tenantId: ref.tenantId },
      select: { name: true, tenant: { select: { id: true, accountId: true, plan: true } } },
    });
    const snapshot = mesh ? await this.loader.load(tenantScopeOf(mesh.tenant), mesh.name) : undefined;
    if (!mesh || !snapshot) {
      this.memos.delete(ref.meshId);
      await this.store.remove(ref);
      await this.store.notify(ref);
      return { status: 'deleted', durationMs: elapsed() };
    }
    const base = await this.store.meta(ref);
    if (base.generation !== undefined && BigInt(base.generation) > BigInt(snapshot.generation)) {
      return { status: 'superseded', generation: snapshot.generation, durationMs: elapsed() };
    }

    const memo = this.memoFor(ref.meshId, snapshot);
    const variantKeys = [DEFAULT_PORTS_KEY, ...(await this.store.variants(ref)).filter((k) => parsePortsKey(k))];
    const results = new Map<string, TranslationResult>();
    for (const key of new Set(variantKeys)) {
      const previous = memo.results.get(key);
      results.set(
        key,
        translate(
          snapshot,
          parsePortsKey(key)!,
          previous && memo.snapshot !== snapshot ? { snapshot: memo.snapshot, result: previous } : undefined,
        ),
      );
    }
    const inconsistencies = [...results.values()].flatMap((r) => consistent(r.views));
    if (inconsistencies.length > 0) {
      // A translator defect, not a user error: keep serving the last good compile.
      this.log.error(
        `mesh ${ref.meshId} generation ${snapshot.generation}: not published: ${inconsistencies.join('; ')}`,
      );
      this.metrics.compiles.inc({ status: 'inconsistent' });
      throw new Error(`translation of mesh ${ref.meshId} is inconsistent: ${inconsistencies[0]}`);
    }

    const arns: Record<string, string> = {};
    const all = new Map<string, EncodedResource>();
    const encode = (kind: ResourceKindName, resource: object): EncodedResource => {
      let encoded = memo.encoded.get(resource);
      if (!encoded) {
        const any = encodeResourceAny(TYPE_URLS[kind], resource);
        encoded = { hash: contentHash(any), any };
        memo.encoded.set(resource, encoded);
      }
      return encoded;
    };
    const variants: Record<string, Record<string, ViewManifest>> = {};
    for (const [key, result] of results) {
      variants[key] = manifestViews(result.views, encode, (encoded, arn) => {
        all.set(encoded.hash, encoded);
        if (arn) arns[encoded.hash] = arn;
      });
    }
    const version = contentHash(JSON.stringify(variants));
    const problems = results.get(DEFAULT_PORTS_KEY)!.problems;

    // Commit the memo only now: a failed publish must not make the next compile skip work.
    memo.snapshot = snapshot;
    memo.results = results;

    if (base.version === version) {
      const touched = await this.store.touch(ref, snapshot.generation, version);
      if (touched === 'conflict') return 'conflict';
      if (touched === 'superseded')
        return { status: 'superseded', generation: snapshot.generation, durationMs: elapsed() };
      await this.markCompiled(ref, snapshot.generation);
      return { status: 'unchanged', generation: snapshot.generation, version, durationMs: elapsed() };
    }

    // Send only what the published base lacks. If the manifest read is not that base (a publish
    // raced in between), send everything: the script then refuses the stale base anyway.
    const previous = base.version ? await this.store.manifest(ref) : undefined;
    const published = previous && previous.version === base.version ? referencedHashes(previous) : new Set<string>();
    const added = [...all.values()].filter((r) => !published.has(r.hash));
    const manifest: CompiledManifest = {
      tenantId: ref.tenantId,
      meshId: ref.meshId,
      meshName: snapshot.meshName,
      generation: snapshot.generation,
      committedAt: await this.committedAt(ref.meshId, snapshot.generation),
      compiledAt: Date.now(),
      version,
      variants,
      arns,
      backends: Object.fromEntries(snapshot.virtualNodes.map((n) => [n.name, backendServices(n.spec)])),
      problems,
    };
    const result = await this.store.publish(manifest, base.version ?? '', [...all.keys()], added);
    if (result === 'conflict') return 'conflict';
    if (result === 'superseded')
      return { status: 'superseded', generation: snapshot.generation, durationMs: elapsed() };
    await this.store.notify({ ...ref, version, generation: snapshot.generation });
    await this.markCompiled(ref, snapshot.generation);
    this.metrics.resourcesEncoded.inc(added.length);
    return { status: 'published', generation: snapshot.generation, version, durationMs: elapsed() };
  }

  private memoFor(meshId: string, snapshot: MeshSnapshot): Memo {
    let memo = this.memos.get(meshId);
    if (memo) {
      this.memos.delete(meshId); // re-insert: most recently used last
    } else {
      memo = { snapshot, results: new Map(), encoded: new WeakMap() };
    }
    this.memos.set(meshId, memo);
    if (this.memos.size > MEMO_LIMIT) this.memos.delete(this.memos.keys().next().value!);
    return memo;
  }

  /** The commit time of the newest change included in `generation`. */
  private async committedAt(meshId: string, generation: string): Promise<number> {
    const newest = await this.prisma.meshChange.aggregate({
      where: { meshId, generation: { lte: BigInt(generation) } },
      _max: { committedAt: true },
    });
    return newest._max.committedAt?.getTime() ?? Date.now();
  }

  /** Moves `compiled_generation` forward, never back (a concurrent newer compile may have moved it already). */
  private async markCompiled(ref: MeshRef, generation: string): Promise<void> {
    await this.prisma.mesh.updateMany({
      where: { id: ref.meshId, tenantId: ref.tenantId, compiledGeneration: { lt: BigInt(generation) } },
      data: { compiledGeneration: BigInt(generation) },
    });
  }
}

/** The virtual services a virtual node lists as backends. */
function backendServices(spec: unknown): string[] {
  const backends = (spec as { backends?: { virtualService?: { virtualServiceName?: string } }[] }).backends ?? [];
  return backends.flatMap((b) => (b.virtualService?.virtualServiceName ? [b.virtualService.virtualServiceName] : []));
}
