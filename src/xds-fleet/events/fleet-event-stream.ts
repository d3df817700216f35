import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RedisService } from '../../platform/redis/redis.service.js';
import {
  fleetEventsChannel,
  fleetEventsInterestKey,
  INTEREST_TTL_MS,
  parseFleetEventBatch,
  type FleetEventBatch,
} from './fleet-events.js';

/** What receives one tenant's fleet events on the api role (a GraphQL subscription, say). */
export interface FleetEventListener {
  /** A batch of the tenant's events (of all its meshes: filter what you show). */
  events(batch: FleetEventBatch): void;
  /** Events may have been missed (Redis reconnected, an unreadable message): read the state again. */
  resync(): void;
}

interface TenantChannel {
  readonly channel: string;
  readonly listeners: Set<FleetEventListener>;
  /** Resolves once Redis confirmed the subscription and the interest mark is set. */
  readonly ready: Promise<void>;
}

/**
 * The api role's side of the fleet events (fleet-events.ts): one Redis subscriber connection per
 * process, subscribed to the channels of the tenants that have listeners here, and nothing else,
 * so a replica receives only what its own websocket clients may see. While a tenant has
 * listeners, its interest mark tells the shards to publish its proxy events.
 */
@Injectable()
export class FleetEventStream implements OnApplicationShutdown {
  private readonly log = new Logger(FleetEventStream.name);
  private readonly tenants = new Map<string, TenantChannel>();
  private readonly byChannel = new Map<string, string>();
  private subscriber: Redis | undefined;
  private refresher: NodeJS.Timeout | undefined;

  constructor(private readonly redis: RedisService) {}

  /**
   * Delivers the tenant's events to `listener` from when the returned promise resolves (the
   * subscription is in place) until the returned function is called.
   */
  async listen(tenantId: string, listener: FleetEventListener): Promise<() => void> {
    let tenant = this.tenants.get(tenantId);
    if (!tenant) {
      const channel = fleetEventsChannel(this.redis.namespace, tenantId);
      const ready = Promise.all([this.connection().subscribe(channel), this.markInterest([tenantId])]).then(
        () => undefined,
      );
      tenant = { channel, listeners: new Set(), ready };
      this.tenants.set(tenantId, tenant);
      this.byChannel.set(channel, tenantId);
      ready.catch(() => this.drop(tenantId, tenant!));
    }
    tenant.listeners.add(listener);
    try {
      await tenant.ready;
    } catch (err) {
      tenant.listeners.delete(listener);
      throw err;
    }
    const joined = tenant;
    return () => {
      joined.listeners.delete(listener);
      if (joined.listeners.size === 0) this.drop(tenantId, joined);
    };
  }

  private drop(tenantId: string, tenant: TenantChannel): void {
    if (this.tenants.get(tenantId) !== tenant) return;
    this.tenants.delete(tenantId);
    this.byChannel.delete(tenant.channel);
    // The interest mark expires by itself: another replica may still listen to this tenant.
    this.subscriber?.unsubscribe(tenant.channel).catch((err: Error) => this.log.warn(`unsubscribe: ${err.message}`));
  }

  private connection(): Redis {
    if (this.subscriber) return this.subscriber;
    const subscriber = this.redis.duplicateForBlocking('fleet-events');
    this.subscriber = subscriber;
    subscriber.on('message', (channel: string, message: string) => this.deliver(channel, message));
    let connectedBefore = false;
    subscriber.on('ready', () => {
      // ioredis subscribes again by itself; what was published meanwhile is lost.
      if (connectedBefore) {
        void this.markInterest([...this.tenants.keys()]);
        for (const tenant of this.tenants.values()) for (const l of tenant.listeners) l.resync();
      }
      connectedBefore = true;
    });
    subscriber.on('error', (err: Error) => this.log.warn(`fleet events: ${err.message}`));
    this.refresher = setInterval(() => void this.markInterest([...this.tenants.keys()]), INTEREST_TTL_MS / 3);
    this.refresher.unref();
    return subscriber;
  }

  private deliver(channel: string, message: string): void {
    const tenantId = this.byChannel.get(channel);
    const tenant = tenantId === undefined ? undefined : this.tenants.get(tenantId);
    if (!tenant) return;
    const batch = parseFleetEventBatch(message);
    for (const listener of tenant.listeners) {
      if (batch) listener.events(batch);
      else listener.resync();
    }
  }

  private async markInterest(tenantIds: readonly string[]): Promise<void> {
    if (tenantIds.length === 0) return;
    const pipeline = this.redis.client.pipeline();
    for (const id of tenantIds)
      pipeline.set(fleetEventsInterestKey(this.redis.namespace, id), '1', 'PX', INTEREST_TTL_MS);
    try {
      const failed = (await pipeline.exec())?.find(([err]) => err);
      if (failed) throw failed[0]!;
    } catch (err) {
      this.log.warn(`marking interest in fleet events: ${(err as Error).message}`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.refresher) clearInterval(this.refresher);
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
  }
}
