import { Injectable } from '@nestjs/common';
import { RedisService } from '../../platform/redis/redis.service.js';
import type { CompiledManifest, EncodedResource } from '../cache/compiled-mesh.js';
import { compiledKeys } from '../cache/compiled-store.js';

/**
 * Publishes a compiled manifest whose only change is ClusterLoadAssignments, atomically, if the
 * published version is still `base` (compare-and-set: a concurrent compile or update wins, and
 * the caller starts again from what it published). The generation and everything a compile
 * records beside the manifest (its translation records, a rejection) stay as they are: the mesh
 * was not compiled. Adds the new assignments' bytes and drops the replaced ones nothing else
 * references, in the same script, so readers never see a manifest whose resources are missing.
 *
 * KEYS: meta, manifest, resources. ARGV: base version, new version, manifest JSON, number of
 * dropped hashes D, D hashes, then hash/bytes pairs to add.
 */
const PUBLISH_ASSIGNMENTS = `
if ARGV[1] == '' or (redis.call('HGET', KEYS[1], 'version') or '') ~= ARGV[1] then return 'conflict' end
local d = tonumber(ARGV[4])
for i = 5 + d, #ARGV, 2 do redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 1]) end
redis.call('SET', KEYS[2], ARGV[3])
redis.call('HSET', KEYS[1], 'version', ARGV[2])
local drop = {}
for i = 5, 4 + d do
  drop[#drop + 1] = ARGV[i]
  if #drop == 1000 then redis.call('HDEL', KEYS[3], unpack(drop)); drop = {} end
end
if #drop > 0 then redis.call('HDEL', KEYS[3], unpack(drop)) end
return 'ok'
`;

@Injectable()
export class AssignmentStore {
  constructor(private readonly redis: RedisService) {}

  async publish(
    manifest: CompiledManifest,
    base: string,
    added: readonly EncodedResource[],
    dropped: readonly string[],
  ): Promise<'ok' | 'conflict'> {
    const args: (string | Buffer)[] = [base, manifest.version, JSON.stringify(manifest), String(dropped.length)];
    args.push(...dropped);
    for (const r of added) args.push(r.hash, Buffer.from(r.any.buffer, r.any.byteOffset, r.any.byteLength));
    const k = compiledKeys(this.redis.namespace);
    const keys = [k.meta(manifest), k.manifest(manifest), k.resources(manifest)];
    return (await this.redis.client.eval(PUBLISH_ASSIGNMENTS, keys.length, ...keys, ...args)) as 'ok' | 'conflict';
  }
}
