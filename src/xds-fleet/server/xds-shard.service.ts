import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import { RedisService } from '../../platform/redis/redis.service.js';
import { DEFAULT_PORTS_KEY, type CompiledManifest } from '../cache/compiled-mesh.js';
import { changesChannel, CompiledStore, type ChangeNotice, type MeshRef } from '../cache/compiled-store.js';
import { FleetEventPublisher } from '../events/fleet-event-publisher.js';
import type { ProxyFleetEvent } from '../events/fleet-events.js';
import { ReconcileQueue } from '../reconcile/reconcile-queue.js';
import { HEARTBEAT_MS, SessionRegistry, type NackRecord, type SessionRecord } from '../sessions/session-registry.js';
import { MeshCache } from './mesh-cache.js';
import { ProxyAuthority } from './proxy-authority.js';
import type { ReportedResource, SessionReporter, XdsSession } from './session.js';
import { typeLabel, XdsMetrics } from './xds.metrics.js';

/** How often registry records changed by ACKs/NACKs are written (batched: one write per session per flush). */
const FLUSH_MS = 1_000;
/** Safety net for a missed change notice: every served mesh's published version is checked this often. */
const POLL_MS = 30_000;

/** The time as ISO 8601, formatted once per millisecond (thousands of ACKs of one change arrive together). */
let lastIso = { ms: 0, iso: '' };
function isoNow(): string {
  const ms = Date.now();
  if (ms !== lastIso.ms) lastIso = { ms, iso: new Date(ms).toISOString() };
  return lastIso.iso;
}

/**
 * A tenant's logical xDS server inside this shard: its own cache namespace (the compiled meshes
 * its proxies use), its sessions, and its metric labels. Created on the tenant's first stream and
 * dropped after its last, so a shard holds only the tenants it serves.
 */
class TenantServer {
  readonly meshes = new Map<string, MeshCache>();
  readonly sessions = new Set<XdsSession>();
  constructor(readonly tenantId: string) {}
}

interface Tracked {
  readonly record: SessionRecord;
  dirty: boolean;
}

/**
 * The shard's state: per-tenant servers, their compiled-mesh caches fed by change notices from
 * Redis, and the session records it keeps in the fleet-wide registry. The gRPC handlers
 * (AdsService) attach sessions here.
 */
