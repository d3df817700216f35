import { createHash } from 'node:crypto';
import { RESOURCE_KINDS, TYPE, type ResourceKindName, type ResourceSet } from '../translator/envoy-types.js';
import type { TranslationProblem } from '../translator/translation-problem.js';
import { DEFAULT_PORTS } from '../translator/names.js';

/**
 * A compiled mesh as the worker stores it in Redis and the xDS shards read it: every resource of
 * every view encoded once (an `Any`, addressed by the hash of its bytes), and a manifest saying
 * which resources, by name and hash, each proxy identity's view holds.
 *
 * Content-hash versions make everything downstream cheap and idempotent: a resource whose bytes
 * did not change keeps its version (Delta xDS skips it), a view whose resources did not change keeps
 * its type versions (state of the world sends nothing), and two shards that load the same
 * manifest offer identical versions, so a proxy that reconnects elsewhere is not re-sent anything.
 */

/** The Envoy type URL of each resource collection, and the order in which changes are pushed. */
export const TYPE_URLS: Readonly<Record<ResourceKindName, string>> = {
  clusters: TYPE.cluster,
  endpoints: TYPE.clusterLoadAssignment,
  listeners: TYPE.listener,
  routes: TYPE.routeConfiguration,
  secrets: TYPE.secret,
};

export const KIND_OF_TYPE_URL: ReadonlyMap<string, ResourceKindName> = new Map(
  RESOURCE_KINDS.map((kind) => [TYPE_URLS[kind], kind]),
);

/** One view: per collection, resource name → content hash. */
export type ViewManifest = Readonly<Record<ResourceKindName, Readonly<Record<string, string>>>>;

/** The proxy ports a variant was compiled for (`<ingress>-<egress>`). */
export type PortsKey = `${number}-${number}`;

export const portsKey = (ports: { ingress: number; egress: number }): PortsKey => `${ports.ingress}-${ports.egress}`;
export const DEFAULT_PORTS_KEY: PortsKey = portsKey(DEFAULT_PORTS);

export function parsePortsKey(key: string): { ingress: number; egress: number } | undefined {
  const match = /^(\d{1,5})-(\d{1,5})$/.exec(key);
  if (!match) return undefined;
  const ingress = Number(match[1]);
  const egress = Number(match[2]);
  const valid = (p: number) => p >= 1 && p <= 65535;
  return valid(ingress) && valid(egress) && ingress !== egress ? { ingress, egress } : undefined;
}

/** What one ClusterLoadAssignment is built from: a virtual node's endpoints and the target listener's port. */
export interface AssignmentSource {
  readonly node: string;
  readonly port: number;
  /**
   * Present for a proxyless cluster (gRPC's rules: IP addresses only, a region on every
   * locality); `hostname` is the node's DNS hostname when it is an IP address, used while no
   * endpoint is known.
   */
  readonly proxyless?: { readonly hostname?: string };
}

/**
 * Recorded in a compiled manifest: which ClusterLoadAssignments depend on which virtual node's
 * endpoints, so an endpoint change can rebuild exactly those without translating the mesh. Part of
 * the manifest's format, so defined here; endpoints/endpoint-sources.ts computes and reads it.
 */
export interface EndpointSources {
  /** The region proxyless localities name. */
  readonly region: string;
  /** ClusterLoadAssignment name → its source. */
  readonly assignments: Readonly<Record<string, AssignmentSource>>;
}

export interface CompiledManifest {
  readonly tenantId: string;
  readonly meshId: string;
  readonly meshName: string;
  /** The mesh generation this was compiled from (decimal string). */
  readonly generation: string;
  /** When the newest change included here was committed (ms since the epoch): starts the commit→ACK clock. */
  readonly committedAt: number;
  readonly compiledAt: number;
  /** Content version of the whole compiled mesh (hash of every view manifest). */
  readonly version: string;
  /**
   * The version the last compile published: names what only a compile changes (arns, backends,
   * problems, endpoint sources). An endpoints update moves `version`, never this.
   */
  readonly compileVersion: string;
  /** Per proxy-ports variant, per view name. */
  readonly variants: Readonly<Record<string, Readonly<Record<string, ViewManifest>>>>;
  /** Every view's hash, by {@link viewKey}: what the version is computed from. */
  readonly views: Readonly<Record<string, string>>;
  /** The ARN of the App Mesh object behind each resource, by content hash (for NACK reports). */
  readonly arns: Readonly<Record<string, string>>;
  /**
   * The virtual services each virtual node's proxyless gRPC clients may resolve (its backends):
   * their `proxyless/<service>` views are added to the node's own.
   */
  readonly backends: Readonly<Record<string, readonly string[]>>;
  readonly problems: readonly TranslationProblem[];
  /**
   * Which ClusterLoadAssignments are built from which virtual node's endpoints, so an endpoint
   * change rebuilds only those (src/xds-fleet/endpoints). Absent from manifests of older compiles.
   */
  readonly endpointSources?: EndpointSources;
}

