import { Inject, Injectable, Logger } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { tenantScopeOf } from '../../common/tenancy/tenant-scope.js';
import { PrismaService } from '../../platform/prisma/prisma.service.js';
import {
  contentHash,
  DEFAULT_PORTS_KEY,
  manifestViews,
  versionOfViews,
  compileView,
  type CompiledView,
  parsePortsKey,
  referencedHashes,
  TYPE_URLS,
  type CompiledManifest,
  type EncodedResource,
  type ViewManifest,
} from '../cache/compiled-mesh.js';
import { CompiledStore, type MeshRef } from '../cache/compiled-store.js';
import type { CompileRejection } from '../cache/translation-record.js';
import { encodeResourceAny } from '../encoding/wire.js';
import { endpointSources } from '../endpoints/endpoint-sources.js';
import { MeshSnapshotLoader } from '../snapshot/mesh-snapshot.loader.js';
import type { MeshSnapshot } from '../snapshot/mesh-snapshot.js';
import { consistent } from '../translator/consistency.js';
import type { ResourceKindName, ResourceSet } from '../translator/envoy-types.js';
import { translate, type TranslationResult } from '../translator/translate.js';
import type { CompileOutcome } from './compile-outcome.js';
import { CompilerMetrics } from './compiler.metrics.js';
import {
  flagRegressions,
  inconsistencyRejection,
  problemArns,
  regressionRejection,
  servedRecord,
  translationRecord,
  type Rejection,
} from './translation-verdict.js';