@Injectable()
export class XdsShard implements SessionReporter, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(XdsShard.name);
  readonly shardId: string;
  private readonly tenants = new Map<string, TenantServer>();
  private readonly tracked = new Map<XdsSession, Tracked>();
  private subscriber: Redis | undefined;
  private timers: NodeJS.Timeout[] = [];

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly redis: RedisService,
    private readonly store: CompiledStore,
    private readonly registry: SessionRegistry,
    private readonly reconcile: ReconcileQueue,
    private readonly metrics: XdsMetrics,
    private readonly authority: ProxyAuthority,
    private readonly events: FleetEventPublisher,
  ) {
    this.shardId = config.xdsShardId ?? `${hostname()}-${process.pid}`;
  }

  async onApplicationBootstrap(): Promise<void> {
    const subscriber = this.redis.duplicateForBlocking();
    this.subscriber = subscriber;
    subscriber.on('message', (_channel: string, message: string) => this.onNotice(message));
    let connectedBefore = false;
    subscriber.on('ready', () => {
      // After a reconnect, notices sent meanwhile are lost: reload everything served.
      if (connectedBefore) this.refreshAll();
      connectedBefore = true;
    });
    subscriber.on('error', (err: Error) => this.log.warn(`change notices: ${err.message}`));
    await subscriber
      .subscribe(changesChannel(this.redis.namespace))
      .catch((err: Error) => this.log.warn(`subscribe: ${err.message}`));
    const every = (ms: number, run: () => Promise<void>) => {
      const timer = setInterval(() => run().catch((err: Error) => this.log.warn(err.message)), ms);
      timer.unref();
      this.timers.push(timer);
    };
    every(FLUSH_MS, () => this.flush());
    every(HEARTBEAT_MS, () => this.heartbeat());
    every(POLL_MS, () => this.poll());
  }

  async onApplicationShutdown(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    await this.flush().catch(() => undefined);
    // Sessions are removed from the registry as their streams close; records of streams still
    // open when Redis goes first expire with the heartbeat.
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
  }

  /** Connected sessions on this shard (all tenants). */
  get sessionCount(): number {
    return this.tracked.size;
  }

  /**
   * The mesh's cache in the tenant's logical server, created (and loaded) on first use. The
   * caller awaits `ready()` before serving, so no stream ever sees a partial snapshot.
   */
  meshCache(ref: MeshRef): MeshCache {
    let tenant = this.tenants.get(ref.tenantId);
    if (!tenant) {
      this.tenants.set(ref.tenantId, (tenant = new TenantServer(ref.tenantId)));
      this.metrics.tenantServers.set(this.tenants.size);
    }
    let cache = tenant.meshes.get(ref.meshId);
    if (!cache) {
      cache = new MeshCache(ref, this.store, (missing) => this.requestCompile(missing));
      tenant.meshes.set(ref.meshId, cache);
      void cache.refresh().catch((err: Error) => this.log.warn(`loading mesh ${ref.meshId}: ${err.message}`));
    }
    return cache;
  }

  /** Attaches a started session: it receives this mesh's changes from now on. */
  attach(session: XdsSession, record: SessionRecord): void {
    const tenant = this.tenants.get(session.identity.tenantId)!;
    tenant.sessions.add(session);
    session.cache.listeners.add(session);
    this.tracked.set(session, { record, dirty: false });
    this.metrics.connected.inc({ tenant: session.identity.tenantId });
    this.event(record, { type: 'proxyConnected' });
  }

  /** Detaches a session; the tenant's logical server (and its caches) go with its last session. */
  async detach(session: XdsSession, record: SessionRecord | undefined): Promise<void> {
    const tenantId = session.identity.tenantId;
    if (this.tracked.delete(session)) {
      this.metrics.connected.dec({ tenant: tenantId });
      if (record) this.event(record, { type: 'proxyDisconnected' }, isoNow());
    }
    session.cache.listeners.delete(session);
    this.release(session.cache.ref);
    const tenant = this.tenants.get(tenantId);
    tenant?.sessions.delete(session);
    if (record) await this.registry.remove(tenantId, record).catch((err: Error) => this.log.warn(err.message));
  }

  /** Drops a mesh cache nobody listens to, and the tenant server with its last mesh. */
  release(ref: MeshRef): void {
    const tenant = this.tenants.get(ref.tenantId);
    const cache = tenant?.meshes.get(ref.meshId);
    if (!tenant || !cache || cache.listeners.size > 0) return;
    tenant.meshes.delete(ref.meshId);
    if (tenant.meshes.size === 0 && tenant.sessions.size === 0) {
      this.tenants.delete(ref.tenantId);
      this.metrics.tenantServers.set(this.tenants.size);
      this.metrics.connected.remove({ tenant: ref.tenantId });
    }
  }

  /** A proxy needs a compile the store lacks (a mesh never compiled, lost by Redis, or new ports). */
  requestCompile(ref: MeshRef): void {
    this.reconcile.enqueue(ref.tenantId, ref.meshId).catch((err: Error) => this.log.warn(err.message));
  }

  /** Asks for a compile of the mesh for proxy ports other than the defaults (once per variant). */
  async requestVariant(ref: MeshRef, portsKey: string): Promise<void> {
    if (portsKey === DEFAULT_PORTS_KEY) return;
    const cache = this.meshCache(ref);
    if (cache.manifest?.variants[portsKey]) return;
    await this.store.requestVariant(ref, portsKey);
    this.requestCompile(ref);
  }

  private onNotice(message: string): void {
    let notice: ChangeNotice;
    try {
      notice = JSON.parse(message) as ChangeNotice;
    } catch {
      return;
    }
    // A deleted mesh took its proxy tokens with it: its streams end, wherever they are in their start.
    if (notice.version === undefined) this.authority.meshDeleted(notice);
    const cache = this.tenants.get(notice.tenantId)?.meshes.get(notice.meshId);
    if (!cache) return; // a mesh no proxy on this shard uses
    if (notice.version === undefined) {
      cache.markDeleted();
      return;
    }
    if (cache.manifest?.version === notice.version) return;
    void cache.refresh().catch((err: Error) => this.log.warn(`refreshing mesh ${notice.meshId}: ${err.message}`));
  }

  private refreshAll(): void {
    for (const tenant of this.tenants.values()) {
      for (const cache of tenant.meshes.values()) void cache.refresh().catch(() => undefined);
    }
  }

  private async poll(): Promise<void> {
    for (const tenant of this.tenants.values()) {
      for (const cache of tenant.meshes.values()) {
        const meta = await this.store.meta(cache.ref);
        if (meta.version !== cache.manifest?.version) await cache.refresh();
      }
    }
  }

  private async flush(): Promise<void> {
    const updates: { tenantId: string; record: SessionRecord }[] = [];
    for (const [session, tracked] of this.tracked) {
      if (!tracked.dirty) continue;
      tracked.dirty = false;
      updates.push({ tenantId: session.identity.tenantId, record: tracked.record });
    }
    await this.registry.updateMany(updates);
    // After the registry holds what the events announce (a subscriber may read it when told).
    await this.events.flush();
  }

  /** Records a proxy's event for the next flush (published only if some api replica listens). */
  private event(
    record: SessionRecord,
    what:
      | { type: 'proxyConnected' | 'proxyDisconnected' }
      | { type: 'proxyNacked'; nack: NackRecord }
      | { type: 'proxySynced'; version: string },
    at: string = record.connectedAt,
  ): void {
    const event = {
      ...what,
      meshId: record.meshId,
      meshName: record.meshName,
      sessionId: record.sessionId,
      kind: record.kind,
      name: record.name,
      nodeId: record.nodeId,
      protocol: record.protocol,
      at,
    } as ProxyFleetEvent;
    this.events.record(record.tenantId, event);
  }

  private async heartbeat(): Promise<void> {
    await this.registry.heartbeat(
      [...this.tracked].map(([session, { record }]) => ({ tenantId: session.identity.tenantId, record })),
    );
  }

  // --- SessionReporter ----------------------------------------------------------------------------

  pushed(session: XdsSession, typeUrl: string): void {
    this.metrics.pushes.inc({ tenant: session.identity.tenantId, type: typeLabel(typeUrl) });
  }

  acked(session: XdsSession, typeUrl: string, version: string): void {
    const tracked = this.tracked.get(session);
    if (!tracked) return;
    tracked.record.acked[typeUrl] = version;
    tracked.record.ackedAt = isoNow();
    tracked.dirty = true;
  }

  nacked(session: XdsSession, typeUrl: string, version: string, message: string, resources: ReportedResource[]): void {
    this.metrics.nacks.inc({ tenant: session.identity.tenantId, type: typeLabel(typeUrl) });
    const tracked = this.tracked.get(session);
    if (!tracked) return;
    const nack: NackRecord = { typeUrl, version, message: message.slice(0, 4096), at: isoNow(), resources };
    tracked.record.lastNack = nack;
    tracked.dirty = true;
    this.event(tracked.record, { type: 'proxyNacked', nack }, nack.at);
    this.log.warn(
      `proxy ${session.node.id} (session ${session.id}) rejected ${typeLabel(typeUrl)} ${version}: ${message.slice(0, 500)}`,
    );
  }

  synced(session: XdsSession, manifest: CompiledManifest, pushed: boolean): void {
    if (pushed) {
      this.metrics.commitToAck.observe(
        { tenant: session.identity.tenantId },
        Math.max(0, Date.now() - manifest.committedAt) / 1000,
      );
    }
    const tracked = this.tracked.get(session);
    if (!tracked) return;
    tracked.record.syncedVersion = manifest.version;
    tracked.record.syncedAt = isoNow();
    tracked.dirty = true;
    this.event(tracked.record, { type: 'proxySynced', version: manifest.version }, tracked.record.syncedAt);
  }
}
