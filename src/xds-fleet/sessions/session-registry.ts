import { Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RedisService } from '../../platform/redis/redis.service.js';
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
  readonly connectedAt: string;
  /** Per type URL, the last version (SotW) or nonce (Delta) the proxy ACKed. */
  acked: Record<string, string>;
  ackedAt?: string;
  /** The compiled mesh version the proxy fully holds. */
  syncedVersion?: string;
  syncedAt?: string;
  lastNack?: NackRecord;
}

const tenantKey = (tenantId: string) => `mp:xds:{tenant/${tenantId}}`;
const keys = {
  sessions: (tenantId: string) => `${tenantKey(tenantId)}:sessions`,
  seen: (tenantId: string) => `${tenantKey(tenantId)}:seen`,
  conn: (tenantId: string, meshId: string, kind: ProxyKind, name: string) =>
    `${tenantKey(tenantId)}:conn:${meshId}:${kind}:${name}`,
};

/** Admits a session if its identity has fewer than the limit live sessions. KEYS: conn. ARGV: now, expiry, limit, id. */
const ADMIT = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZSCORE', KEYS[1], ARGV[4]) then return 1 end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ${SESSION_TTL_MS * 2})
return 1
`;

@Injectable()
export class SessionRegistry {
  constructor(private readonly redis: RedisService) {}

  private get client(): Redis {
    return this.redis.client;
  }

  /** Counts the session against its identity's quota; false when the identity is at its limit. */
  async admit(record: SessionRecord, tenantId: string, limit: number): Promise<boolean> {
    const now = Date.now();
    const admitted = await this.client.eval(
      ADMIT,
      1,
      keys.conn(tenantId, record.meshId, record.kind, record.name),
      String(now),
      String(now + SESSION_TTL_MS),
      String(limit),
      record.sessionId,
    );
    if (admitted !== 1) return false;
    await this.client
      .multi()
      .hset(keys.sessions(tenantId), record.sessionId, JSON.stringify(record))
      .zadd(keys.seen(tenantId), now, record.sessionId)
      .exec();
    return true;
  }

  async update(tenantId: string, record: SessionRecord): Promise<void> {
    await this.client.hset(keys.sessions(tenantId), record.sessionId, JSON.stringify(record));
  }

  async remove(tenantId: string, record: SessionRecord): Promise<void> {
    await this.client
      .multi()
      .hdel(keys.sessions(tenantId), record.sessionId)
      .zrem(keys.seen(tenantId), record.sessionId)
      .zrem(keys.conn(tenantId, record.meshId, record.kind, record.name), record.sessionId)
      .exec();
  }

  /** Keeps a shard's sessions alive (and counted) for another TTL. */
  async heartbeat(sessions: readonly { tenantId: string; record: SessionRecord }[]): Promise<void> {
    if (sessions.length === 0) return;
    const now = Date.now();
    const pipeline = this.client.pipeline();
    for (const { tenantId, record } of sessions) {
      pipeline.zadd(keys.seen(tenantId), now, record.sessionId);
      const conn = keys.conn(tenantId, record.meshId, record.kind, record.name);
      pipeline.zadd(conn, now + SESSION_TTL_MS, record.sessionId);
      pipeline.pexpire(conn, SESSION_TTL_MS * 2);
    }
    await pipeline.exec();
  }

  /**
   * A tenant's live sessions, optionally of one mesh. Records of sessions whose shard stopped
   * heartbeating are dropped here (lazily: no sweeper needed).
   */
  async list(tenantId: string, meshId?: string): Promise<SessionRecord[]> {
    const now = Date.now();
    const expired = await this.client.zrangebyscore(keys.seen(tenantId), '-inf', now - SESSION_TTL_MS);
    if (expired.length > 0) {
      await this.client
        .multi()
        .hdel(keys.sessions(tenantId), ...expired)
        .zrem(keys.seen(tenantId), ...expired)
        .exec();
    }
    const all = await this.client.hvals(keys.sessions(tenantId));
    return all
      .map((json) => JSON.parse(json) as SessionRecord)
      .filter((r) => meshId === undefined || r.meshId === meshId)
      .sort((a, b) => a.connectedAt.localeCompare(b.connectedAt) || a.sessionId.localeCompare(b.sessionId));
  }
}
