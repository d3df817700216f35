import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import { QueueRegistry } from '../../platform/queues/queue-registry.service.js';

/**
 * Records a failure of `generation` and returns how long to wait before the next attempt: the
 * failure count restarts at 1 for another generation (a new change is a new chance) and the wait
 * doubles from the base up to the cap. The record outlives the longest wait, then expires by itself.
 *
 * KEYS: record. ARGV: generation, now, base, cap, TTL (ms). Returns {failures, wait}.
 */
const FAILED_SCRIPT = `
local n = 1
if redis.call('HGET', KEYS[1], 'generation') == ARGV[1] then
  n = (tonumber(redis.call('HGET', KEYS[1], 'failures')) or 0) + 1
end
local wait = math.floor(math.min(tonumber(ARGV[3]) * 2 ^ math.min(n - 1, 40), tonumber(ARGV[4])))
redis.call('HSET', KEYS[1], 'generation', ARGV[1], 'failures', n, 'next', math.floor(tonumber(ARGV[2]) + wait))
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return {n, wait}`;

/**
 * The backoff of meshes whose compile keeps failing at one generation (see
 * docs/adr/0006-translation-errors.md): one small Redis hash per failing mesh,
 * `<QUEUE_PREFIX>:reconcile:failing:<meshId>` = {generation, failures, next (ms since the epoch)},
 * shared by every worker, deleted by the next compile that succeeds.
 */
@Injectable()
export class ReconcileBackoff {
  private readonly baseMs: number;
  private readonly capMs: number;

  constructor(
    private readonly queues: QueueRegistry,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.baseMs = config.reconcileFailureBackoffMs;
    this.capMs = Math.max(config.reconcileFailureBackoffMaxMs, this.baseMs);
  }

  /** Records a failed compile of `generation`; returns the failures of that generation so far and the wait before the next. */
  async failed(meshId: string, generation: string): Promise<{ failures: number; waitMs: number }> {
    const [failures, waitMs] = (await this.queues.connection.eval(
      FAILED_SCRIPT,
      1,
      this.key(meshId),
      generation,
      String(Date.now()),
      String(this.baseMs),
      String(this.capMs),
      String(2 * this.capMs + 60_000),
    )) as [number, number];
    return { failures, waitMs };
  }

  /** A compile of the mesh succeeded (or the mesh is gone): no backoff any more. */
  async succeeded(meshId: string): Promise<void> {
    await this.queues.connection.del(this.key(meshId));
  }

  /** Of these meshes, those whose next attempt after a failure is still to come (the sweep leaves them to it). */
  async waiting(meshIds: readonly string[]): Promise<Set<string>> {
    const waiting = new Set<string>();
    if (meshIds.length === 0) return waiting;
    const pipeline = this.queues.connection.pipeline();
    for (const id of meshIds) pipeline.hget(this.key(id), 'next');
    const replies = (await pipeline.exec()) ?? [];
    const now = Date.now();
    meshIds.forEach((id, i) => {
      const [err, next] = replies[i] ?? [];
      if (!err && next !== null && next !== undefined && Number(next) > now) waiting.add(id);
    });
    return waiting;
  }

  /** How many meshes have a failure record (SCAN, a page at a time: never blocks Redis). */
  async count(): Promise<number> {
    let cursor = '0';
    let count = 0;
    do {
      const [next, keys] = await this.queues.connection.scan(cursor, 'MATCH', this.key('*'), 'COUNT', 1000);
      cursor = next;
      count += keys.length;
    } while (cursor !== '0');
    return count;
  }

  private key(meshId: string): string {
    return `${this.queues.prefix}:reconcile:failing:${meshId}`;
  }
}
