import { Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RedisService } from '../../platform/redis/redis.service.js';
import type { CompiledManifest, EncodedResource, ViewManifest } from './compiled-mesh.js';
import {
  changedViews,
  fromLegacyManifest,
  joinManifest,
  splitManifest,
  type CompileExtras,
  type ManifestHead,
  type NodeAssignments,
} from './manifest-layout.js';
import {
  parseJson,
  parseServedEntry,
  SUMMARY_FIELD,
  type CompileRejection,
  type TranslationEntry,
  type TranslationSummary,
} from './translation-record.js';

/**
 * Compiled meshes in Redis: where workers put them and xDS shards read them. Per mesh (keys share
 * a hash tag, so they stay together on a Redis Cluster):
 *
 * - `…:meta` — {generation, version} of what is published: the compare-and-set guard, and
 *   `layout: views` once the mesh is stored in parts;
 * - the CompiledManifest in parts (manifest-layout.ts, ADR 0026): `…:head` (JSON: the small
 *   fields and every view's hash), `…:views` (view key → ViewManifest JSON), `…:extras` (JSON:
 *   ARNs, backends, problems), `…:sources` (node → its ClusterLoadAssignments' sources);
 * - `…:manifest` — the whole CompiledManifest as one JSON document, as releases before ADR 0026
 *   stored it: read only to convert it into parts (`convertLegacy`, by the compiler, which a
 *   shard or the endpoints fast path asks for when they find no head), deleted by every publish;
 * - `…:resources` — content hash → encoded `Any` bytes;
 * - `…:variants` — proxy-port variants proxies have asked for (`<ingress>-<egress>`);
 * - `…:served`, `…:translation`, `…:rejected` — what compiles found wrong with the configuration
 *   (see translation-record.ts and docs/adr/0006-translation-errors.md). The meta also records
 *   `rejected`: the generation of a compile that was not published, until one is.
 *
 * A change notification goes out on one channel, {@link changesChannel}.
 */
export const changesChannel = (namespace: string) => `${namespace}:xds:changes`;

export interface MeshRef {
  readonly tenantId: string;
  readonly meshId: string;
}

export interface ChangeNotice extends MeshRef {
  /** `undefined` when the mesh was deleted. */
  readonly version?: string;
  readonly generation?: string;
}

/** The keys of one compiled mesh, in an installation's namespace (RedisService.namespace). */
export function compiledKeys(namespace: string) {
  const prefix = (m: MeshRef) => `${namespace}:xds:{${m.tenantId}/${m.meshId}}`;
  return {
    meta: (m: MeshRef) => `${prefix(m)}:meta`,
    manifest: (m: MeshRef) => `${prefix(m)}:manifest`,
    head: (m: MeshRef) => `${prefix(m)}:head`,
    views: (m: MeshRef) => `${prefix(m)}:views`,
    extras: (m: MeshRef) => `${prefix(m)}:extras`,
    sources: (m: MeshRef) => `${prefix(m)}:sources`,
    resources: (m: MeshRef) => `${prefix(m)}:resources`,
    variants: (m: MeshRef) => `${prefix(m)}:variants`,
    served: (m: MeshRef) => `${prefix(m)}:served`,
    translation: (m: MeshRef) => `${prefix(m)}:translation`,
    rejected: (m: MeshRef) => `${prefix(m)}:rejected`,
  };
}

/** The SCAN pattern of every compiled mesh's meta key in a namespace (namespaces have no glob characters). */
export const metaKeyPattern = (namespace: string) => `${namespace}:xds:{*}:meta`;

/** The mesh a meta key names, when it is one of this namespace's. */
export function meshOfMetaKey(namespace: string, key: string): MeshRef | undefined {
  const head = `${namespace}:xds:{`;
  if (!key.startsWith(head)) return undefined;
  const match = /^([^/{}]+)\/([^/{}]+)\}:meta$/.exec(key.slice(head.length));
  return match ? { tenantId: match[1]!, meshId: match[2]! } : undefined;
}

/**
 * Lua shared by the scripts below. `newer(meta)`: a compile of a newer generation than ARGV[1]
 * was already published or rejected. `replace(key, json)`: the hash becomes exactly the JSON
 * object's fields (string values), written in batches (Lua's stack bounds `unpack`).
 */
