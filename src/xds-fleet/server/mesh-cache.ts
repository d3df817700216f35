import { Logger } from '@nestjs/common';
import {
  collectionVersion,
  DEFAULT_PORTS_KEY,
  type CompiledManifest,
  type ViewManifest,
} from '../cache/compiled-mesh.js';
import type { CompiledStore, MeshRef } from '../cache/compiled-store.js';
import { deltaResource, discoveryResponseBody } from '../encoding/wire.js';
import type { ResourceKindName } from '../translator/envoy-types.js';
import { names } from '../translator/names.js';
import { PROXYLESS_VIEW_PREFIX } from '../translator/proxyless.js';
import type { ProxyKind } from '../identity/proxy-identity.js';

/** Something attached to a mesh's cache that reacts when a new compile arrives (an xDS session). */
export interface MeshListener {
  onMeshChanged(): void;
}

/**
 * What one proxy identity may be served, for one proxy-port variant: its own view (what wildcard
 * subscriptions get) and, for a virtual node, the proxyless views of its backends (reachable by
 * explicit name only, as gRPC clients ask).
 */
export interface ResolvedView {
  readonly own: ViewManifest;
  lookup(kind: ResourceKindName, name: string): string | undefined;
  /** The state-of-the-world version of the whole collection (wildcard), computed once per compile. */
  wildcardVersion(kind: ResourceKindName): string;
  /**
   * Memoises `make` for this view in this compile (what sessions derive from it: SotW targets, Delta
   * differences), shared by every stream of the identity. By `space` (what is memoised) and `key`
   * (for what): lookups hash no string built for the occasion.
   */
  memo<T>(space: string, key: string | number, make: () => T): T;
}

/** How many interned objects a mesh cache keeps per space before it starts over (a bound, not a working size). */
const INTERN_MAX = 20_000;

type Memos = Map<string, Map<string | number, unknown>>;

/** `make()` for (`space`, `key`), made once; a space holding `max` values starts over. */
function memoised<T>(memos: Memos, space: string, key: string | number, make: () => T, max = Infinity): T {
  let values = memos.get(space);
  if (!values) memos.set(space, (values = new Map()));
  let value = values.get(key) as T | undefined;
  if (value === undefined) {
    if (values.size >= max) values.clear();
    values.set(key, (value = make()));
  }
  return value;
}

/** Resource fetches are retried when a newer publish removed what an older manifest named. */
const LOAD_ATTEMPTS = 5;
const CHUNK = 1000;

/**
 * One mesh's compiled snapshot inside one shard: the manifest and every encoded resource it
 * references, loaded from Redis when the first proxy of the mesh connects and refreshed on each
 * change notice. A refresh reads only the views whose hash moved and the resources they reference
 * that are not loaded (ADR 0026); a resource is dropped when no view references it any more
 * (counted per view). Everything derived from a compile (resolved views, response bodies,
 * versions) is computed once here and shared by all the mesh's sessions, never per proxy.
 */
export class MeshCache {
  private readonly log = new Logger(MeshCache.name);
  manifest: CompiledManifest | undefined;
  private readonly resources = new Map<string, Uint8Array>();
  /** How many views of the current manifest reference each loaded resource. */
  private readonly references = new Map<string, number>();
  private derived = new Map<string, unknown>();
  /** Resolved views of the current compile: kind → ports → name (no key string built per lookup). */
  private views = new Map<ProxyKind, Map<string, Map<string, ResolvedView | null>>>();
  private readonly interned: Memos = new Map();
  readonly listeners = new Set<MeshListener>();
  private refreshing: Promise<void> | undefined;
  private again = false;
  private readyWaiters: (() => void)[] = [];
  /** Set when the mesh was deleted: its sessions keep their last configuration. */
  deleted = false;

