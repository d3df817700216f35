import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RedisService } from '../../platform/redis/redis.service.js';
import type { ProxyEndpoint } from '../endpoints/proxy-endpoint.js';
import type { ProxyKind } from '../identity/proxy-identity.js';

/**
 * Which proxies are connected where, fleet-wide, in Redis: every shard writes its own sessions,
 * the API reads them (`GET /v1/meshes/{mesh}/proxies`, `/admin/v1/...`). A shard heartbeats its
 * sessions; a session whose shard died (SIGKILL, lost host) expires after {@link SESSION_TTL_MS}
 * and stops counting against its identity's quota.
 *
 * Per tenant: a hash of session records (`…:sessions`) and a sorted set of last-seen times
 * (`…:seen`). Per proxy identity: a sorted set of live session ids scored by expiry (`…:conn:…`),
 * which is what the connection quota counts, atomically.
 */
export const SESSION_TTL_MS = 45_000;
export const HEARTBEAT_MS = 15_000;

export interface NackRecord {
  readonly typeUrl: string;
  /** The rejected version (SotW) or nonce (Delta). */
  readonly version: string;
  readonly message: string;
  readonly at: string;
  readonly resources: readonly { readonly name: string; readonly arn?: string }[];
}

export interface SessionRecord {
  readonly sessionId: string;
  readonly tenantId: string;
  readonly shard: string;
  readonly meshId: string;
  readonly meshName: string;
  readonly kind: ProxyKind;
  readonly name: string;
  readonly nodeId: string;
  readonly cluster: string;
  readonly locality?: Record<string, string>;
  readonly metadata: Record<string, unknown>;
  readonly userAgent: string;
  readonly protocol: 'sotw' | 'delta';
  readonly peer: string;
  /** Where the proxy is reached, registered as an endpoint of its virtual node (src/xds-fleet/endpoints). */
  readonly endpoint?: ProxyEndpoint;
  readonly connectedAt: string;
  /** Per type URL, the last version (SotW) or nonce (Delta) the proxy ACKed. */
  acked: Record<string, string>;
  ackedAt?: string;
  /** The compiled mesh version the proxy fully holds. */
  syncedVersion?: string;
  syncedAt?: string;
  lastNack?: NackRecord;
}

/** Field/value or score/member pairs per HSET/ZADD when writing many sessions: Redis stays responsive to others. */
const PAIRS_PER_COMMAND = 500;

/** A tenant's xDS keys in an installation's namespace (RedisService.namespace): one hash slot per tenant. */
export const tenantKey = (namespace: string, tenantId: string) => `${namespace}:xds:{tenant/${tenantId}}`;
const sessionKeys = (namespace: string) => ({
  sessions: (tenantId: string) => `${tenantKey(namespace, tenantId)}:sessions`,
  seen: (tenantId: string) => `${tenantKey(namespace, tenantId)}:seen`,
  conn: (tenantId: string, meshId: string, kind: ProxyKind, name: string) =>
    `${tenantKey(namespace, tenantId)}:conn:${meshId}:${kind}:${name}`,
});

