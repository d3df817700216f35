import { Injectable, Logger, Optional, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RedisService } from '../../platform/redis/redis.service.js';
import {
  parseRevocationNotice,
  revocationsChannel,
  STANDING_BOUND_MS,
  type RevocationNotice,
} from './revocation-notice.js';

/** What a process that caches authentication does with notices. */
export interface RevocationListener {
  /** A credential or tenant lost its standing: forget it, end what it holds open. */
  revoked(notice: RevocationNotice): void;
  /**
   * Notices may have been missed: the subscription was (re)established after a Redis outage, or a
   * message could not be read. Forget everything cached and check what is open against the database.
   */
  resync(): void;
}

/** How long a publish waits for a connection still being made (the operator CLI publishes right after starting). */
const CONNECT_WAIT_MS = 2_000;
/**
 * Retries of a failed publish, in ms after the failure. They end past STANDING_BOUND_MS, the
 * longest a missed notice can matter (caches expire and open streams are checked again by then).
 */
const RETRY_AFTER_MS = [1_000, 3_000, 7_000, 15_000, STANDING_BOUND_MS + 1_000];
const BOUND = `${STANDING_BOUND_MS / 1000} s`;

/**
 * Revocation notices over Redis pub/sub, on `<QUEUE_PREFIX>:auth:revocations`. Writers publish
 * after their commit; processes that cache authentication subscribe. Pub/sub delivers only to
 * connected subscribers, so a subscriber that reconnects resyncs (see RevocationListener), and
 * every cache also expires on its own: a missed notice is bounded, never permanent.
 *
 * Without Redis (the operator CLI run without REDIS_URL) nothing is published and the bounds of
 * the caches apply.
 */
@Injectable()
export class RevocationBus implements OnApplicationShutdown {
  private readonly log = new Logger(RevocationBus.name);
  private readonly listeners = new Set<RevocationListener>();
  private subscriber: Redis | undefined;
  private readonly retries = new Set<NodeJS.Timeout>();

  constructor(@Optional() private readonly redis?: RedisService) {}

  /**
   * Publishes a notice; call it after the commit that made the change. This process's listeners
   * hear it before this returns; others when Redis delivers it. Never rejects: the change
   * is made, and a notice that cannot be sent now is retried in the background (the caches'
   * own bounds cover the time meanwhile).
   */
  async publish(notice: RevocationNotice): Promise<void> {
    // This process's own caches forget at once, before the notice makes its round trip.
    for (const l of this.listeners) l.revoked(notice);
    const redis = this.redis;
    if (!redis) {
      this.log.warn(`no Redis configured: running processes learn of this ${notice.kind} revocation within ${BOUND}`);
      return;
    }
    const message = JSON.stringify(notice);
    const send = async () => {
      if (redis.client.status !== 'ready') await ready(redis.client, CONNECT_WAIT_MS);
      await redis.client.publish(revocationsChannel(redis.namespace), message);
    };
    try {
      await send();
    } catch (err) {
      this.log.warn(`publishing a ${notice.kind} revocation failed (${(err as Error).message}); retrying`);
      this.retry(send, 0);
    }
  }

  private retry(send: () => Promise<void>, attempt: number): void {
    const delay = RETRY_AFTER_MS[attempt];
    if (delay === undefined) {
      this.log.error(`gave up publishing a revocation; caches and open streams follow it within ${BOUND}`);
      return;
    }
    const timer = setTimeout(
      () => {
        this.retries.delete(timer);
        send().catch(() => this.retry(send, attempt + 1));
      },
      delay - (RETRY_AFTER_MS[attempt - 1] ?? 0),
    );
    timer.unref();
    this.retries.add(timer);
  }

  /**
   * Delivers notices to `listener` from now on. The first subscription opens the connection;
   * `resync` is called each time the subscription is (re)established, once Redis confirmed it,
   * so nothing published after that call can be missed.
   */
  subscribe(listener: RevocationListener): void {
    this.listeners.add(listener);
    if (this.subscriber || !this.redis) return;
    const channel = revocationsChannel(this.redis.namespace);
    const subscriber = this.redis.duplicateForBlocking(channel);
    this.subscriber = subscriber;
    subscriber.on('message', (from: string, message: string) => {
      if (from !== channel) return;
      const notice = parseRevocationNotice(message);
      for (const l of this.listeners) {
        if (notice) l.revoked(notice);
        else l.resync();
      }
    });
    // 'ready' follows every (re)connection. ioredis subscribes again by itself too; subscribing
    // here as well is what tells when the subscription is in place again.
    subscriber.on('ready', () => {
      subscriber
        .subscribe(channel)
        .then(() => {
          for (const l of this.listeners) l.resync();
        })
        .catch((err: Error) => this.log.warn(`subscribing to revocations: ${err.message}`));
    });
    subscriber.on('error', (err: Error) => this.log.warn(`revocations: ${err.message}`));
  }

  async onApplicationShutdown(): Promise<void> {
    for (const timer of this.retries) clearTimeout(timer);
    this.retries.clear();
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
  }
}

/** Resolves when `client` is connected, rejects after `ms`. */
function ready(client: Redis, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('ready', done);
      reject(new Error(`Redis not connected within ${ms} ms`));
    }, ms);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    client.once('ready', done);
  });
}
