import { Injectable, Logger } from '@nestjs/common';
import { RedisService } from '../../platform/redis/redis.service.js';
import { fleetEventsChannel, fleetEventsInterestKey, type FleetEvent, type FleetEventBatch } from './fleet-events.js';

/**
 * The most events one tenant's batch carries per flush. Beyond it the batch says how many were
 * left out: a subscriber of progress reads the registry anyway, and a console does not draw
 * 10,000 ACKs a second one by one.
 */
export const MAX_EVENTS_PER_BATCH = 1_000;

/**
 * Publishes fleet events (fleet-events.ts) on the tenants' channels, fire-and-forget: nothing it
 * does decides whether a proxy is served or a compile is published. It never rejects, and a
 * failed publish is logged (rate-limited) and forgotten: events are hints, the registry and the
 * compiled store stay the truth.
 *
 * Shards `record` events as they happen and `flush` them with their registry writes (once a
 * second): one PUBLISH per tenant and flush, after the registry holds what the events announce,
 * and only for tenants some api replica listens to (one EXISTS per tenant and flush).
 * Workers publish a compile's outcome at once (`publishNow`): one message per compile.
 */
@Injectable()
export class FleetEventPublisher {
  private readonly log = new Logger(FleetEventPublisher.name);
  private readonly pending = new Map<string, { events: FleetEvent[]; dropped: number }>();
  private lastWarning = 0;

  constructor(private readonly redis: RedisService) {}

  /** Keeps an event for the next flush (bounded per tenant: see MAX_EVENTS_PER_BATCH). */
  record(tenantId: string, event: FleetEvent): void {
    let batch = this.pending.get(tenantId);
    if (!batch) this.pending.set(tenantId, (batch = { events: [], dropped: 0 }));
    if (batch.events.length < MAX_EVENTS_PER_BATCH) batch.events.push(event);
    else batch.dropped++;
  }

  /** Publishes what was recorded, to the tenants someone listens to; the rest is discarded. */
  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batches = [...this.pending];
    this.pending.clear();
    try {
      const client = this.redis.client;
      const namespace = this.redis.namespace;
      const interest = client.pipeline();
      for (const [tenantId] of batches) interest.exists(fleetEventsInterestKey(namespace, tenantId));
      const answers = (await interest.exec()) ?? [];
      const publish = client.pipeline();
      batches.forEach(([tenantId, batch], i) => {
        if (answers[i]?.[1] !== 1) return;
        publish.publish(fleetEventsChannel(namespace, tenantId), JSON.stringify(batch satisfies FleetEventBatch));
      });
      if (publish.length > 0) await publish.exec();
    } catch (err) {
      this.warn(err);
    }
  }

  /** Publishes a few events of one tenant now (a compile's outcome), whoever listens. */
  async publishNow(tenantId: string, events: readonly FleetEvent[]): Promise<void> {
    try {
      const message = JSON.stringify({ events, dropped: 0 } satisfies FleetEventBatch);
      await this.redis.client.publish(fleetEventsChannel(this.redis.namespace, tenantId), message);
    } catch (err) {
      this.warn(err);
    }
  }

  /** One warning a minute at most: a Redis outage must not flood the log from every flush. */
  private warn(err: unknown): void {
    const now = Date.now();
    if (now - this.lastWarning < 60_000) return;
    this.lastWarning = now;
    this.log.warn(`publishing fleet events failed (they are dropped; state stays readable): ${(err as Error).message}`);
  }
}