const LUA_HELPERS = `
local function newer(meta)
  local g = tonumber(ARGV[1])
  local published = redis.call('HGET', meta, 'generation')
  local rejected = redis.call('HGET', meta, 'rejected')
  return (published and tonumber(published) > g) or (rejected and tonumber(rejected) > g)
end
local function replace(key, json)
  redis.call('DEL', key)
  local batch = {}
  for field, value in pairs(cjson.decode(json)) do
    batch[#batch + 1] = field
    batch[#batch + 1] = value
    if #batch >= 1000 then redis.call('HSET', key, unpack(batch)); batch = {} end
  end
  if #batch > 0 then redis.call('HSET', key, unpack(batch)) end
end
`;

/**
 * Publishes atomically: refuses an older generation than the stored one, published or rejected (a
 * slow compile never overwrites a newer one), and a base version other than the one the compiler
 * started from (it only sent the resources that base lacked); writes the new resources, the
 * manifest's parts (replacing every view and source: a compile is the whole mesh), the meta, the
 * served and translation records, clears a rejection and the manifest of the older layout; then
 * drops resources no longer referenced. Readers never see a manifest whose resources are missing:
 * everything happens in one script.
 *
 * KEYS: meta, legacy manifest, resources, served, translation, rejected, head, views, extras,
 * sources. ARGV: generation, base version, new version, head JSON, served JSON, translation JSON,
 * number of kept hashes K, K hashes, views JSON, extras JSON, sources JSON, then hash/bytes pairs
 * to add.
 */
const PUBLISH = `${LUA_HELPERS}
if newer(KEYS[1]) then return 'superseded' end
local base = redis.call('HGET', KEYS[1], 'version') or ''
if base ~= ARGV[2] then return 'conflict' end
local k = tonumber(ARGV[7])
local keep = {}
for i = 8, 7 + k do keep[ARGV[i]] = true end
for i = 11 + k, #ARGV, 2 do redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 1]) end
redis.call('DEL', KEYS[2])
redis.call('SET', KEYS[7], ARGV[4])
replace(KEYS[8], ARGV[8 + k])
redis.call('SET', KEYS[9], ARGV[9 + k])
replace(KEYS[10], ARGV[10 + k])
redis.call('HSET', KEYS[1], 'generation', ARGV[1], 'version', ARGV[3], 'layout', 'views')
redis.call('HDEL', KEYS[1], 'rejected')
redis.call('DEL', KEYS[6])
replace(KEYS[4], ARGV[5])
replace(KEYS[5], ARGV[6])
local existing = redis.call('HKEYS', KEYS[3])
local drop = {}
for _, h in ipairs(existing) do
  if not keep[h] then
    drop[#drop + 1] = h
    if #drop == 1000 then redis.call('HDEL', KEYS[3], unpack(drop)); drop = {} end
  end
end
if #drop > 0 then redis.call('HDEL', KEYS[3], unpack(drop)) end
return 'ok'
`;

/**
 * Records a compile whose content equals what is published: the generation moves (never
 * backwards), the served and translation records are this compile's, a rejection is cleared.
 * KEYS: meta, served, translation, rejected. ARGV: generation, version, served JSON, translation JSON.
 */
const TOUCH = `${LUA_HELPERS}
if newer(KEYS[1]) then return 'superseded' end
if (redis.call('HGET', KEYS[1], 'version') or '') ~= ARGV[2] then return 'conflict' end
redis.call('HSET', KEYS[1], 'generation', ARGV[1])
redis.call('HDEL', KEYS[1], 'rejected')
redis.call('DEL', KEYS[4])
replace(KEYS[2], ARGV[3])
replace(KEYS[3], ARGV[4])
return 'ok'
`;

/**
 * Records a compile that is not published (same guards as PUBLISH): the meta's `rejected`
 * generation, the rejection and the translation record. What is published is left as it is.
 * KEYS: meta, translation, rejected. ARGV: generation, base version, rejection JSON, translation JSON.
 */
const REJECT = `${LUA_HELPERS}
if newer(KEYS[1]) then return 'superseded' end
if (redis.call('HGET', KEYS[1], 'version') or '') ~= ARGV[2] then return 'conflict' end
redis.call('HSET', KEYS[1], 'rejected', ARGV[1])
redis.call('SET', KEYS[3], ARGV[3])
replace(KEYS[2], ARGV[4])
return 'ok'
`;

/**
 * Stores a manifest of the older layout in parts, as it is (same version, generation, resources),
 * if the meta still names that version and no layout: a compile or another conversion may have
 * come first. KEYS: meta, legacy manifest, head, views, extras, sources. ARGV: version, head JSON,
 * views JSON, extras JSON, sources JSON.
 */
