import { Inject, Injectable, Logger } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { tenantScopeOf } from '../../common/tenancy/tenant-scope.js';
import { PrismaService } from '../../platform/prisma/prisma.service.js';
import {
  contentHash,
  DEFAULT_PORTS_KEY,
  versionOfViews,
  type CompiledView,
  parsePortsKey,
  referencedHashes,
  TYPE_URLS,
  type CompiledManifest,
  type EncodedResource,
} from '../cache/compiled-mesh.js';
import { CompiledStore, VIEWS_LAYOUT, type MeshRef } from '../cache/compiled-store.js';
import type { CompileRejection } from '../cache/translation-record.js';
import { endpointSources } from '../endpoints/endpoint-sources.js';
import { FleetEventPublisher } from '../events/fleet-event-publisher.js';
import { MeshSnapshotLoader } from '../snapshot/mesh-snapshot.loader.js';
import type { MeshSnapshot } from '../snapshot/mesh-snapshot.js';
import { consistent } from '../translator/consistency.js';
import type { ResourceKindName, ResourceSet } from '../translator/envoy-types.js';
import type { TranslationResult } from '../translator/translate.js';
import type { CompileOutcome } from './compile-outcome.js';
import {
  CompilePhaseError,
  describeError,
  failureReference,
  unattributedReason,
  type CompileFailureReason,
} from './compile-failure.js';
import { CompilerMetrics } from './compiler.metrics.js';
import { MeshTranslator, ResourceEncoder } from './mesh-translator.js';
import { encodeProblems, narrowToChanged, ViewEncoding } from './view-encoding.js';
import {
  failureRejection,
  failureTranslationRecord,
  flagRegressions,
  inconsistencyRejection,
  problemArns,
  regressionRejection,
  servedRecord,
  snapshotResources,
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
    private readonly translator: MeshTranslator,
    private readonly encoder: ResourceEncoder,
    private readonly events: FleetEventPublisher,
  ) {}

  async compile(tenantId: string, meshId: string): Promise<CompileOutcome> {
    const started = performance.now();
    const elapsed = () => performance.now() - started;
    const ref: MeshRef = { tenantId, meshId };
    try {
      for (let attempt = 1; ; attempt++) {
        const outcome = await this.attempt(ref, elapsed);
        if (outcome !== 'conflict') {
          this.metrics.compiles.inc({ status: outcome.status });
          this.metrics.compileSeconds.observe(outcome.durationMs / 1000);
          if (outcome.status === 'inconsistent') this.failed('inconsistent');
          if (outcome.status === 'failed') this.failed(outcome.cause);
          return outcome;
        }
        if (attempt === CONFLICT_ATTEMPTS) throw new Error(`mesh ${meshId}: concurrent compiles kept conflicting`);
      }
    } catch (err) {
      // PostgreSQL or Redis (or a failure while recording a failure): the reconciler backs off.
      this.metrics.compiles.inc({ status: 'error' });
      this.failed('error');
      throw err;
    }
  }

  private failed(reason: CompileFailureReason): void {
    this.metrics.compileFailures.inc({ reason });
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
    let base = await this.store.meta(ref);
    if (base.version !== undefined && base.layout !== VIEWS_LAYOUT && (await this.store.convertLegacy(ref))) {
      // Published by a release before ADR 0026: stored in parts as it is first, so what this
      // compile decides (publish, touch, reject) starts from a last good configuration shards read.
      base = await this.store.meta(ref);
    }
    // A newer generation was already published, or rejected.
    if ([base.generation, base.rejected].some((g) => g !== undefined && BigInt(g) > BigInt(snapshot.generation))) {
      return { status: 'superseded', generation: snapshot.generation, durationMs: elapsed() };
    }

    const variantKeys = [DEFAULT_PORTS_KEY, ...(await this.store.variants(ref)).filter((k) => parsePortsKey(k))];
    try {
      return await this.build(ref, snapshot, base, new Set(variantKeys), committedAt, elapsed);
    } catch (err) {
      if (!(err instanceof CompilePhaseError)) throw err;
      // Nothing of this generation could be built, and nobody to attribute it to: recorded (the
      // APIs show it), not published, and the generation stays uncompiled so the reconciler
      // retries it with backoff (a fixed worker then converges without a change).
      this.memos.delete(ref.meshId);
      const reference = failureReference();
      this.log.error(
        `mesh ${ref.meshId} generation ${snapshot.generation}: not compiled (reference ${reference}): ${describeError(err)}`,
      );
      const reason = unattributedReason(err.phase, snapshot.generation, reference);
      const translation = failureTranslationRecord(snapshot, await this.store.translation(ref), reason);
      const rejection = failureRejection(reason, snapshot.meshArn, []);
      return this.reject(ref, snapshot, base.version ?? '', rejection, elapsed, { cause: err.phase, translation });
    }
  }

  /**
   * The pure part of a compile (translate, check, encode) and its publish. A throw of the
   * translator or of building the manifests is a CompilePhaseError; I/O errors pass as they are.
   */
  private async build(
    ref: MeshRef,
    snapshot: MeshSnapshot,
    base: { generation?: string; version?: string; rejected?: string; layout?: string },
    variantKeys: ReadonlySet<string>,
    committedAt: Promise<number>,
    elapsed: () => number,
  ): Promise<CompileOutcome | 'conflict'> {
    const memo = this.memoFor(ref.meshId, snapshot);
    const results = this.translateVariants(memo, snapshot, variantKeys);
    // Views the translator rebuilt are checked; reused ones were checked when they were built.
    const inconsistencies = phase('internal', () =>
      [...results.values()].flatMap((r) => consistent(new Map([...r.views].filter(([, set]) => !memo.views.has(set))))),
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

    const encoding = new ViewEncoding((kind, resource) => {
      let encoded = memo.encoded.get(resource);
      if (!encoded) {
        const any = this.encoder.encode(TYPE_URLS[kind], resource);
        encoded = { hash: contentHash(any), any };
        memo.encoded.set(resource, encoded);
      }
      return encoded;
    });
    const assembled = await this.assemble(ref, memo, results, encoding, base.version, snapshot.meshArn);
    const { variants, all, arns, kept } = assembled;
    const failures =
      assembled.failures.length > 0
        ? narrowToChanged(assembled.failures, await this.store.translation(ref), snapshotResources(snapshot))
        : [];
    const version = versionOfViews(assembled.viewHashes);
    // Resources that could not be encoded are REJECTED in their Describe, and problems like a
    // translation's; those kept at their last good version take nothing away from the proxies.
    const encodeFailed = encodeProblems(failures);
    const leftOut = encodeProblems(failures.filter((f) => !f.kept));
    const rejectedByEncoder = new Map(encodeFailed.map((p) => [p.arn, p.message]));
    const degraded = failures.length > 0 ? { encoderFailures: failures.length } : {};
    if (failures.length > 0) {
      this.failed('encoder');
      this.log.warn(
        `mesh ${ref.meshId} generation ${snapshot.generation}: ${failures.length} resource(s) could not be encoded: ${encodeFailed[0]!.arn}: ${encodeFailed[0]!.message}`,
      );
    }

    // Commit the memo only now: a failed publish must not make the next compile skip work.
    memo.snapshot = snapshot;
    memo.results = results;

    // A change that would take configuration away from what the proxies are served is not published.
    const blocking = [...problems, ...leftOut];
    if (base.version !== version && blocking.length > 0) {
      const served = await this.store.served(ref, problemArns(blocking));
      const rejection = regressionRejection(flagRegressions(blocking, served));
      if (rejection) return this.reject(ref, snapshot, base.version ?? '', rejection, elapsed);
    }
    const allProblems = [...problems, ...encodeFailed];
    // A mesh published before manifests were stored in parts (ADR 0026) is published again in
    // parts, even when its content did not change: readers no longer read the older layout.
    const unchanged = base.version === version && base.layout === VIEWS_LAYOUT;
    const verdict = unchanged ? 'unchanged' : 'published';
    const records = {
      served: servedRecord(snapshot, allProblems),
      translation: translationRecord(snapshot, verdict, problems, rejectedByEncoder),
    };

    if (unchanged) {
      const touched = await this.store.touch(ref, snapshot.generation, version, records);
      if (touched === 'conflict') return 'conflict';
      if (touched === 'superseded')
        return { status: 'superseded', generation: snapshot.generation, durationMs: elapsed() };
      await this.markCompiled(ref, snapshot.generation);
      await this.announceCompiled(ref, snapshot, version);
      return { status: 'unchanged', generation: snapshot.generation, version, durationMs: elapsed(), ...degraded };
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
      compileVersion: version,
      variants,
      views: viewHashesByKey(assembled.viewHashes),
      arns,
      backends: Object.fromEntries(snapshot.virtualNodes.map((n) => [n.name, backendServices(n.spec)])),
      problems: allProblems,
      endpointSources: endpointSources(snapshot, variants),
    };
    const keep = [...all.keys(), ...[...kept].filter((h) => !all.has(h))];
    const result = await this.store.publish(manifest, base.version ?? '', keep, added, records);
    if (result === 'conflict') return 'conflict';
    if (result === 'superseded')
      return { status: 'superseded', generation: snapshot.generation, durationMs: elapsed() };
    memo.published = { version, hashes: new Set(keep) };
    await this.store.notify({ ...ref, version, generation: snapshot.generation });
    await this.markCompiled(ref, snapshot.generation);
    await this.announceCompiled(ref, snapshot, version);
    this.metrics.resourcesEncoded.inc(added.length);
    return { status: 'published', generation: snapshot.generation, version, durationMs: elapsed(), ...degraded };
  }

  /**
   * Translates every proxy-port variant, incrementally from this worker's last translation. A throw
   * is retried once from scratch (a defect in the incremental path must not outlive a full
   * translation), then is a CompilePhaseError: nothing of this snapshot can be built.
   */
  private translateVariants(
    memo: Memo,
    snapshot: MeshSnapshot,
    variantKeys: ReadonlySet<string>,
  ): Map<string, TranslationResult> {
    const run = (incremental: boolean) => {
      const results = new Map<string, TranslationResult>();
      for (const key of variantKeys) {
        const previous = incremental ? memo.results.get(key) : undefined;
        results.set(
          key,
          this.translator.translate(
            snapshot,
            parsePortsKey(key)!,
            previous && memo.snapshot !== snapshot ? { snapshot: memo.snapshot, result: previous } : undefined,
          ),
        );
      }
      return results;
    };
    try {
      return run(true);
    } catch (first) {
      if (memo.results.size === 0) throw new CompilePhaseError('translator', first);
      this.log.warn(
        `mesh ${snapshot.meshArn}: incremental translation threw, translating from scratch: ${describeError(first)}`,
      );
      memo.results = new Map();
      memo.views = new WeakMap();
      return phase('translator', () => run(false));
    }
  }

  /**
   * Encodes every variant's views (reusing the views and resources this worker encoded before),
   * then replaces what could not be encoded by its last good version from the published manifest,
   * read only then (see view-encoding.ts). Anything else thrown is a CompilePhaseError.
   */
  private async assemble(
    ref: MeshRef,
    memo: Memo,
    results: ReadonlyMap<string, TranslationResult>,
    encoding: ViewEncoding,
    baseVersion: string | undefined,
    meshArn: string,
  ) {
    const built = phase('internal', () => {
      const out = new Map<string, Map<string, CompiledView>>();
      for (const [key, result] of results) {
        const views = new Map<string, CompiledView>();
        for (const [viewName, set] of result.views) {
          let view = memo.views.get(set);
          if (!view) {
            const fresh = encoding.build(set);
            view = fresh.view;
            // A view with a resource that failed is built again next time: the fault may be gone.
            if (fresh.clean) memo.views.set(set, view);
          }
          views.set(viewName, view);
        }
        out.set(key, views);
      }
      return out;
    });
    const published = encoding.failed && baseVersion ? await this.store.manifest(ref) : undefined;
    return phase('internal', () =>
      encoding.assemble(built, published?.version === baseVersion ? published : undefined, meshArn),
    );
  }

  /**
   * Records a compile that is not published: the proxies keep the last good configuration, the
   * APIs show the rejection and the resources' states. A rejected or inconsistent generation is
   * marked compiled (a retry would translate the same snapshot the same way; the next change
   * compiles again); a failed one is not: the reconciler retries it with backoff.
   */
  private async reject(
    ref: MeshRef,
    snapshot: MeshSnapshot,
    baseVersion: string,
    rejection: Rejection,
    elapsed: () => number,
    failure?: { cause: 'translator' | 'internal'; translation: Record<string, string> },
  ): Promise<CompileOutcome | 'conflict'> {
    const record: CompileRejection = {
      generation: snapshot.generation,
      at: new Date().toISOString(),
      reason: rejection.reason,
      problems: rejection.problems,
    };
    const others = rejection.problems.filter((p) => !rejection.rejected.has(p.arn));
    const translation =
      failure?.translation ?? translationRecord(snapshot, rejection.verdict, others, rejection.rejected);
    const result = await this.store.reject(ref, baseVersion, record, translation);
    if (result === 'conflict') return 'conflict';
    if (result === 'superseded')
      return { status: 'superseded', generation: snapshot.generation, durationMs: elapsed() };
    const announce = () =>
      this.events.publishNow(ref.tenantId, [
        {
          type: 'meshRejected',
          meshId: ref.meshId,
          meshName: snapshot.meshName,
          rejection: { ...record, problems: [...record.problems] },
        },
      ]);
    if (failure) {
      await announce();
      return {
        status: 'failed',
        cause: failure.cause,
        generation: snapshot.generation,
        reason: rejection.reason,
        durationMs: elapsed(),
      };
    }
    await this.markCompiled(ref, snapshot.generation);
    await announce();
    if (rejection.verdict === 'rejected')
      this.log.warn(`mesh ${ref.meshId} generation ${snapshot.generation}: ${rejection.reason}`);
    return {
      status: rejection.verdict === 'inconsistent' ? 'inconsistent' : 'rejected',
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

  /**
   * Tells the api role a compile is served (fleet events, ADR 0019), once the store and
   * `compiled_generation` say so: a subscriber that reads the propagation when told sees it.
   */
  private announceCompiled(ref: MeshRef, snapshot: MeshSnapshot, version: string): Promise<void> {
    return this.events.publishNow(ref.tenantId, [
      {
        type: 'meshCompiled',
        meshId: ref.meshId,
        meshName: snapshot.meshName,
        generation: snapshot.generation,
        version,
        at: new Date().toISOString(),
      },
    ]);
  }

  /** Moves `compiled_generation` forward, never back (a concurrent newer compile may have moved it already). */
  private async markCompiled(ref: MeshRef, generation: string): Promise<void> {
    await this.prisma.mesh.updateMany({
      where: { id: ref.meshId, tenantId: ref.tenantId, compiledGeneration: { lt: BigInt(generation) } },
      data: { compiledGeneration: BigInt(generation) },
    });
  }
}

/** Runs a pure phase of the compile: whatever it throws becomes a CompilePhaseError of that phase. */
function phase<T>(name: 'translator' | 'internal', run: () => T): T {
  try {
    return run();
  } catch (err) {
    throw err instanceof CompilePhaseError ? err : new CompilePhaseError(name, err);
  }
}

/** View key → view hash, from the compiler's `<variant>/<view>=<hash>` lines (hashes are base64url: no `=`). */
function viewHashesByKey(lines: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    lines.map((line) => {
      const at = line.lastIndexOf('=');
      return [line.slice(0, at), line.slice(at + 1)];
    }),
  );
}

/** The virtual services a virtual node lists as backends. */
function backendServices(spec: unknown): string[] {
  const backends = (spec as { backends?: { virtualService?: { virtualServiceName?: string } }[] }).backends ?? [];
  return backends.flatMap((b) => (b.virtualService?.virtualServiceName ? [b.virtualService.virtualServiceName] : []));
}
