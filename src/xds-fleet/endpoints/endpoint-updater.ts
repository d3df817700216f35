import { Inject, Injectable, Logger } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import {
  contentHash,
  manifestVersion,
  referencedHashes,
  TYPE_URLS,
  type CompiledManifest,
  type EncodedResource,
  type ViewManifest,
} from '../cache/compiled-mesh.js';
import { CompiledStore, type MeshRef } from '../cache/compiled-store.js';
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
 * without reading the mesh from PostgreSQL or translating it. The manifest records which
 * ClusterLoadAssignment is built from which virtual node (`endpointSources`); each is rebuilt with
 * the translator's own builders from the live endpoints, encoded once, and its hash replaced in
 * every view that holds it. The result is published with compare-and-set on the version the
 * update started from (see AssignmentStore); on conflict it starts again, and after
 * CONFLICT_ATTEMPTS it leaves the change to a full compile (which reads the endpoints too).
 *
 * A full compile of the same state produces the same assignment bytes, the same manifest and the
 * same version (`manifestVersion`), so the next compile of the mesh finds nothing to publish.
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

  /** `changedAt`: when the first change this update covers happened (starts the change→ACK clock). */
  async update(ref: MeshRef, changedAt: number): Promise<EndpointUpdateOutcome> {
    const started = performance.now();
    // Before reading: a change from now on marks the mesh again (and enqueues another update).
    const dirty = await this.registry.takeDirty(ref);
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
    const manifest = await this.store.manifest(ref);
    if (!manifest) return { status: 'not_compiled' };
    const sources = manifest.endpointSources;
    if (!sources) return this.recompile(ref, 'the published compile does not record its endpoint sources');

    const affected = Object.entries(sources.assignments).filter(([, s]) => dirty === 'all' || dirty.has(s.node));
    if (affected.length === 0) return { status: 'unchanged' };
    const { meshSpec, nodes } = await this.specs.read(ref, [...new Set(affected.map(([, s]) => s.node))]);
    const endpoints = await this.nodeEndpoints.read(ref, meshSpec, nodes);
    const rebuilt = new Map<string, EncodedResource>();
    this.metrics.rebuilt.inc(affected.length);
    for (const [name, source] of affected) {
      const assignment = buildAssignment(name, source, sources.region, endpoints[source.node] ?? []);
      const any = encodeResourceAny(TYPE_URLS.endpoints, assignment);
      rebuilt.set(name, { hash: contentHash(any), any });
    }

    let replaced = 0;
    const variants: Record<string, Record<string, ViewManifest>> = {};
    for (const [key, views] of Object.entries(manifest.variants)) {
      const out: Record<string, ViewManifest> = {};
      for (const [viewName, view] of Object.entries(views)) {
        let assignments: Record<string, string> | undefined;
        for (const [name, hash] of Object.entries(view.endpoints)) {
          const next = rebuilt.get(name);
          if (!next || next.hash === hash) continue;
          assignments ??= { ...view.endpoints };
          assignments[name] = next.hash;
          replaced++;
        }
        // Spreading keeps the key order, so the manifest reads exactly as a compile writes it.
        out[viewName] = assignments ? { ...view, endpoints: assignments } : view;
      }
      variants[key] = out;
    }
    if (replaced === 0) return { status: 'unchanged' };

    const next: CompiledManifest = {
      ...manifest,
      version: manifestVersion(variants),
      variants,
      compiledAt: Date.now(),
      committedAt: changedAt,
    };
    const before = referencedHashes(manifest);
    const after = referencedHashes(next);
    const added = new Map<string, EncodedResource>();
    for (const r of rebuilt.values()) if (after.has(r.hash) && !before.has(r.hash)) added.set(r.hash, r);
    const dropped = [...before].filter((h) => !after.has(h));
    const result = await this.assignments.publish(next, manifest.version, [...added.values()], dropped);
    if (result === 'conflict') return 'conflict';
    await this.store.notify({ ...ref, version: next.version, generation: next.generation });
    return { status: 'published', version: next.version, assignments: added.size };
  }

  private async recompile(ref: MeshRef, reason: string): Promise<EndpointUpdateOutcome> {
    this.log.warn(`mesh ${ref.meshId}: endpoints not updated in place (${reason}); compiling it instead`);
    await this.reconcile.enqueue(ref.tenantId, ref.meshId);
    return { status: 'recompile', reason };
  }
}
