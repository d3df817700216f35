import { Injectable } from '@nestjs/common';
import type { ChainableCommander, Redis } from 'ioredis';
import { RedisService } from '../../platform/redis/redis.service.js';
import { tenantKey } from '../sessions/session-registry.js';
import type { SnapshotEndpoint } from '../snapshot/mesh-snapshot.js';
import type { ProxyEndpoint } from './proxy-endpoint.js';

/**
 * The live endpoints of virtual nodes, fleet-wide, in Redis: one entry per connected proxy
 * session, kept alive the way the session registry keeps sessions (written when the stream is
 * admitted, heartbeated by its shard, removed when it closes, expired when its shard stops
 * heartbeating). A node's endpoints are the distinct addresses of its live entries.
 *
 * Per tenant (keys share the tenant's hash tag, like the session registry's), per mesh:
 * - `…:endpoints:<meshId>:node:<node>` — a sorted set of `address \t zone \t sessionId`, scored by
 *   expiry (ms). Bounded by the node's connection quota, so scripts may scan it whole.
 * - `…:endpoints:<meshId>:nodes` — the nodes that have entries (what the sweep looks at).
 *
 * Fleet-wide: `<namespace>:xds:endpoint-meshes` (meshes with entries, scored by their last write: the
 * sweep's work list) and `<namespace>:xds:endpoint-meshes:dirty` (meshes whose endpoints changed since
 * their last fast-path update started: a lost enqueue is repaired by the sweep).
 *
 * Every write answers whether the node's set of endpoints changed (an address appeared or lost
 * its last live entry), atomically, so concurrent shards never both miss a change.
 */
/** The endpoint keys in an installation's namespace (RedisService.namespace). */
export const endpointKeys = (namespace: string) => ({
  node: (tenantId: string, meshId: string, node: string) =>
    `${tenantKey(namespace, tenantId)}:endpoints:${meshId}:node:${node}`,
  nodes: (tenantId: string, meshId: string) => `${tenantKey(namespace, tenantId)}:endpoints:${meshId}:nodes`,
  /** The nodes whose endpoints changed since the mesh's last update started (the empty name: any of them). */
  dirtyNodes: (tenantId: string, meshId: string) => `${tenantKey(namespace, tenantId)}:endpoints:${meshId}:dirty-nodes`,
  meshes: `${namespace}:xds:endpoint-meshes`,
  dirty: `${namespace}:xds:endpoint-meshes:dirty`,
});

export interface EndpointMeshRef {
  readonly tenantId: string;
  readonly meshId: string;
}

/**
 * Lua shared by the scripts: the set of endpoints (`address \t zone`) of a list of entries, and
 * whether one write changed the node's endpoints. "Before" is taken twice, with and without the
 * expired entries still stored: a consumer may have read either (expired entries are invisible to
 * readers but stay until a write or the sweep removes them), so a change against either counts.
 */
const COMMON = `
local function endpoints(entries)
  local set = {}
  for _, e in ipairs(entries) do set[string.match(e, '^(.*)\\t[^\\t]*$')] = true end
  return set
end
local function same(a, b)
  for k in pairs(a) do if not b[k] then return false end end
  for k in pairs(b) do if not a[k] then return false end end
  return true
end
local function before(key, now)
  return endpoints(redis.call('ZRANGE', key, 0, -1)),
    endpoints(redis.call('ZRANGEBYSCORE', key, '(' .. now, '+inf'))
end
local function changed(key, stored, live)
  local after = endpoints(redis.call('ZRANGE', key, 0, -1))
  return not (same(stored, after) and same(live, after))
end
`;

/**
 * Adds or refreshes one entry. KEYS: node, nodes. ARGV: now, expiry, entry, node name, key TTL.
 * Refreshing a live entry (every heartbeat) changes nothing else and costs no scan.
 */
const UPSERT = `${COMMON}
local score = redis.call('ZSCORE', KEYS[1], ARGV[3])
if score and tonumber(score) > tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
  redis.call('SADD', KEYS[2], ARGV[4])
  redis.call('PEXPIRE', KEYS[2], ARGV[5])
  return 0
end
local stored, live = before(KEYS[1], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('SADD', KEYS[2], ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
if changed(KEYS[1], stored, live) then return 1 end
return 0
`;

