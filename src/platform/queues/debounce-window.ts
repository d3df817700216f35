import type { Redis } from 'ioredis';

/**
 * Decides when a key's pending job runs. Returns the start of its debounce window (the time of
 * the first change it covers) and whether this change may run at once.
 *
 * - No window open, and no job of the key started within the debounce: the key was quiet, so
 *   this change runs at once (leading edge) and opens a window that later changes join.
 * - No window open, but a job started within the debounce: a window opens at `now`, or at that
 *   start when the window is a throttle (ARGV[5] = 1: the job runs one debounce after the last
 *   one started, however late in that debounce the change came).
 * - A window open and not yet run out: the change joins it.
 * - A window whose maximum delay has run out (its job is due or already running, and may miss
 *   this change): a window opens that ends one debounce from now, so the follow-up job is
 *   debounced but cannot be postponed further.
 *
 * Atomic, so every producer sees one window. KEYS: window, last start. ARGV: now, max delay,
 * debounce, key TTL (all ms), throttle (1 or 0).
 */
const WINDOW_SCRIPT = `
local now = tonumber(ARGV[1])
local maxDelay = tonumber(ARGV[2])
local debounce = tonumber(ARGV[3])
local first = tonumber(redis.call('GET', KEYS[1]))
if first and now < first + maxDelay then return {tostring(first), 0} end
local leading = 0
if first then
  first = now + debounce - maxDelay
else
  first = now
  local started = tonumber(redis.call('GET', KEYS[2]))
  if not started or now - started >= debounce then
    leading = 1
  elseif ARGV[5] == '1' then
    first = started
  end
end
redis.call('SET', KEYS[1], tostring(first), 'PX', ARGV[4])
return {tostring(first), leading}`;

/** Marks the start of a job: closes the key's window and records when. KEYS: window, last start. ARGV: now, TTL. */
const STARTING_SCRIPT = `
redis.call('DEL', KEYS[1])
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
return 1`;

/**
 * A leading-edge debounce with a maximum delay, shared by every producer and consumer of one kind
 * of job through two small Redis keys per subject (`<prefix>:first-pending:<id>`,
 * `<prefix>:last-start:<id>`), which expire by themselves. A change to a quiet subject (no job
 * started within `debounceMs`) runs at once; one soon after a job started waits `debounceMs` for
 * more (with `throttle`, only until `debounceMs` after that job started: at most one job per
 * `debounceMs`, and no change waits longer than it); the wait never ends later than `maxDelayMs`
 * after the first change it covers. The caller
 * enqueues its job with {@link delayFor}'s answer and calls {@link starting} as the job starts,
 * before it reads what it applies (a change from then on may be missed by it).
 *
 * Used by the reconcile queue (ADR 0004) and the endpoints queue (ADR 0026).
 */
export class DebounceWindow {
  private readonly debounceMs: number;

  constructor(
    private readonly connection: () => Redis,
    private readonly prefix: string,
    debounceMs: number,
    private readonly maxDelayMs: number,
    private readonly throttle = false,
  ) {
    this.debounceMs = Math.min(debounceMs, maxDelayMs);
  }

  /** How long the job for a change to `id` now waits: 0 on the leading edge of a quiet subject. */
  async delayFor(id: string): Promise<number> {
    const now = Date.now();
    const [start, leading] = (await this.connection().eval(
      WINDOW_SCRIPT,
      2,
      this.windowKey(id),
      this.lastStartKey(id),
      String(now),
      String(this.maxDelayMs),
      String(this.debounceMs),
      String(this.keyTtlMs()),
      this.throttle ? '1' : '0',
    )) as [string, number];
    return leading === 1 ? 0 : Math.max(0, Math.min(this.debounceMs, Number(start) + this.maxDelayMs - now));
  }

  /**
   * A job of `id` starts: a change from now on opens a new window, and one within the debounce
   * does not run at once. Best effort: if this fails, the window's key expires by itself and
   * changes meanwhile run without delay.
   */
  async starting(id: string): Promise<void> {
    await this.connection()
      .eval(STARTING_SCRIPT, 2, this.windowKey(id), this.lastStartKey(id), String(Date.now()), String(this.keyTtlMs()))
      .catch(() => undefined);
  }

  /** The keys outlive any window they describe, then go. */
  private keyTtlMs(): number {
    return Math.max(2 * this.maxDelayMs, 2 * this.debounceMs, 1_000);
  }

  private lastStartKey(id: string): string {
    return `${this.prefix}:last-start:${id}`;
  }

  private windowKey(id: string): string {
    return `${this.prefix}:first-pending:${id}`;
  }
}