const CONVERT = `${LUA_HELPERS}
if (redis.call('HGET', KEYS[1], 'version') or '') ~= ARGV[1] or redis.call('HGET', KEYS[1], 'layout') then
  return 'conflict'
end
redis.call('SET', KEYS[3], ARGV[2])
replace(KEYS[4], ARGV[3])
redis.call('SET', KEYS[5], ARGV[4])
replace(KEYS[6], ARGV[5])
redis.call('HSET', KEYS[1], 'layout', 'views')
redis.call('DEL', KEYS[2])
return 'ok'
`;

/** What a compile records about the configuration's problems with its publish or touch. */
export interface CompileRecords {
  /** The served hash: ARN → its problems' messages (see translation-record.ts). */
  readonly served: Readonly<Record<string, string>>;
  /** The translation hash: ARN → TranslationEntry JSON, and the summary. */
  readonly translation: Readonly<Record<string, string>>;
}

export type PublishResult = 'ok' | 'superseded' | 'conflict';

/** The meta's `layout` once the mesh's manifest is stored in parts (set by every publish). */
export const VIEWS_LAYOUT = 'views';

/** Reads of a manifest retried when a publish raced them. */
const READ_ATTEMPTS = 5;
/** View fields read per HMGET. */
const READ_CHUNK = 1000;

@Injectable()
export class CompiledStore {
  private readonly keys: ReturnType<typeof compiledKeys>;

  constructor(private readonly redis: RedisService) {
    this.keys = compiledKeys(redis.namespace);
  }

  private get client(): Redis {
    return this.redis.client;
  }

  /**
   * The published generation and version, the generation of a later compile that was rejected,
   * and whether what is published is stored in parts (`layout: 'views'`, ADR 0026).
   */
  async meta(mesh: MeshRef): Promise<{ generation?: string; version?: string; rejected?: string; layout?: string }> {
    const [generation, version, rejected, layout] = await this.client.hmget(
      this.keys.meta(mesh),
      'generation',
      'version',
      'rejected',
      'layout',
    );
    return {
      ...(generation ? { generation } : {}),
      ...(version ? { version } : {}),
      ...(rejected ? { rejected } : {}),
      ...(layout ? { layout } : {}),
    };
  }

  /** The whole published manifest (every view): `undefined` when none is stored in parts. */
  manifest(mesh: MeshRef): Promise<CompiledManifest | undefined> {
    return this.read(mesh, undefined);
  }

  /**
   * The published manifest, reading only what differs from `current` (a manifest this process
   * read before): the head, the views whose hash moved, and the extras if a compile published
   * since. `current` itself when nothing was published since; `undefined` when nothing is stored
   * in parts. Views are checked against the head's hashes, so a publish racing the reads is read
   * again, never mixed in.
   */
  async read(mesh: MeshRef, current: CompiledManifest | undefined): Promise<CompiledManifest | undefined> {
    for (let attempt = 1; attempt <= READ_ATTEMPTS; attempt++) {
      const head = await this.head(mesh);
      if (!head) return undefined;
      if (current && head.version === current.version) return current;
      const keys = changedViews(head, current);
      // The extras change only with a compile: kept from `current` while its compile is the head's.
      const kept: CompileExtras | undefined =
        current?.compileVersion === head.compileVersion
          ? { version: head.compileVersion, arns: current.arns, backends: current.backends, problems: current.problems }
          : undefined;
      const [views, extras] = await Promise.all([this.viewManifests(mesh, keys), kept ?? this.compileExtras(mesh)]);
      if (extras?.version !== head.compileVersion) continue; // a compile published in between
      const manifest = joinManifest(head, views, extras, current);
      if (manifest) return manifest;
    }
    throw new Error(`mesh ${mesh.meshId}: publishes kept racing the read of its compiled manifest`);
  }

  /** The head of the published manifest (version, generation, view hashes), when stored in parts. */
  async head(mesh: MeshRef): Promise<ManifestHead | undefined> {
    const json = await this.client.get(this.keys.head(mesh));
    return json ? (JSON.parse(json) as ManifestHead) : undefined;
  }

  /** These views of the published manifest, by key (a view that is not stored is left out). */
  async viewManifests(mesh: MeshRef, keys: readonly string[]): Promise<Map<string, ViewManifest>> {
    const out = new Map<string, ViewManifest>();
    for (let i = 0; i < keys.length; i += READ_CHUNK) {
      const chunk = keys.slice(i, i + READ_CHUNK);
      const values = await this.client.hmget(this.keys.views(mesh), ...chunk);
      chunk.forEach((key, j) => {
        const json = values[j];
        if (json) out.set(key, JSON.parse(json) as ViewManifest);
      });
    }
    return out;
  }