/** What a worker keeps of a mesh between compiles, so the next one only redoes what changed. */
interface Memo {
  snapshot: MeshSnapshot;
  results: Map<string, TranslationResult>;
  /** Encoded resources by object identity: unchanged views keep their objects, so they are not re-encoded. */
  encoded: WeakMap<object, EncodedResource>;
  /** Compiled views by ResourceSet identity, checked for consistency: an unchanged view costs a lookup. */
  views: WeakMap<ResourceSet, CompiledView>;
  /** The resource hashes of the manifest this worker last published (or found published), by its version. */
  published?: { version: string; hashes: Set<string> };
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
    // Read incrementally from the snapshot this worker compiled last (its change log since then).
    const previous = this.memos.get(ref.meshId)?.snapshot;
    const snapshot = mesh
      ? await this.loader.load(tenantScopeOf(mesh.tenant), mesh.name, { meshId: ref.meshId, previous })
      : undefined;
    if (!mesh || !snapshot) {
      this.memos.delete(ref.meshId);
      await this.store.remove(ref);
      await this.store.notify(ref);
      return { status: 'deleted', durationMs: elapsed() };
    }
    // Read while translating: the commit time of the newest change this compile includes.
    const committedAt = this.committedAt(ref.meshId, snapshot.generation);
    committedAt.catch(() => undefined); // awaited below; never an unhandled rejection meanwhile
    const base = await this.store.meta(ref);
    // A newer generation was already published, or rejected.
    if ([base.generation, base.rejected].some((g) => g !== undefined && BigInt(g) > BigInt(snapshot.generation))) {
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
    // Views the translator rebuilt are checked; reused ones were checked when they were built.
    const inconsistencies = [...results.values()].flatMap((r) =>
      consistent(new Map([...r.views].filter(([, set]) => !memo.views.has(set)))),
    );
    const problems = results.get(DEFAULT_PORTS_KEY)!.problems;
    if (inconsistencies.length > 0) {
      // A translator defect, not a user error: keep serving the last good compile. Recorded, not
      // thrown: the same snapshot translates the same way, so a retry would only loop.
      this.log.error(
        `mesh ${ref.meshId} generation ${snapshot.generation}: not published: ${inconsistencies.join('; ')}`,
      );
      const rejection = inconsistencyRejection(inconsistencies, problems, snapshot.meshArn);
      return this.reject(ref, snapshot, base.version ?? '', rejection, elapsed);
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
    const compiled = (set: ResourceSet): CompiledView => {
      let view = memo.views.get(set);
      if (!view) {
        view = compileView(set, encode);
        memo.views.set(set, view);
      }
      return view;
    };
    const variants: Record<string, Record<string, ViewManifest>> = {};
    const viewHashes: string[] = [];
    for (const [key, result] of results) {
      const built = manifestViews(result.views, compiled, (encoded, arn) => {
        all.set(encoded.hash, encoded);
        if (arn) arns[encoded.hash] = arn;
      });
      variants[key] = built.views;
      viewHashes.push(...built.hashes.map((h) => `${key}/${h}`));
    }
    const version = versionOfViews(viewHashes);

    // Commit the memo only now: a failed publish must not make the next compile skip work.
    memo.snapshot = snapshot;
    memo.results = results;

    // A change that would take configuration away from what the proxies are served is not published.
    if (base.version !== version && problems.length > 0) {
      const served = await this.store.served(ref, problemArns(problems));
      const rejection = regressionRejection(flagRegressions(problems, served));
      if (rejection) return this.reject(ref, snapshot, base.version ?? '', rejection, elapsed);
    }
    const records = {
      served: servedRecord(snapshot, problems),
      translation: translationRecord(snapshot, base.version === version ? 'unchanged' : 'published', problems),
    };

    if (base.version === version) {
      const touched = await this.store.touch(ref, snapshot.generation, version, records);
      if (touched === 'conflict') return 'conflict';
      if (touched === 'superseded')
        return { status: 'superseded', generation: snapshot.generation, durationMs: elapsed() };
      await this.markCompiled(ref, snapshot.generation);
      return { status: 'unchanged', generation: snapshot.generation, version, durationMs: elapsed() };
    }

    // Send only what the published base lacks. If the manifest read is not that base (a publish
    // raced in between), send everything: the script then refuses the stale base anyway.
    const published = await this.publishedHashes(ref, memo, base.version);
    const added = [...all.values()].filter((r) => !published.has(r.hash));
    const manifest: CompiledManifest = {
      tenantId: ref.tenantId,
      meshId: ref.meshId,
      meshName: snapshot.meshName,
      generation: snapshot.generation,
      committedAt: await committedAt,
      compiledAt: Date.now(),
      version,
      variants,
      arns,
      backends: Object.fromEntries(snapshot.virtualNodes.map((n) => [n.name, backendServices(n.spec)])),
      problems,
      endpointSources: endpointSources(snapshot, variants),
    };
    const result = await this.store.publish(manifest, base.version ?? '', [...all.keys()], added, records);
    if (result === 'conflict') return 'conflict';
    if (result === 'superseded')
      return { status: 'superseded', generation: snapshot.generation, durationMs: elapsed() };
    memo.published = { version, hashes: new Set(all.keys()) };
    await this.store.notify({ ...ref, version, generation: snapshot.generation });
    await this.markCompiled(ref, snapshot.generation);
    this.metrics.resourcesEncoded.inc(added.length);
    return { status: 'published', generation: snapshot.generation, version, durationMs: elapsed() };
  }

  /**
   * Records a compile that is not published: the proxies keep the last good configuration, the
   * APIs show the rejection and the resources' states, and the compiled generation moves on (the
   * sweep must not recompile a rejected generation forever; the next change compiles again).
   */
  private async reject(
    ref: MeshRef,
    snapshot: MeshSnapshot,
    baseVersion: string,
    rejection: Rejection,
    elapsed: () => number,
  ): Promise<CompileOutcome | 'conflict'> {
    const record: CompileRejection = {
      generation: snapshot.generation,
      at: new Date().toISOString(),
      reason: rejection.reason,
      problems: rejection.problems,
    };
    const others = rejection.problems.filter((p) => !rejection.rejected.has(p.arn));
    const translation = translationRecord(snapshot, rejection.verdict, others, rejection.rejected);
    const result = await this.store.reject(ref, baseVersion, record, translation);
    if (result === 'conflict') return 'conflict';
    if (result === 'superseded')
      return { status: 'superseded', generation: snapshot.generation, durationMs: elapsed() };
    await this.markCompiled(ref, snapshot.generation);
    if (rejection.verdict === 'rejected')
      this.log.warn(`mesh ${ref.meshId} generation ${snapshot.generation}: ${rejection.reason}`);
    return {
      status: rejection.verdict,
      generation: snapshot.generation,
      reason: rejection.reason,
      durationMs: elapsed(),
    };
  }

  private memoFor(meshId: string, snapshot: MeshSnapshot): Memo {
    let memo = this.memos.get(meshId);
    if (memo) {
      this.memos.delete(meshId); // re-insert: most recently used last
    } else {
      memo = { snapshot, results: new Map(), encoded: new WeakMap(), views: new WeakMap() };
    }
    this.memos.set(meshId, memo);
    if (this.memos.size > MEMO_LIMIT) this.memos.delete(this.memos.keys().next().value!);
    return memo;
  }

  /**
   * The resource hashes the published manifest (version `baseVersion`) references: what this
   * worker published last, or read from Redis. Empty when unknown (a publish raced in between):
   * then everything is sent, and the script refuses the stale base anyway.
   */
  private async publishedHashes(ref: MeshRef, memo: Memo, baseVersion: string | undefined): Promise<Set<string>> {
    if (!baseVersion) return new Set();
    if (memo.published?.version === baseVersion) return memo.published.hashes;
    const previous = await this.store.manifest(ref);
    if (previous?.version !== baseVersion) return new Set();
    memo.published = { version: baseVersion, hashes: referencedHashes(previous) };
    return memo.published.hashes;
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
