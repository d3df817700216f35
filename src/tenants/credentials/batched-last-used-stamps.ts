import { LastUsedStamps } from './last-used-stamps.js';

/** Pending stamps are written this often at most: one statement per interval, whatever their number. */
export const LAST_USED_FLUSH_MS = 1_000;
/** Ids per statement when a flush has very many (an array parameter PostgreSQL handles well). */
const IDS_PER_WRITE = 10_000;

/**
 * Last-used stamps for credentials used many at a time (the proxy tokens of a fleet connecting to
 * an xDS shard): throttled per credential as {@link LastUsedStamps} does, then collected and
 * written together every {@link LAST_USED_FLUSH_MS}, one statement per flush instead of one per
 * credential. A stamp says when the flush ran, so it is late by up to the flush interval, within
 * the resolution already documented for lastUsedAt. Best effort, as ever: a failed write is
 * reported to `onError` and not retried (the next use stamps again).
 */
export class BatchedLastUsedStamps {
  private readonly throttle: LastUsedStamps;
  private pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  /** The flush in progress: flushes run one after another, never side by side. */
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly write: (ids: readonly string[], now: Date) => Promise<void>,
    private readonly onError: (err: unknown) => void,
    private readonly everyMs = LAST_USED_FLUSH_MS,
  ) {
    this.throttle = new LastUsedStamps(onError);
  }

  /** Notes a use of `id`; it is written with the next flush unless this process stamped it within the resolution. */
  stamp(id: string): void {
    this.throttle.stamp(id, () => {
      this.pending.add(id);
      if (!this.timer) {
        this.timer = setTimeout(() => void this.flush(), this.everyMs);
        this.timer.unref();
      }
      return Promise.resolve();
    });
  }

  /** Writes what is pending now (also at shutdown); resolves when it is written, or failed. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return this.writing;
    const ids = [...this.pending];
    this.pending = new Set();
    this.writing = this.writing.then(async () => {
      const now = new Date();
      for (let i = 0; i < ids.length; i += IDS_PER_WRITE) {
        await this.write(ids.slice(i, i + IDS_PER_WRITE), now).catch(this.onError);
      }
    });
    return this.writing;
  }
}