/**
 * Removes one entry (and expired ones), or with a grace only shortens its life to `graceEnd`: a
 * proxy that reconnects at once (connection age, a shard restarting) keeps its endpoint. Returns
 * 1 when the node's endpoints changed now, plus 2 when they will change at `graceEnd` (no other
 * entry keeps the address alive beyond it). KEYS: node, nodes. ARGV: now, entry, node name, graceEnd.
 */
const REMOVE = `${COMMON}
local stored, live = before(KEYS[1], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local later = 0
local score = redis.call('ZSCORE', KEYS[1], ARGV[2])
if score and tonumber(ARGV[4]) <= tonumber(ARGV[1]) then
  redis.call('ZREM', KEYS[1], ARGV[2])
elseif score then
  if tonumber(score) > tonumber(ARGV[4]) then redis.call('ZADD', KEYS[1], ARGV[4], ARGV[2]) end
  local endpoint = string.match(ARGV[2], '^(.*)\\t[^\\t]*$')
  later = 2
  for _, e in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. ARGV[4], '+inf')) do
    if string.match(e, '^(.*)\\t[^\\t]*$') == endpoint then later = 0; break end
  end
end
local result = later
if changed(KEYS[1], stored, live) then result = result + 1 end
if redis.call('ZCARD', KEYS[1]) == 0 then
  redis.call('DEL', KEYS[1])
  redis.call('SREM', KEYS[2], ARGV[3])
end
return result
`;

/** Drops expired entries of the given nodes. KEYS: nodes, then one node key per name. ARGV: now, names. */
const PURGE = `${COMMON}
local result = 0
for i = 2, #KEYS do
  local stored, live = before(KEYS[i], ARGV[1])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', ARGV[1])
  if changed(KEYS[i], stored, live) then result = 1 end
  if redis.call('ZCARD', KEYS[i]) == 0 then
    redis.call('DEL', KEYS[i])
    redis.call('SREM', KEYS[1], ARGV[i])
  end
end
return result
`;

/** Forgets a mesh of the work list unless it was written since `cutoff`. KEYS: meshes. ARGV: member, cutoff. */
const FORGET = `
local seen = redis.call('ZSCORE', KEYS[1], ARGV[1])
if seen and tonumber(seen) < tonumber(ARGV[2]) then redis.call('ZREM', KEYS[1], ARGV[1]) end
return 0
`;

/** A mesh whose endpoints changed; `nodes`: which of its nodes (absent: any of them). */
export interface EndpointMeshChange extends EndpointMeshRef {
  readonly nodes?: readonly string[];
}

/** One session's entry, as a registry write names it. */
export interface EndpointEntry extends EndpointMeshRef {
  readonly node: string;
  readonly sessionId: string;
  readonly endpoint: ProxyEndpoint;
}

/** The dirty-nodes member that means "any node of the mesh" (a node's name is never empty). */
const ANY_NODE = '';
/** A mark outlives any update that would consume it; one left by a lost job is read by the sweep's. */
const DIRTY_NODES_TTL_MS = 24 * 3600_000;

/**
 * The names UPSERT and REMOVE are defined under on the client: ioredis then sends EVALSHA, and
 * the script text once per connection, instead of the text with every entry (an upsert per
 * connecting proxy, a heartbeat of thousands).
 */
const UPSERT_COMMAND = 'meshplaneEndpointUpsert';
const REMOVE_COMMAND = 'meshplaneEndpointRemove';
type WithScripts = {
  [UPSERT_COMMAND](node: string, nodes: string, ...args: string[]): ChainableCommander;
  [REMOVE_COMMAND](node: string, nodes: string, ...args: string[]): Promise<unknown>;
};

const entryOf = (e: EndpointEntry) => `${e.endpoint.address}\t${e.endpoint.zone ?? ''}\t${e.sessionId}`;
const meshMember = (m: EndpointMeshRef) => `${m.tenantId}/${m.meshId}`;

@Injectable()
export class EndpointRegistry {
  private readonly keys: ReturnType<typeof endpointKeys>;

