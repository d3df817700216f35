import { Injectable } from '@nestjs/common';
import { RedisService } from '../../platform/redis/redis.service.js';
import type { EncodedResource, ViewManifest } from '../cache/compiled-mesh.js';
import { compiledKeys } from '../cache/compiled-store.js';
import type { ManifestHead } from '../cache/manifest-layout.js';

/**
 * Publishes a change of ClusterLoadAssignments atomically, if the published version is still
 * `base` (compare-and-set: a concurrent compile or update wins, and the caller starts again from
 * what it published). Writes only what changed (ADR 0026): the head (new version, view hashes),
 * the views that hold a rebuilt assignment, the new assignments' bytes; drops the replaced bytes.
 * The generation, the other views, the compile's extras and endpoint sources, and everything a
 * compile records beside the manifest (translation records, a rejection) stay as they are: the
 * mesh was not compiled. One script, so readers never see a head whose views or resources are
 * missing.
 *
 * KEYS: meta, head, views, resources. ARGV: base version, new version, head JSON, number of
 * dropped hashes D, D hashes, number of views V, V key/JSON pairs, then hash/bytes pairs to add.
 */
const PUBLISH_ASSIGNMENTS = `
if ARGV[1] == '' or (redis.call('HGET', KEYS[1], 'version') or '') ~= ARGV[1] then return 'conflict' end
local d = tonumber(ARGV[4])
local v = tonumber(ARGV[5 + d])
local first = 6 + d
for i = first + 2 * v, #ARGV, 2 do redis.call('HSET', KEYS[4], ARGV[i], ARGV[i + 1]) end
for i = first, first + 2 * v - 1, 2 do redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 1]) end
redis.call('SET', KEYS[2], ARGV[3])
redis.call('HSET', KEYS[1], 'version', ARGV[2])
local drop = {}
for i = 5, 4 + d do
  drop[#drop + 1] = ARGV[i]
  if #drop == 1000 then redis.call('HDEL', KEYS[4], unpack(drop)); drop = {} end
end
if #drop > 0 then redis.call('HDEL', KEYS[4], unpack(drop)) end
return 'ok'
`;

@Injectable()
export class AssignmentStore {
  constructor(private readonly redis: RedisService) {}

  async publish(
    head: ManifestHead,
    base: string,
    views: ReadonlyMap<string, ViewManifest>,
    added: readonly EncodedResource[],
    dropped: readonly string[],
  ): Promise<'ok' | 'conflict'> {
    const args: (string | Buffer)[] = [base, head.version, JSON.stringify(head), String(dropped.length), ...dropped];
    args.push(String(views.size));
    for (const [key, view] of views) args.push(key, JSON.stringify(view));
    for (const r of added) args.push(r.hash, Buffer.from(r.any.buffer, r.any.byteOffset, r.any.byteLength));
    const k = compiledKeys(this.redis.namespace);
    const keys = [k.meta(head), k.head(head), k.views(head), k.resources(head)];
    return (await this.redis.client.eval(PUBLISH_ASSIGNMENTS, keys.length, ...keys, ...args)) as 'ok' | 'conflict';
  }
}
