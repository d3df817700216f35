import { Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RedisService } from '../../platform/redis/redis.service.js';
import type { CompiledManifest, EncodedResource } from './compiled-mesh.js';

/**
 * Compiled meshes in Redis: where workers put them and xDS shards read them. Per mesh (keys share
 * a hash tag, so they stay together on a Redis Cluster):
 *
 * - `…:meta` — {generation, version} of what is published: the compare-and-set guard;
 * - `…:manifest` — the CompiledManifest (JSON);
 * - `…:resources` — content hash → encoded `Any` bytes;
 * - `…:variants` — proxy-port variants proxies have asked for (`<ingress>-<egress>`).
 *
 * A change notification goes out on one channel, {@link CHANGES_CHANNEL}.
 */
export const CHANGES_CHANNEL = 'mp:xds:changes';

export interface MeshRef {
  readonly tenantId: string;
  readonly meshId: string;
}

export interface ChangeNotice extends MeshRef {
  /** `undefined` when the mesh was deleted. */
  readonly version?: string;
  readonly generation?: string;
}

const prefix = (m: MeshRef) => `mp:xds:{${m.tenantId}/${m.meshId}}`;
export const compiledKeys = {
  meta: (m: MeshRef) => `${prefix(m)}:meta`,
  manifest: (m: MeshRef) => `${prefix(m)}:manifest`,
  resources: (m: MeshRef) => `${prefix(m)}:resources`,
  variants: (m: MeshRef) => `${prefix(m)}:variants`,
};

/**
 * Publishes atomically: refuses an older generation than the stored one (a slow compile never
 * overwrites a newer one) and a base version other than the one the compiler started from (it
 * only sent the resources that base lacked); writes the new resources, the manifest and the meta;
 * then drops resources no longer referenced. Readers never see a manifest whose resources are
 * missing: everything happens in one script.
 *
 * KEYS: meta, manifest, resources. ARGV: generation, base version, new version, manifest JSON,
 * number of kept hashes K, K hashes, then hash/bytes pairs to add.
 */
const PUBLISH = `
local stored = redis.call('HGET', KEYS[1], 'generation')
if stored and tonumber(stored) > tonumber(ARGV[1]) then return 'superseded' end
local base = redis.call('HGET', KEYS[1], 'version') or ''
if base ~= ARGV[2] then return 'conflict' end
local k = tonumber(ARGV[5])
local keep = {}
for i = 6, 5 + k do keep[ARGV[i]] = true end
for i = 6 + k, #ARGV, 2 do redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 1]) end
redis.call('SET', KEYS[2], ARGV[4])
redis.call('HSET', KEYS[1], 'generation', ARGV[1], 'version', ARGV[3])
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

/** Records a compile whose content equals what is published: only the generation moves (never backwards). */
const TOUCH = `
local stored = redis.call('HGET', KEYS[1], 'generation')
if stored and tonumber(stored) > tonumber(ARGV[1]) then return 'superseded' end
if (redis.call('HGET', KEYS[1], 'version') or '') ~= ARGV[2] then return 'conflict' end
redis.call('HSET', KEYS[1], 'generation', ARGV[1])
return 'ok'
`;

export type PublishResult = 'ok' | 'superseded' | 'conflict';

@Injectable()
export class CompiledStore {
  constructor(private readonly redis: RedisService) {}

  private get client(): Redis {
    return this.redis.client;
  }

  async meta(mesh: MeshRef): Promise<{ generation?: string; version?: string }> {
    const [generation, version] = await this.client.hmget(compiledKeys.meta(mesh), 'generation', 'version');
    return { ...(generation ? { generation } : {}), ...(version ? { version } : {}) };
  }

  async manifest(mesh: MeshRef): Promise<CompiledManifest | undefined> {
    const json = await this.client.get(compiledKeys.manifest(mesh));
    return json ? (JSON.parse(json) as CompiledManifest) : undefined;
  }

  /** The encoded resources with these hashes; `undefined` for any that is gone (a newer publish dropped it). */
  async resources(mesh: MeshRef, hashes: readonly string[]): Promise<(Buffer | undefined)[]> {
    if (hashes.length === 0) return [];
    const values = await this.client.hmgetBuffer(compiledKeys.resources(mesh), ...hashes);
    return values.map((v) => v ?? undefined);
  }

  async publish(
    manifest: CompiledManifest,
    baseVersion: string,
    keep: readonly string[],
    added: readonly EncodedResource[],
  ): Promise<PublishResult> {
    const args: (string | Buffer)[] = [
      manifest.generation,
      baseVersion,
      manifest.version,
      JSON.stringify(manifest),
      String(keep.length),
      ...keep,
    ];
    for (const r of added) args.push(r.hash, Buffer.from(r.any.buffer, r.any.byteOffset, r.any.byteLength));
    const keys = [compiledKeys.meta(manifest), compiledKeys.manifest(manifest), compiledKeys.resources(manifest)];
    return (await this.client.eval(PUBLISH, keys.length, ...keys, ...args)) as PublishResult;
  }

  async touch(mesh: MeshRef, generation: string, version: string): Promise<PublishResult> {
    return (await this.client.eval(TOUCH, 1, compiledKeys.meta(mesh), generation, version)) as PublishResult;
  }

  async remove(mesh: MeshRef): Promise<void> {
    await this.client.del(
      compiledKeys.meta(mesh),
      compiledKeys.manifest(mesh),
      compiledKeys.resources(mesh),
      compiledKeys.variants(mesh),
    );
  }

  async notify(notice: ChangeNotice): Promise<void> {
    await this.client.publish(CHANGES_CHANNEL, JSON.stringify(notice));
  }

  /** Proxy-port variants proxies asked for, besides the default. */
  variants(mesh: MeshRef): Promise<string[]> {
    return this.client.smembers(compiledKeys.variants(mesh));
  }

  /** Records that a proxy needs `key`; true when it is new (the mesh must be compiled for it). */
  async requestVariant(mesh: MeshRef, key: string): Promise<boolean> {
    return (await this.client.sadd(compiledKeys.variants(mesh), key)) === 1;
  }
}