  constructor(private readonly redis: RedisService) {
    this.keys = endpointKeys(redis.namespace);
    redis.client.defineCommand(UPSERT_COMMAND, { numberOfKeys: 2, lua: UPSERT });
    redis.client.defineCommand(REMOVE_COMMAND, { numberOfKeys: 2, lua: REMOVE });
  }

  private get client(): Redis {
    return this.redis.client;
  }

  private get scripts(): Redis & WithScripts {
    return this.redis.client as Redis & WithScripts;
  }

  /**
   * Adds or refreshes entries, each living until `now + ttlMs` unless refreshed again. Returns
   * the meshes whose endpoints changed, with the nodes that changed.
   */
  async upsert(entries: readonly EndpointEntry[], ttlMs: number, now = Date.now()): Promise<EndpointMeshChange[]> {
    if (entries.length === 0) return [];
    const pipeline = this.client.pipeline() as ChainableCommander & WithScripts;
    for (const e of entries) {
      pipeline[UPSERT_COMMAND](
        this.keys.node(e.tenantId, e.meshId, e.node),
        this.keys.nodes(e.tenantId, e.meshId),
        String(now),
        String(now + ttlMs),
        entryOf(e),
        e.node,
        String(2 * ttlMs),
      );
    }
    const meshes = new Map(entries.map((e) => [meshMember(e), { tenantId: e.tenantId, meshId: e.meshId }]));
    for (const member of meshes.keys()) pipeline.zadd(this.keys.meshes, String(now), member);
    const results = await pipeline.exec();
    return this.changedMeshes(entries, results);
  }

  /**
   * Removes a session's entry, after `graceMs` (the entry lives on until then unless it expires
   * sooner). `now`: the node's endpoints changed at once (only when `graceMs` is 0, or expired
   * entries were dropped meanwhile); `later`: they change when the grace ends, unless another
   * session at the same address comes meanwhile.
   */
  async remove(entry: EndpointEntry, graceMs = 0, now = Date.now()): Promise<{ now: boolean; later: boolean }> {
    const result = Number(
      await this.scripts[REMOVE_COMMAND](
        this.keys.node(entry.tenantId, entry.meshId, entry.node),
        this.keys.nodes(entry.tenantId, entry.meshId),
        String(now),
        entryOf(entry),
        entry.node,
        String(now + graceMs),
      ),
    );
    return { now: (result & 1) === 1, later: (result & 2) === 2 };
  }

  /** Drops the expired entries of a mesh (a shard that died); true when its endpoints changed. */
  async purge(mesh: EndpointMeshRef, now = Date.now()): Promise<boolean> {
    const nodes = await this.client.smembers(this.keys.nodes(mesh.tenantId, mesh.meshId));
    if (nodes.length === 0) return false;
    const keys = [
      this.keys.nodes(mesh.tenantId, mesh.meshId),
      ...nodes.map((n) => this.keys.node(mesh.tenantId, mesh.meshId, n)),
    ];
    return (await this.client.eval(PURGE, keys.length, ...keys, String(now), ...nodes)) === 1;
  }

