import { Injectable, Logger, Optional, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RedisService } from '../../platform/redis/redis.service.js';

/** What changed: one tenant's plan history, or the catalogue (any plan's quotas or prices). */
export type PlanChangeNotice = { readonly kind: 'tenant'; readonly tenantId: string } | { readonly kind: 'catalogue' };

const channelOf = (namespace: string) => `${namespace}:billing:plans`;

function parseNotice(message: string): PlanChangeNotice | undefined {
  try {
    const value = JSON.parse(message) as Record<string, unknown>;
    if (value.kind === 'catalogue') return { kind: 'catalogue' };
    if (value.kind === 'tenant' && typeof value.tenantId === 'string')
      return { kind: 'tenant', tenantId: value.tenantId };
  } catch {
    // an unreadable message is treated like a missed one: the listener forgets everything
  }
  return undefined;
}

/**
 * Plan changes over Redis pub/sub, so that every process's plan cache forgets what an operator
 * changed at once. Pub/sub only reaches connected subscribers: a (re)subscription or an unreadable
 * message makes listeners forget everything, and the cache's TTL bounds any notice still missed.
 * Without Redis (the operator CLI) nothing is published and the TTL applies.
 */
@Injectable()
export class PlanChangeBus implements OnApplicationShutdown {
  private readonly log = new Logger(PlanChangeBus.name);
  private readonly listeners = new Set<(notice: PlanChangeNotice | undefined) => void>();
  private subscriber: Redis | undefined;

  constructor(@Optional() private readonly redis?: RedisService) {}

  /** Call after the commit. Never rejects: the change is made; a lost notice is bounded by the TTL. */
  async publish(notice: PlanChangeNotice): Promise<void> {
    for (const l of this.listeners) l(notice); // this process at once, whatever Redis does
    if (!this.redis) return;
    try {
      await this.redis.client.publish(channelOf(this.redis.namespace), JSON.stringify(notice));
    } catch (err) {
      this.log.warn(
        `publishing a plan change failed (${(err as Error).message}); other processes follow within the cache TTL`,
      );
    }
  }

  /** `listener(undefined)`: notices may have been missed, forget everything. */
  subscribe(listener: (notice: PlanChangeNotice | undefined) => void): void {
    this.listeners.add(listener);
    if (this.subscriber || !this.redis) return;
    const channel = channelOf(this.redis.namespace);
    const subscriber = this.redis.duplicateForBlocking(channel);
    this.subscriber = subscriber;
    subscriber.on('message', (from: string, message: string) => {
      if (from !== channel) return;
      const notice = parseNotice(message);
      for (const l of this.listeners) l(notice);
    });
    subscriber.on('ready', () => {
      subscriber
        .subscribe(channel)
        .then(() => {
          for (const l of this.listeners) l(undefined);
        })
        .catch((err: Error) => this.log.warn(`subscribing to plan changes: ${err.message}`));
    });
    subscriber.on('error', (err: Error) => this.log.warn(`plan changes: ${err.message}`));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
  }
}
