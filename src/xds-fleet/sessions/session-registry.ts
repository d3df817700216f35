import { Inject, Injectable, Optional } from '@nestjs/common';
import DataLoader from 'dataloader';
import { GroupCommit } from '../../common/batching/group-commit.js';
import type { ChainableCommander, Redis } from 'ioredis';
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

/**
 * Admits a session if its identity has fewer than the limit live sessions, and records it.
 * KEYS: conn, sessions, seen. ARGV: now, expiry, limit, id, record (JSON). 1 if admitted, else 0.
 */
const ADMIT = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if not redis.call('ZSCORE', KEYS[1], ARGV[4]) then
  if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
  redis.call('PEXPIRE', KEYS[1], ${SESSION_TTL_MS * 2})
end
redis.call('HSET', KEYS[2], ARGV[4], ARGV[5])
redis.call('ZADD', KEYS[3], ARGV[1], ARGV[4])
return 1
`;
/** The name ADMIT is defined under on the client (ioredis sends EVALSHA, and the script once per connection). */
const ADMIT_COMMAND = 'meshplaneAdmitSession';
type WithAdmit = {
  [ADMIT_COMMAND](conn: string, sessions: string, seen: string, ...args: string[]): ChainableCommander;
};

/** Sessions admitted or removed per Redis round trip, at most (a fleet connecting at once comes in batches of this many). */
const SESSIONS_PER_BATCH = 500;

interface Admission {
  readonly record: SessionRecord;
  readonly tenantId: string;
  readonly limit: number;
}
interface Removal {
  readonly record: SessionRecord;
  readonly tenantId: string;
}

/**
 * Told when sessions enter, stay in and leave the registry, after the registry's own writes. The
 * endpoint source (src/xds-fleet/endpoints) is one: a connected proxy is an endpoint of its node.
 * Never rejects: what it does must not decide whether a proxy is served.
 */
export interface SessionObserver {
  /** Sessions admitted together (one batch of the registry's), in their order of arrival. */
  admitted(records: readonly SessionRecord[]): Promise<void>;
  removed(records: readonly SessionRecord[]): Promise<void>;
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

  async admitted(records: readonly SessionRecord[]): Promise<void> {
    for (const o of this.observers) await o.admitted(records).catch(() => undefined);
  }

  async removed(records: readonly SessionRecord[]): Promise<void> {
    for (const o of this.observers) await o.removed(records).catch(() => undefined);
  }

  async heartbeat(records: readonly SessionRecord[]): Promise<void> {
    for (const o of this.observers) await o.heartbeat(records).catch(() => undefined);
  }
}

/**
 * The registry. Admissions and removals are batched (GroupCommit): those asked for while the
 * previous batch is in Redis (a fleet connecting, a storm of closes) go in the next one, one
 * pipeline, and their observers are told once per batch. Each session
 * is still decided on its own, atomically (one ADMIT script per session: its quota check and its
 * record), and `admit`/`remove` resolve only once their session is written and observed, as
 * before.
 */
@Injectable()
export class SessionRegistry {
  private readonly keys: ReturnType<typeof sessionKeys>;
  private readonly admitting = new GroupCommit();
  private readonly admissions = new DataLoader<Admission, boolean>(
    (batch) => this.admitting.track(this.admitBatch(batch)),
    { cache: false, maxBatchSize: SESSIONS_PER_BATCH, batchScheduleFn: this.admitting.schedule },
  );
  private readonly removing = new GroupCommit();
  private readonly removals = new DataLoader<Removal, void>((batch) => this.removing.track(this.removeBatch(batch)), {
    cache: false,
    maxBatchSize: SESSIONS_PER_BATCH,
    batchScheduleFn: this.removing.schedule,
  });

  constructor(
    private readonly redis: RedisService,
    @Optional() @Inject(SESSION_OBSERVER) private readonly observer?: SessionObserver,
  ) {
    this.keys = sessionKeys(redis.namespace);
    redis.client.defineCommand(ADMIT_COMMAND, { numberOfKeys: 3, lua: ADMIT });
  }

  private get client(): Redis {
    return this.redis.client;
  }

  /** Counts the session against its identity's quota and records it; false when the identity is at its limit. */
  admit(record: SessionRecord, tenantId: string, limit: number): Promise<boolean> {
    return this.admissions.load({ record, tenantId, limit });
  }

  private async admitBatch(batch: readonly Admission[]): Promise<(boolean | Error)[]> {
    const now = Date.now();
    const pipeline = this.client.pipeline() as ChainableCommander & WithAdmit;
    for (const { record, tenantId, limit } of batch) {
      pipeline[ADMIT_COMMAND](
        this.keys.conn(tenantId, record.meshId, record.kind, record.name),
        this.keys.sessions(tenantId),
        this.keys.seen(tenantId),
        String(now),
        String(now + SESSION_TTL_MS),
        String(limit),
        record.sessionId,
        JSON.stringify(record),
      );
    }
    const replies = (await pipeline.exec()) ?? [];
    const results = batch.map((_, i): boolean | Error => {
      const [err, admitted] = replies[i] ?? [new Error('no reply from Redis for this session')];
      return err ?? admitted === 1;
    });
    const admitted = batch.filter((_, i) => results[i] === true).map((a) => a.record);
    if (admitted.length > 0) await this.observer?.admitted(admitted);
    return results;
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

  /** Takes the session out of the registry and its identity's quota; resolves once it is gone and observed. */
  remove(tenantId: string, record: SessionRecord): Promise<void> {
    return this.removals.load({ tenantId, record });
  }

  private async removeBatch(batch: readonly Removal[]): Promise<(void | Error)[]> {
    // One HDEL and ZREM per key (a tenant's records and last-seen set, an identity's connections).
    const fields = new Map<string, string[]>();
    const members = new Map<string, string[]>();
    const add = (sets: Map<string, string[]>, key: string, id: string) => {
      let ids = sets.get(key);
      if (!ids) sets.set(key, (ids = []));
      ids.push(id);
    };
    for (const { tenantId, record } of batch) {
      add(fields, this.keys.sessions(tenantId), record.sessionId);
      add(members, this.keys.seen(tenantId), record.sessionId);
      add(members, this.keys.conn(tenantId, record.meshId, record.kind, record.name), record.sessionId);
    }
    const pipeline = this.client.pipeline();
    for (const [key, ids] of fields) pipeline.hdel(key, ...ids);
    for (const [key, ids] of members) pipeline.zrem(key, ...ids);
    let failure: Error | undefined;
    try {
      failure = (await pipeline.exec())?.find(([err]) => err)?.[0] ?? undefined;
    } catch (err) {
      failure = err as Error;
    }
    // Told even when Redis failed: the sessions have ended whatever the registry holds (their
    // records expire with the TTL), and metering must hear of it.
    await this.observer?.removed(batch.map((r) => r.record));
    return batch.map(() => failure);
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