export function contentHash(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('base64url').slice(0, 22);
}

/** The version of one collection of a view in state-of-the-world xDS: a hash of its names and hashes. */
export function collectionVersion(resources: Readonly<Record<string, string>>): string {
  const names = Object.keys(resources).sort();
  if (names.length === 0) return 'empty';
  return contentHash(names.map((n) => `${n}=${resources[n]}`).join('\n'));
}

/** An encoded resource: its `Any` bytes and their hash. */
export interface EncodedResource {
  readonly hash: string;
  readonly any: Uint8Array;
}

/** One view's manifest, the encoded resources it references (with their ARNs), and a hash of it. */
export interface CompiledView {
  readonly manifest: ViewManifest;
  readonly hash: string;
  readonly resources: readonly (readonly [EncodedResource, string | undefined])[];
}

/**
 * Builds the manifest of one view, encoding each resource through `encode`, which the caller
 * memoises across compiles (the translator reuses the objects of views a change did not touch,
 * so a one-route change encodes only what it rebuilt).
 */
export function compileView(
  set: ResourceSet,
  encode: (kind: ResourceKindName, resource: object) => EncodedResource,
): CompiledView {
  const manifest = {} as Record<ResourceKindName, Record<string, string>>;
  const resources: [EncodedResource, string | undefined][] = [];
  for (const kind of RESOURCE_KINDS) {
    const entries: Record<string, string> = {};
    for (const [name, resource] of set[kind]) {
      const encoded = encode(kind, resource);
      entries[name] = encoded.hash;
      resources.push([encoded, arnOf(resource)]);
    }
    manifest[kind] = entries;
  }
  return { manifest, hash: viewHash(manifest), resources };
}

/** The hash of one view manifest: of its `<kind>/<name>=<hash>` lines, kinds in RESOURCE_KINDS order. */
export function viewHash(view: ViewManifest): string {
  const lines: string[] = [];
  for (const kind of RESOURCE_KINDS) {
    for (const [name, hash] of Object.entries(view[kind])) lines.push(`${kind}/${name}=${hash}`);
  }
  return contentHash(lines.join('\n'));
}

/** A view's key among all variants' views: `<variant>/<view>` (variant keys hold no `/`; view names may). */
export const viewKey = (variant: string, view: string): string => `${variant}/${view}`;

/** The variant and view name of a {@link viewKey}. */
export function splitViewKey(key: string): [variant: string, view: string] {
  const slash = key.indexOf('/');
  return [key.slice(0, slash), key.slice(slash + 1)];
}

/** The version of a compiled mesh whose views have these hashes (by view key). */
export function versionOfViewHashes(views: Readonly<Record<string, string>>): string {
  return versionOfViews(Object.entries(views).map(([key, hash]) => `${key}=${hash}`));
}

/**
 * A compiled mesh's version: the hash of its sorted `<variant>/<view>=<view hash>` lines. The
 * compiler passes the view hashes it keeps; `manifestVersion` computes them from the manifests.
 */
export function versionOfViews(lines: string[]): string {
  return contentHash(lines.sort().join('\n'));
}

export function manifestVersion(variants: CompiledManifest['variants']): string {
  const lines: string[] = [];
  for (const [key, views] of Object.entries(variants)) {
    for (const [name, view] of Object.entries(views)) lines.push(`${key}/${name}=${viewHash(view)}`);
  }
  return versionOfViews(lines);
}

/**
 * The view manifests of one translation. `compiled` returns a view's CompiledView, memoised by
 * the caller on the view's ResourceSet object: views a change did not touch cost a lookup.
 */
export function manifestViews(
  views: ReadonlyMap<string, ResourceSet>,
  compiled: (set: ResourceSet) => CompiledView,
  sink: (encoded: EncodedResource, arn: string | undefined) => void,
): { views: Record<string, ViewManifest>; hashes: string[] } {
  const out: Record<string, ViewManifest> = {};
  const hashes: string[] = [];
  for (const [viewName, set] of views) {
    const view = compiled(set);
    for (const [encoded, arn] of view.resources) sink(encoded, arn);
    out[viewName] = view.manifest;
    hashes.push(`${viewName}=${view.hash}`);
  }
  return { views: out, hashes };
}

/** The ARN recorded in a resource's metadata (`metadata.filter_metadata.meshplane.arn`), when it has one. */
function arnOf(resource: object): string | undefined {
  const metadata = (resource as { metadata?: { filter_metadata?: { meshplane?: { arn?: unknown } } } }).metadata;
  const arn = metadata?.filter_metadata?.meshplane?.arn;
  return typeof arn === 'string' ? arn : undefined;
}

/** Every resource hash a manifest's views reference. */
export function referencedHashes(manifest: CompiledManifest): Set<string> {
  const hashes = new Set<string>();
  for (const views of Object.values(manifest.variants)) {
    for (const view of Object.values(views)) {
      for (const collection of Object.values(view)) for (const h of Object.values(collection)) hashes.add(h);
    }
  }
  return hashes;
}