/** Admits a session if its identity has fewer than the limit live sessions. KEYS: conn. ARGV: now, expiry, limit, id. */
const ADMIT = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZSCORE', KEYS[1], ARGV[4]) then return 1 end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ${SESSION_TTL_MS * 2})
return 1
`;

/**
 * Told when sessions enter, stay in and leave the registry, after the registry's own writes. The
 * endpoint source (src/xds-fleet/endpoints) is one: a connected proxy is an endpoint of its node.
 * Never rejects: what it does must not decide whether a proxy is served.
 */
export interface SessionObserver {
  admitted(record: SessionRecord): Promise<void>;
  removed(record: SessionRecord): Promise<void>;
  heartbeat(records: readonly SessionRecord[]): Promise<void>;
}
export const SESSION_OBSERVER = Symbol('SESSION_OBSERVER');
/**
 * The observer that meters session time (src/billing/metering), in a process that meters: told
 * after the endpoint source. Optional, so the fleet runs without billing.
 */
export const SESSION_METER = Symbol('SESSION_METER');

/** Tells several observers, in order; one that throws does not keep the news from the others. */
export class SessionObservers implements SessionObserver {
  constructor(private readonly observers: readonly SessionObserver[]) {}

  async admitted(record: SessionRecord): Promise<void> {
    for (const o of this.observers) await o.admitted(record).catch(() => undefined);
  }

  async removed(record: SessionRecord): Promise<void> {
    for (const o of this.observers) await o.removed(record).catch(() => undefined);
  }

  async heartbeat(records: readonly SessionRecord[]): Promise<void> {
    for (const o of this.observers) await o.heartbeat(records).catch(() => undefined);
  }
}

@Injectable()
export class SessionRegistry {
  private readonly keys: ReturnType<typeof sessionKeys>;

  constructor(
    private readonly redis: RedisService,
    @Optional() @Inject(SESSION_OBSERVER) private readonly observer?: SessionObserver,
  ) {
    this.keys = sessionKeys(redis.namespace);
  }

  private get client(): Redis {
    return this.redis.client;
  }

  /** Counts the session against its identity's quota; false when the identity is at its limit. */
  async admit(record: SessionRecord, tenantId: string, limit: number): Promise<boolean> {
    const now = Date.now();
    const admitted = await this.client.eval(
      ADMIT,
      1,
      this.keys.conn(tenantId, record.meshId, record.kind, record.name),
      String(now),
      String(now + SESSION_TTL_MS),
      String(limit),
      record.sessionId,
    );
    if (admitted !== 1) return false;
    await this.client
      .multi()
      .hset(this.keys.sessions(tenantId), record.sessionId, JSON.stringify(record))
      .zadd(this.keys.seen(tenantId), now, record.sessionId)
      .exec();
    await this.observer?.admitted(record);
    return true;
  }

  async update(tenantId: string, record: SessionRecord): Promise<void> {
    await this.client.hset(this.keys.sessions(tenantId), record.sessionId, JSON.stringify(record));
  }

  /**
   * Writes many records in one round trip, a few HSETs per tenant (a shard's flush after a change
   * that thousands of proxies ACKed): one write to the socket instead of one per record.
   */
  async updateMany(updates: readonly { tenantId: string; record: SessionRecord }[]): Promise<void> {
    if (updates.length === 0) return;
    const byKey = new Map<string, string[]>();
    for (const { tenantId, record } of updates) {
      const key = this.keys.sessions(tenantId);
      let fields = byKey.get(key);
      if (!fields) byKey.set(key, (fields = []));
      fields.push(record.sessionId, JSON.stringify(record));
    }
    const pipeline = this.client.pipeline();
    for (const [key, fields] of byKey) {
      for (let i = 0; i < fields.length; i += PAIRS_PER_COMMAND * 2)
        pipeline.hset(key, ...fields.slice(i, i + PAIRS_PER_COMMAND * 2));
    }
    const failed = (await pipeline.exec())?.find(([err]) => err);
    if (failed) throw failed[0]!;
  }

  async remove(tenantId: string, record: SessionRecord): Promise<void> {
    try {
      await this.client
        .multi()
        .hdel(this.keys.sessions(tenantId), record.sessionId)
        .zrem(this.keys.seen(tenantId), record.sessionId)
        .zrem(this.keys.conn(tenantId, record.meshId, record.kind, record.name), record.sessionId)
        .exec();
    } finally {
      // Told even when Redis failed: the session has ended whatever the registry holds (its record
      // expires with the TTL), and metering must hear of it.
      await this.observer?.removed(record);
    }
  }

  /** Keeps a shard's sessions alive (and counted) for another TTL. */
  async heartbeat(sessions: readonly { tenantId: string; record: SessionRecord }[]): Promise<void> {
    if (sessions.length === 0) return;
    const now = Date.now();
    // One ZADD per key (a tenant's last-seen set, an identity's connections), not one per session.
    const seen = new Map<string, string[]>();
    const conns = new Map<string, string[]>();
    const add = (sets: Map<string, string[]>, key: string, score: number, member: string) => {
      let args = sets.get(key);
      if (!args) sets.set(key, (args = []));
      args.push(String(score), member);
    };
    for (const { tenantId, record } of sessions) {
      add(seen, this.keys.seen(tenantId), now, record.sessionId);
      add(
        conns,
        this.keys.conn(tenantId, record.meshId, record.kind, record.name),
        now + SESSION_TTL_MS,
        record.sessionId,
      );
    }
    const pipeline = this.client.pipeline();
    for (const sets of [seen, conns]) {
      for (const [key, args] of sets) {
        for (let i = 0; i < args.length; i += PAIRS_PER_COMMAND * 2)
          pipeline.zadd(key, ...args.slice(i, i + PAIRS_PER_COMMAND * 2));
      }
    }
    for (const key of conns.keys()) pipeline.pexpire(key, SESSION_TTL_MS * 2);
    await pipeline.exec();
    await this.observer?.heartbeat(sessions.map((s) => s.record));
  }

  /**
   * A tenant's live sessions, optionally of one mesh. Records of sessions whose shard stopped
   * heartbeating are dropped here (lazily: no sweeper needed).
   */
  async list(tenantId: string, meshId?: string): Promise<SessionRecord[]> {
    const now = Date.now();
    const expired = await this.client.zrangebyscore(this.keys.seen(tenantId), '-inf', now - SESSION_TTL_MS);
    if (expired.length > 0) {
      await this.client
        .multi()
        .hdel(this.keys.sessions(tenantId), ...expired)
        .zrem(this.keys.seen(tenantId), ...expired)
        .exec();
    }
    const all = await this.client.hvals(this.keys.sessions(tenantId));
    return all
      .map((json) => JSON.parse(json) as SessionRecord)
      .filter((r) => meshId === undefined || r.meshId === meshId)
      .sort((a, b) => a.connectedAt.localeCompare(b.connectedAt) || a.sessionId.localeCompare(b.sessionId));
  }
}
