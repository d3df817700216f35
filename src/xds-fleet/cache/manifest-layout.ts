import {
  splitViewKey,
  viewHash,
  viewKey,
  type EndpointSources,
  type AssignmentSource,
  type CompiledManifest,
  type ViewManifest,
} from './compiled-mesh.js';

/**
 * How a CompiledManifest is stored in Redis (ADR 0026): in parts, so that an endpoints update
 * reads and writes only the views it changes and a shard re-reads only the views whose hash moved.
 *
 * - the head (`…:head`, JSON): everything small, and each view's hash: enough to compute the
 *   version and to know which views changed;
 * - the views (`…:views`, a hash): view key → ViewManifest JSON;
 * - the compile's extras (`…:extras`, JSON): what only a compile changes (ARNs, backends,
 *   problems), named by the version that compile published (`compileVersion`);
 * - the endpoint sources (`…:sources`, a hash): virtual node → its ClusterLoadAssignments, each
 *   with its source and the views that hold it, so an update of one node reads one field.
 */
export interface ManifestHead {
  readonly tenantId: string;
  readonly meshId: string;
  readonly meshName: string;
  readonly generation: string;
  readonly committedAt: number;
  readonly compiledAt: number;
  readonly version: string;
  readonly compileVersion: string;
  /** The region proxyless localities name (the endpoint sources'). */
  readonly region: string;
  /** View key → view hash. */
  readonly views: Readonly<Record<string, string>>;
}

export interface CompileExtras {
  /** The compile's version: the head's `compileVersion` names these extras. */
  readonly version: string;
  readonly arns: CompiledManifest['arns'];
  readonly backends: CompiledManifest['backends'];
  readonly problems: CompiledManifest['problems'];
}

/** One ClusterLoadAssignment built from a node's endpoints, and the views (by key) that hold it. */
export interface SourcedAssignment {
  readonly source: AssignmentSource;
  readonly views: readonly string[];
}

/** A node's ClusterLoadAssignments, by name. */
export type NodeAssignments = Readonly<Record<string, SourcedAssignment>>;

/** The parts of a compiled manifest as a compile writes them. */
export interface ManifestParts {
  readonly head: ManifestHead;
  /** View key → ViewManifest JSON. */
  readonly views: Record<string, string>;
  readonly extras: CompileExtras;
  /** Node → NodeAssignments JSON. */
  readonly sources: Record<string, string>;
}

export function splitManifest(manifest: CompiledManifest): ManifestParts {
  const views: Record<string, string> = {};
  const byNode: Record<string, Record<string, { source: AssignmentSource; views: string[] }>> = {};
  const assignments = manifest.endpointSources?.assignments ?? {};
  for (const [variant, variantViews] of Object.entries(manifest.variants)) {
    for (const [name, view] of Object.entries(variantViews)) {
      const key = viewKey(variant, name);
      views[key] = JSON.stringify(view);
      for (const claName of Object.keys(view.endpoints)) {
        const source = assignments[claName];
        if (!source) continue;
        const node = (byNode[source.node] ??= {});
        (node[claName] ??= { source, views: [] }).views.push(key);
      }
    }
  }
  const head: ManifestHead = {
    tenantId: manifest.tenantId,
    meshId: manifest.meshId,
    meshName: manifest.meshName,
    generation: manifest.generation,
    committedAt: manifest.committedAt,
    compiledAt: manifest.compiledAt,
    version: manifest.version,
    compileVersion: manifest.compileVersion,
    region: manifest.endpointSources?.region ?? '',
    views: manifest.views,
  };
  const extras: CompileExtras = {
    version: manifest.compileVersion,
    arns: manifest.arns,
    backends: manifest.backends,
    problems: manifest.problems,
  };
  const sources = Object.fromEntries(Object.entries(byNode).map(([node, a]) => [node, JSON.stringify(a)]));
  return { head, views, extras, sources };
}

/**
 * The manifest of `head`, its views taken from `read` (parsed, by key) or else from `current`
 * (the same objects: a reader tells unchanged views by identity). `undefined` when a view read
 * does not have the hash the head names, or one is missing: a publish raced the reads.
 */
export function joinManifest(
  head: ManifestHead,
  read: ReadonlyMap<string, ViewManifest>,
  extras: CompileExtras,
  current: CompiledManifest | undefined,
): CompiledManifest | undefined {
  const variants: Record<string, Record<string, ViewManifest>> = {};
  for (const [key, hash] of Object.entries(head.views)) {
    const [variant, name] = splitViewKey(key);
    let view = read.get(key);
    if (view) {
      if (viewHash(view) !== hash) return undefined;
    } else if (current?.views[key] === hash) {
      view = current.variants[variant]?.[name];
    }
    if (!view) return undefined;
    (variants[variant] ??= {})[name] = view;
  }
  return {
    tenantId: head.tenantId,
    meshId: head.meshId,
    meshName: head.meshName,
    generation: head.generation,
    committedAt: head.committedAt,
    compiledAt: head.compiledAt,
    version: head.version,
    compileVersion: head.compileVersion,
    variants,
    views: head.views,
    arns: extras.arns,
    backends: extras.backends,
    problems: extras.problems,
  };
}

/**
 * A manifest stored by a release before ADR 0026 (one JSON document, no view hashes), in today's
 * shape: its views hashed, its version kept (the same formula). `undefined` when it does not record
 * its endpoint sources (the fast path could not update it: a compile must replace it).
 */
export function fromLegacyManifest(json: string): CompiledManifest | undefined {
  const legacy = JSON.parse(json) as Omit<CompiledManifest, 'views' | 'compileVersion'> & {
    endpointSources?: EndpointSources;
  };
  if (!legacy.endpointSources || !legacy.variants) return undefined;
  const views: Record<string, string> = {};
  for (const [variant, variantViews] of Object.entries(legacy.variants)) {
    for (const [name, view] of Object.entries(variantViews)) views[viewKey(variant, name)] = viewHash(view);
  }
  return { ...legacy, views, compileVersion: legacy.version };
}

/** The view keys of `head` whose hash `current` does not have (all of them without `current`). */
export function changedViews(head: ManifestHead, current: CompiledManifest | undefined): string[] {
  return Object.entries(head.views)
    .filter(([key, hash]) => current?.views[key] !== hash)
    .map(([key]) => key);
}