  /**
   * The live endpoints of these nodes of one mesh, by node name (nodes without any are absent): one per address (the smallest
   * zone when the proxies at an address disagree), sorted, so the same state always reads the
   * same (ClusterLoadAssignments built from it hash the same in a full compile and the fast path).
   */
  async read(
    mesh: EndpointMeshRef,
    nodes: readonly string[],
    now = Date.now(),
  ): Promise<Record<string, SnapshotEndpoint[]>> {
    if (nodes.length === 0) return {};
    // Only nodes with entries are read: most of a large mesh's nodes have no connected proxy.
    const withEntries = new Set(await this.client.smembers(this.keys.nodes(mesh.tenantId, mesh.meshId)));
    const names = [...new Set(nodes)].filter((n) => withEntries.has(n));
    if (names.length === 0) return {};
    const pipeline = this.client.pipeline();
    for (const n of names) pipeline.zrangebyscore(this.keys.node(mesh.tenantId, mesh.meshId, n), `(${now}`, '+inf');
    const results = (await pipeline.exec()) ?? [];
    const out: Record<string, SnapshotEndpoint[]> = {};
    names.forEach((node, i) => {
      const [err, entries] = results[i] ?? [new Error('no reply'), undefined];
      if (err) throw err;
      const byAddress = new Map<string, string>();
      for (const entry of entries as string[]) {
        const [address, zone] = entry.split('\t');
        if (!address) continue;
        const known = byAddress.get(address);
        if (known === undefined || (zone ?? '') < known) byAddress.set(address, zone ?? '');
      }
      if (byAddress.size === 0) return;
      out[node] = [...byAddress]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([address, zone]) => ({ address, port: 0, ...(zone ? { zone } : {}) }));
    });
    return out;
  }

  /** Meshes that had entries recently, with the time of their last write. */
  async meshes(): Promise<(EndpointMeshRef & { readonly seenAt: number })[]> {
    const flat = await this.client.zrange(this.keys.meshes, '0', '-1', 'WITHSCORES');
    const out: (EndpointMeshRef & { seenAt: number })[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const [tenantId, meshId] = flat[i]!.split('/');
      if (tenantId && meshId) out.push({ tenantId, meshId, seenAt: Number(flat[i + 1]) });
    }
    return out;
  }

  /** Whether a mesh still has entries (live or not yet purged). */
  async hasEntries(mesh: EndpointMeshRef): Promise<boolean> {
    return (await this.client.scard(this.keys.nodes(mesh.tenantId, mesh.meshId))) > 0;
  }

  /** Drops a mesh from the sweep's work list, unless something was written for it since `cutoff`. */
  async forget(mesh: EndpointMeshRef, cutoff: number): Promise<void> {
    await this.client.eval(FORGET, 1, this.keys.meshes, meshMember(mesh), String(cutoff));
  }

  /**
   * Records that a mesh's endpoints changed and its published assignments may be stale: those
   * of `nodes` (the registry knows which nodes select a changed service), or of any node.
   */
  async markDirty(mesh: EndpointMeshRef, nodes?: readonly string[]): Promise<void> {
    const members = nodes === undefined || nodes.length === 0 ? [ANY_NODE] : nodes;
    const key = this.keys.dirtyNodes(mesh.tenantId, mesh.meshId);
    await this.client
      .multi()
      .sadd(key, ...members)
      .pexpire(key, DIRTY_NODES_TTL_MS)
      .sadd(this.keys.dirty, meshMember(mesh))
      .exec();
  }

  /**
   * Called as a fast-path update starts, before it reads: changes from now on mark the mesh
   * again. Returns the nodes marked since the last update (empty when an earlier update took
   * them: the job for a change that update already applied), or `all` (a change of unknown nodes).
   */
  async takeDirty(mesh: EndpointMeshRef): Promise<ReadonlySet<string> | 'all'> {
    const key = this.keys.dirtyNodes(mesh.tenantId, mesh.meshId);
    const results = await this.client.multi().smembers(key).del(key).srem(this.keys.dirty, meshMember(mesh)).exec();
    const [err, members] = results?.[0] ?? [new Error('no reply'), undefined];
    if (err) throw err;
    const nodes = members as string[];
    return nodes.includes(ANY_NODE) ? 'all' : new Set(nodes);
  }

  async dirty(): Promise<EndpointMeshRef[]> {
    return (await this.client.smembers(this.keys.dirty)).flatMap((member) => {
      const [tenantId, meshId] = member.split('/');
      return tenantId && meshId ? [{ tenantId, meshId }] : [];
    });
  }

  private changedMeshes(
    entries: readonly EndpointEntry[],
    results: [Error | null, unknown][] | null,
  ): EndpointMeshChange[] {
    const changed = new Map<string, { tenantId: string; meshId: string; nodes: string[] }>();
    entries.forEach((e, i) => {
      const [err, value] = results?.[i] ?? [new Error('no reply'), undefined];
      if (err) throw err;
      if (value !== 1) return;
      const known = changed.get(meshMember(e));
      if (known) known.nodes.push(e.node);
      else changed.set(meshMember(e), { tenantId: e.tenantId, meshId: e.meshId, nodes: [e.node] });
    });
    return [...changed.values()];
  }
}