  /** The published ClusterLoadAssignments built from these nodes' endpoints (all nodes' with `'all'`), by node. */
  async assignmentSources(mesh: MeshRef, nodes: readonly string[] | 'all'): Promise<Map<string, NodeAssignments>> {
    const entries: [string, string | null][] =
      nodes === 'all'
        ? Object.entries(await this.client.hgetall(this.keys.sources(mesh)))
        : nodes.length === 0
          ? []
          : (await this.client.hmget(this.keys.sources(mesh), ...nodes)).map((json, i) => [nodes[i]!, json]);
    return new Map(entries.flatMap(([node, json]) => (json ? [[node, JSON.parse(json) as NodeAssignments]] : [])));
  }

  /** What only a compile changes (ARNs, backends, problems) of the last compile published. */
  async compileExtras(mesh: MeshRef): Promise<CompileExtras | undefined> {
    const json = await this.client.get(this.keys.extras(mesh));
    return json ? (JSON.parse(json) as CompileExtras) : undefined;
  }

  /** The encoded resources with these hashes; `undefined` for any that is gone (a newer publish dropped it). */
  async resources(mesh: MeshRef, hashes: readonly string[]): Promise<(Buffer | undefined)[]> {
    if (hashes.length === 0) return [];
    const values = await this.client.hmgetBuffer(this.keys.resources(mesh), ...hashes);
    return values.map((v) => v ?? undefined);
  }

  async publish(
    manifest: CompiledManifest,
    baseVersion: string,
    keep: readonly string[],
    added: readonly EncodedResource[],
    records: CompileRecords,
  ): Promise<PublishResult> {
    const parts = splitManifest(manifest);
    const args: (string | Buffer)[] = [
      manifest.generation,
      baseVersion,
      manifest.version,
      JSON.stringify(parts.head),
      JSON.stringify(records.served),
      JSON.stringify(records.translation),
      String(keep.length),
      ...keep,
      JSON.stringify(parts.views),
      JSON.stringify(parts.extras),
      JSON.stringify(parts.sources),
    ];
    for (const r of added) args.push(r.hash, Buffer.from(r.any.buffer, r.any.byteOffset, r.any.byteLength));
    const keys = [
      this.keys.meta(manifest),
      this.keys.manifest(manifest),
      this.keys.resources(manifest),
      this.keys.served(manifest),
      this.keys.translation(manifest),
      this.keys.rejected(manifest),
      this.keys.head(manifest),
      this.keys.views(manifest),
      this.keys.extras(manifest),
      this.keys.sources(manifest),
    ];
    return (await this.client.eval(PUBLISH, keys.length, ...keys, ...args)) as PublishResult;
  }

  /**
   * Stores the published manifest of a release before ADR 0026 (one JSON document) in parts, as
   * it is, so shards of this release serve it and the fast path can update it. False when there is
   * none to convert, it lacks what the fast path needs (a compile then replaces it), or something
   * else published meanwhile.
   */
  async convertLegacy(mesh: MeshRef): Promise<boolean> {
    const json = await this.client.get(this.keys.manifest(mesh));
    const manifest = json ? fromLegacyManifest(json) : undefined;
    if (!manifest) return false;
    const parts = splitManifest(manifest);
    const keys = [
      this.keys.meta(mesh),
      this.keys.manifest(mesh),
      this.keys.head(mesh),
      this.keys.views(mesh),
      this.keys.extras(mesh),
      this.keys.sources(mesh),
    ];
    const result = await this.client.eval(
      CONVERT,
      keys.length,
      ...keys,
      manifest.version,
      JSON.stringify(parts.head),
      JSON.stringify(parts.views),
      JSON.stringify(parts.extras),
      JSON.stringify(parts.sources),
    );
    return result === 'ok';
  }

  async touch(mesh: MeshRef, generation: string, version: string, records: CompileRecords): Promise<PublishResult> {
    const keys = [this.keys.meta(mesh), this.keys.served(mesh), this.keys.translation(mesh), this.keys.rejected(mesh)];
    return (await this.client.eval(
      TOUCH,
      keys.length,
      ...keys,
      generation,
      version,
      JSON.stringify(records.served),
      JSON.stringify(records.translation),
    )) as PublishResult;
  }

  /**
   * Records a compile that is not published: `baseVersion` is the published version it was
   * judged against (`''` when none), `translation` its translation hash.
   */
  async reject(
    mesh: MeshRef,
    baseVersion: string,
    rejection: CompileRejection,
    translation: Readonly<Record<string, string>>,
  ): Promise<PublishResult> {
    const keys = [this.keys.meta(mesh), this.keys.translation(mesh), this.keys.rejected(mesh)];
    return (await this.client.eval(
      REJECT,
      keys.length,
      ...keys,
      rejection.generation,
      baseVersion,
      JSON.stringify(rejection),
      JSON.stringify(translation),
    )) as PublishResult;
  }

