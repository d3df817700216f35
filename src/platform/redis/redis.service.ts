import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';

/**
 * The process's command connection to Redis. It reconnects forever in the background; commands
 * fail fast while Redis is away (so a request never hangs on it) and /readyz reports it.
 */
@Injectable()
export class RedisService implements OnApplicationShutdown {
  private readonly log = new Logger(RedisService.name);
  readonly client: Redis;
  /**
   * The first part of every key and channel this installation's xDS data uses
   * (`<namespace>:xds:…`): QUEUE_PREFIX without braces, so the keys' own `{…}` hash tags still
   * spread them over a Redis Cluster.
   */
  readonly namespace: string;
  private readonly lastWrites: (() => Promise<void>)[] = [];

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.namespace = config.queuePrefix.replace(/[{}]/g, '');
    this.client = new Redis(config.redisUrl, {
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      connectTimeout: 5_000,
      retryStrategy: (attempt: number) => Math.min(attempt * 200, 5_000),
    });
    this.client.on('error', (err: Error) => this.log.warn(`redis: ${err.message}`));
  }

  /**
   * A separate connection for blocking consumers (BullMQ workers, subscribers), which must
   * never give up on a command. `connectionName` is set on every (re)connection (CLIENT LIST shows it).
   */
  duplicateForBlocking(connectionName?: string): Redis {
    return new Redis(this.config.redisUrl, {
      maxRetriesPerRequest: null,
      enableOfflineQueue: true,
      ...(connectionName === undefined ? {} : { connectionName }),
    });
  }

  /**
   * A separate connection for queue producers (BullMQ `Queue`s). Commands issued while it
   * (re)connects wait for it, which BullMQ's own start-up checks need, but a command fails after
   * one reconnection attempt, so a producer never waits long for a Redis that is away.
   */
  duplicateForQueues(): Redis {
    return new Redis(this.config.redisUrl, {
      maxRetriesPerRequest: 1,
      enableOfflineQueue: true,
      connectTimeout: 5_000,
      retryStrategy: (attempt: number) => Math.min(attempt * 200, 5_000),
    });
  }

  async ping(): Promise<void> {
    const answer = await this.client.ping();
    if (answer !== 'PONG') throw new Error(`unexpected PING answer ${answer}`);
  }

  /**
   * Registers a write that must reach Redis before this connection closes (a buffer's last flush).
   * Nest runs the shutdown hooks of different modules in an order that does not follow their
   * dependencies, so a service flushing in its own hook could find the connection already closed.
   */
  beforeClose(write: () => Promise<void>): void {
    this.lastWrites.push(write);
  }

  /** After the HTTP server drained (see PrismaService): in-flight requests may still need Redis. */
  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled(this.lastWrites.map((write) => write()));
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
