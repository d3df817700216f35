import { Inject, Injectable, Logger } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import {
  contentHash,
  TYPE_URLS,
  versionOfViewHashes,
  viewHash,
  type EncodedResource,
  type ViewManifest,
} from '../cache/compiled-mesh.js';
import { CompiledStore, type MeshRef } from '../cache/compiled-store.js';
import type { ManifestHead } from '../cache/manifest-layout.js';
import { encodeResourceAny } from '../encoding/wire.js';
import { ReconcileQueue } from '../reconcile/reconcile-queue.js';
import { AssignmentStore } from './assignment-store.js';
import { EndpointMetrics } from './endpoint.metrics.js';
import { EndpointRegistry } from './endpoint-registry.js';
import { buildAssignment } from './endpoint-sources.js';
import { NodeEndpoints } from './node-endpoints.js';
import { NodeSpecsReader } from './node-specs.reader.js';

/** What one endpoints update of one mesh did. */
export type EndpointUpdateOutcome =
  /** New assignments were published (same generation, new version) and the shards told. */
  | { readonly status: 'published'; readonly version: string; readonly assignments: number }
  /** The published assignments already hold the live endpoints. */
  | { readonly status: 'unchanged' }
  /** The mesh has no compile yet (or no longer exists): its first compile reads the endpoints. */
  | { readonly status: 'not_compiled' }
  /** The published compile cannot be updated in place; a full compile was enqueued instead. */
  | { readonly status: 'recompile'; readonly reason: string };

/** Attempts when a compile or another update published between our read and our write. */
const CONFLICT_ATTEMPTS = 3;

/**
 * The endpoints fast path: applies a change of a mesh's live endpoints to its published compile
 * without translating the mesh. The compile records which ClusterLoadAssignment is built from
 * which virtual node and which views hold it (the endpoint sources, one field per node); the
 * dirty nodes' assignments are rebuilt with the translator's own builders from the live
 * endpoints, encoded once, and their hashes replaced in the views that hold them. Only the
 * manifest's head, those nodes' sources and those views are read and written (ADR 0026): the
 * cost follows what changed, not the mesh. The result is published with compare-and-set on the
 * version the update started from (see AssignmentStore); on conflict it starts again, and after
 * CONFLICT_ATTEMPTS it leaves the change to a full compile (which reads the endpoints too).
 *
 * A full compile of the same state produces the same assignment bytes, the same views and the
 * same version (`versionOfViewHashes`), so the next compile of the mesh finds nothing to publish.
 */
@Injectable()
export class EndpointUpdater {
  private readonly log = new Logger(EndpointUpdater.name);

  constructor(
    private readonly store: CompiledStore,
    private readonly assignments: AssignmentStore,
    private readonly registry: EndpointRegistry,
    private readonly nodeEndpoints: NodeEndpoints,
    private readonly specs: NodeSpecsReader,
    private readonly reconcile: ReconcileQueue,
    @Inject(EndpointMetrics) private readonly metrics: EndpointMetrics,
  ) {}

  /**
   * `changedAt`: when the first change this update covers happened (starts the change→ACK clock).
   * `all`: rebuild every assignment, not only the marked nodes' (a change nobody marked for).
   */
  async update(ref: MeshRef, changedAt: number, options: { all?: boolean } = {}): Promise<EndpointUpdateOutcome> {
    const started = performance.now();
    // Before reading: a change from now on marks the mesh again (and enqueues another update).
    const marked = await this.registry.takeDirty(ref);
    const dirty = options.all ? 'all' : marked;
    let outcome: EndpointUpdateOutcome | 'conflict' = 'conflict';
    for (let attempt = 1; attempt <= CONFLICT_ATTEMPTS && outcome === 'conflict'; attempt++) {
      outcome = await this.attempt(ref, changedAt, dirty);
    }
    if (outcome === 'conflict') outcome = await this.recompile(ref, 'concurrent publishes kept conflicting');
    this.metrics.updates.inc({ status: outcome.status });
    this.metrics.updateSeconds.observe((performance.now() - started) / 1000);
    return outcome;
  }

  /** `dirty`: the nodes whose assignments are rebuilt (the others cannot have changed). */
  private async attempt(
    ref: MeshRef,
    changedAt: number,
    dirty: ReadonlySet<string> | 'all',
  ): Promise<EndpointUpdateOutcome | 'conflict'> {
    const head = await this.store.head(ref);
    if (!head) {
      // Published before manifests were stored in parts (ADR 0026): a compile stores it anew.
      if ((await this.store.meta(ref)).version) return this.recompile(ref, 'its compile is stored in an older layout');
      return { status: 'not_compiled' };
    }
    const sources = await this.store.assignmentSources(ref, dirty === 'all' ? 'all' : [...dirty]);
    const affected = [...sources.values()].flatMap((node) => Object.entries(node));
    if (affected.length === 0) return { status: 'unchanged' };
    const { meshSpec, nodes } = await this.specs.read(ref, [...sources.keys()]);
    const endpoints = await this.nodeEndpoints.read(ref, meshSpec, nodes);
    const rebuilt = new Map<string, EncodedResource>();
    this.metrics.rebuilt.inc(affected.length);
    for (const [name, { source }] of affected) {
      const assignment = buildAssignment(name, source, head.region, endpoints[source.node] ?? []);
      const any = encodeResourceAny(TYPE_URLS.endpoints, assignment);
      rebuilt.set(name, { hash: contentHash(any), any });
    }

    // Only the views that hold a rebuilt assignment are read, patched and written.
    const keys = new Set(affected.flatMap(([, a]) => a.views));
    const views = await this.store.viewManifests(ref, [...keys]);
    if (views.size !== keys.size) return 'conflict'; // a compile replaced the views since the head was read
    const patched = new Map<string, ViewManifest>();
    const viewHashes = { ...head.views };
    const before = new Set<string>();
    const after = new Set<string>();
    for (const [key, view] of views) {
      let assignments: Record<string, string> | undefined;
      for (const [name, hash] of Object.entries(view.endpoints)) {
        const next = rebuilt.get(name);
        if (!next || next.hash === hash) continue;
        assignments ??= { ...view.endpoints };
        assignments[name] = next.hash;
        before.add(hash);
        after.add(next.hash);
      }
      if (!assignments) continue;
      // Spreading keeps the key order, so the view reads exactly as a compile writes it.
      const next = { ...view, endpoints: assignments };
      patched.set(key, next);
      viewHashes[key] = viewHash(next);
    }
    if (patched.size === 0) return { status: 'unchanged' };

    const next: ManifestHead = {
      ...head,
      version: versionOfViewHashes(viewHashes),
      views: viewHashes,
      compiledAt: Date.now(),
      committedAt: changedAt,
    };
    // An assignment's bytes hold its name, so no other resource shares them: every view that
    // holds a rebuilt assignment was patched, and the hashes it replaced are referenced by none.
    const added = [...rebuilt.values()].filter((r) => after.has(r.hash) && !before.has(r.hash));
    const dropped = [...before].filter((h) => !after.has(h));
    const result = await this.assignments.publish(next, head.version, patched, added, dropped);
    if (result === 'conflict') return 'conflict';
    await this.store.notify({ ...ref, version: next.version, generation: next.generation });
    return { status: 'published', version: next.version, assignments: added.length };
  }

  private async recompile(ref: MeshRef, reason: string): Promise<EndpointUpdateOutcome> {
    this.log.warn(`mesh ${ref.meshId}: endpoints not updated in place (${reason}); compiling it instead`);
    await this.reconcile.enqueue(ref.tenantId, ref.meshId);
    return { status: 'recompile', reason };
  }
}