  /** What the last published compile served of these resources: `ok`, `problem`, or not in it. */
  async served(mesh: MeshRef, arns: readonly string[]): Promise<Map<string, 'ok' | 'problem' | undefined>> {
    if (arns.length === 0) return new Map();
    const values = await this.client.hmget(this.keys.served(mesh), ...arns);
    return new Map(arns.map((arn, i) => [arn, values[i] == null ? undefined : values[i] === '' ? 'ok' : 'problem']));
  }

  /** The problems of the served configuration (the last published compile), by ARN; `undefined` when not recorded. */
  async servedProblems(mesh: MeshRef): Promise<{ arn: string; message: string }[] | undefined> {
    const all = await this.client.hgetall(this.keys.served(mesh));
    if (Object.keys(all).length === 0) return undefined;
    return Object.entries(all)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .flatMap(([arn, value]) => parseServedEntry(value).map((message) => ({ arn, message })));
  }

  /** The latest compile's rejection, while no later compile has published. */
  async rejection(mesh: MeshRef): Promise<CompileRejection | undefined> {
    return parseJson<CompileRejection>(await this.client.get(this.keys.rejected(mesh)));
  }

  /** One resource's entry in the latest compile's translation record, and that compile's summary. */
  async translationOf(mesh: MeshRef, arn: string): Promise<{ entry?: TranslationEntry; summary?: TranslationSummary }> {
    const [entry, summary] = await this.client.hmget(this.keys.translation(mesh), arn, SUMMARY_FIELD);
    const parsedEntry = parseJson<TranslationEntry>(entry);
    const parsedSummary = parseJson<TranslationSummary>(summary);
    return { ...(parsedEntry ? { entry: parsedEntry } : {}), ...(parsedSummary ? { summary: parsedSummary } : {}) };
  }

  /** These resources' entries in the latest compile's translation record (absent ones are left out). */
  async translationsOf(mesh: MeshRef, arns: readonly string[]): Promise<Map<string, TranslationEntry>> {
    if (arns.length === 0) return new Map();
    const values = await this.client.hmget(this.keys.translation(mesh), ...arns);
    return new Map(
      arns.flatMap((arn, i) => {
        const entry = parseJson<TranslationEntry>(values[i]);
        return entry ? [[arn, entry] as const] : [];
      }),
    );
  }

  /** The latest compile's whole translation hash (ARN → entry JSON, and the summary): read when a compile fails. */
  translation(mesh: MeshRef): Promise<Record<string, string>> {
    return this.client.hgetall(this.keys.translation(mesh));
  }

  async remove(mesh: MeshRef): Promise<void> {
    await this.client.del(
      this.keys.meta(mesh),
      this.keys.manifest(mesh),
      this.keys.head(mesh),
      this.keys.views(mesh),
      this.keys.extras(mesh),
      this.keys.sources(mesh),
      this.keys.resources(mesh),
      this.keys.variants(mesh),
      this.keys.served(mesh),
      this.keys.translation(mesh),
      this.keys.rejected(mesh),
    );
  }

  /**
   * Every mesh that has compiled data in Redis, a page at a time (SCAN: never blocks Redis).
   * `cursor` '0' starts; the returned cursor '0' means done.
   */
  async scanCompiledMeshes(cursor: string, count = 500): Promise<{ cursor: string; meshes: MeshRef[] }> {
    const [next, keys] = await this.client.scan(cursor, 'MATCH', metaKeyPattern(this.redis.namespace), 'COUNT', count);
    return { cursor: next, meshes: keys.flatMap((k) => meshOfMetaKey(this.redis.namespace, k) ?? []) };
  }

  async notify(notice: ChangeNotice): Promise<void> {
    await this.client.publish(changesChannel(this.redis.namespace), JSON.stringify(notice));
  }

  /** Proxy-port variants proxies asked for, besides the default. */
  variants(mesh: MeshRef): Promise<string[]> {
    return this.client.smembers(this.keys.variants(mesh));
  }

  /** Records that a proxy needs `key`; true when it is new (the mesh must be compiled for it). */
  async requestVariant(mesh: MeshRef, key: string): Promise<boolean> {
    return (await this.client.sadd(this.keys.variants(mesh), key)) === 1;
  }
}