  constructor(
    readonly ref: MeshRef,
    private readonly store: CompiledStore,
    /** Called when Redis holds no compile of this mesh (never compiled, or Redis lost it). */
    private readonly onMissing: (ref: MeshRef) => void,
  ) {}

  /** Resolves once a compiled snapshot is loaded: a stream is never served a partial or empty one. */
  ready(): Promise<void> {
    if (this.manifest) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** Loads the newest compile; concurrent calls coalesce into at most one more load. */
  refresh(): Promise<void> {
    if (this.refreshing) {
      this.again = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      try {
        do {
          this.again = false;
          await this.load();
        } while (this.again);
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  private async load(): Promise<void> {
    for (let attempt = 1; attempt <= LOAD_ATTEMPTS; attempt++) {
      const previous = this.manifest;
      const manifest = await this.store.read(this.ref, previous);
      if (!manifest) {
        this.onMissing(this.ref);
        return;
      }
      if (manifest.version === previous?.version) return;
      const { added, removed } = viewChanges(previous, manifest);
      const missing = new Set<string>();
      for (const view of added) forEachHash(view, (h) => this.resources.has(h) || missing.add(h));
      const fetched = await this.fetch([...missing]);
      if (!fetched) continue; // a newer publish raced this read: read its manifest
      for (const [h, any] of fetched) this.resources.set(h, any);
      for (const view of added) forEachHash(view, (h) => this.references.set(h, (this.references.get(h) ?? 0) + 1));
      const unreferenced: string[] = [];
      for (const view of removed) {
        forEachHash(view, (h) => {
          const n = (this.references.get(h) ?? 0) - 1;
          if (n > 0) return this.references.set(h, n);
          this.references.delete(h);
          unreferenced.push(h);
        });
      }
      this.apply(manifest);
      for (const h of unreferenced) if (!this.references.has(h)) this.resources.delete(h);
      return;
    }
    this.log.warn(`mesh ${this.ref.meshId}: could not read a complete compile after ${LOAD_ATTEMPTS} attempts`);
    this.again = true;
  }

  /** These resources' bytes, or `undefined` when one is gone (a newer publish dropped it). */
  private async fetch(hashes: readonly string[]): Promise<Map<string, Uint8Array> | undefined> {
    const out = new Map<string, Uint8Array>();
    for (let i = 0; i < hashes.length; i += CHUNK) {
      const chunk = hashes.slice(i, i + CHUNK);
      const values = await this.store.resources(this.ref, chunk);
      for (let j = 0; j < chunk.length; j++) {
        const v = values[j];
        if (!v) return undefined;
        out.set(chunk[j]!, new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
      }
    }
    return out;
  }

  private apply(manifest: CompiledManifest): void {
    this.manifest = manifest;
    this.derived = new Map();
    this.views = new Map();
    this.deleted = false;
    for (const resolve of this.readyWaiters.splice(0)) resolve();
    for (const listener of this.listeners) {
      try {
        listener.onMeshChanged();
      } catch (err) {
        this.log.error(`session failed to apply a change: ${String(err)}`);
      }
    }
  }

  markDeleted(): void {
    this.deleted = true;
  }

  anyOf(hash: string): Uint8Array {
    const any = this.resources.get(hash);
    if (!any) throw new Error(`resource ${hash} is not loaded`);
    return any;
  }

  /** Memoises `make` for the current compile: everything here is invalidated by the next one. */
  memo<T>(key: string, make: () => T): T {
    let value = this.derived.get(key) as T | undefined;
    if (value === undefined) {
      value = make();
      this.derived.set(key, value);
    }
    return value;
  }

  /**
   * One shared object per key of a `space`, across compiles (e.g. a Delta subscription: streams with
   * the same one share it, so what is derived from it is derived once). Bounded: past
   * {@link INTERN_MAX} keys a space starts over, which only costs sharing.
   */
  intern<T>(space: string, key: string, make: () => T): T {
    return memoised(this.interned, space, key, make, INTERN_MAX);
  }

  /** `undefined` when the compile has no view for this identity (yet) or not for these ports. */
  view(kind: ProxyKind, name: string, portsKey: string): ResolvedView | undefined {
    const manifest = this.manifest;
    if (!manifest) return undefined;
    let byPorts = this.views.get(kind);
    if (!byPorts) this.views.set(kind, (byPorts = new Map()));
    let byName = byPorts.get(portsKey);
    if (!byName) byPorts.set(portsKey, (byName = new Map()));
    let view = byName.get(name);
    if (view === undefined) byName.set(name, (view = this.resolveView(manifest, kind, name, portsKey) ?? null));
    return view ?? undefined;
  }

  private resolveView(
    manifest: CompiledManifest,
    kind: ProxyKind,
    name: string,
    portsKey: string,
  ): ResolvedView | undefined {
    const variant = manifest.variants[kind === 'virtualNode' ? portsKey : DEFAULT_PORTS_KEY];
    const viewName = kind === 'virtualNode' ? names.nodeView(name) : names.gatewayView(name);
    const own = variant?.[viewName];
    if (!variant || !own) return undefined;
    return this.memo(`view|${portsKey}|${viewName}`, () => {
      const extras: ViewManifest[] =
        kind === 'virtualNode'
          ? (manifest.backends[name] ?? []).flatMap((service) => {
              const v = variant[`${PROXYLESS_VIEW_PREFIX}${service}`];
              return v ? [v] : [];
            })
          : [];
      const versions = new Map<ResourceKindName, string>();
      const memos: Memos = new Map();
      return {
        own,
        lookup: (k, n) => own[k][n] ?? extras.find((e) => e[k][n] !== undefined)?.[k][n],
        wildcardVersion: (k) => {
          let v = versions.get(k);
          if (v === undefined) versions.set(k, (v = collectionVersion(own[k])));
          return v;
        },
        memo: (space, key, make) => memoised(memos, space, key, make),
      } satisfies ResolvedView;
    });
  }

  /** A state-of-the-world response body (no nonce) for this collection version, built once per compile. */
  sotwBody(typeUrl: string, version: string, anys: () => readonly Uint8Array[]): Buffer {
    // Versions are content hashes: one version of one collection always has the same body.
    return this.memo(`sotw|${typeUrl}|${version}`, () => discoveryResponseBody(version, typeUrl, anys()));
  }

  /** A Delta `Resource` (name, version, bytes), built once per compile. */
  deltaEntry(name: string, hash: string): Uint8Array {
    return this.memo(`delta|${name}|${hash}`, () => deltaResource({ name, version: hash, any: this.anyOf(hash) }));
  }

  /** The ARN behind a resource, for NACK reports. */
  arnOf(hash: string): string | undefined {
    return this.manifest?.arns[hash];
  }
}

/**
 * The views of `next` that `previous` does not have (as the same object: a store read keeps the
 * objects of unchanged views), and the views of `previous` they replace or that are gone.
 */
function viewChanges(
  previous: CompiledManifest | undefined,
  next: CompiledManifest,
): { added: ViewManifest[]; removed: ViewManifest[] } {
  const added: ViewManifest[] = [];
  const removed: ViewManifest[] = [];
  for (const [variant, views] of Object.entries(next.variants)) {
    for (const [name, view] of Object.entries(views)) {
      const old = previous?.variants[variant]?.[name];
      if (old === view) continue;
      added.push(view);
      if (old) removed.push(old);
    }
  }
  for (const [variant, views] of Object.entries(previous?.variants ?? {})) {
    for (const [name, view] of Object.entries(views)) if (!next.variants[variant]?.[name]) removed.push(view);
  }
  return { added, removed };
}

function forEachHash(view: ViewManifest, visit: (hash: string) => unknown): void {
  for (const collection of Object.values(view)) for (const hash of Object.values(collection)) visit(hash);
}
