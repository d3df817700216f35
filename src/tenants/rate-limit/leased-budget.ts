/**
 * A per-second request budget shared by every api replica, spent mostly in memory.
 *
 * The budget of a tenant for one window lives in one shared counter (Redis). A window starts with
 * the tenant's first request after the previous one ended and lasts a second, as in
 * rate-limiter-flexible's fixed windows, which this replaced. A replica
 * does not ask it once per request: it leases a slice of the second's budget (`leaseSize`
 * requests) with one atomic increment and spends that slice locally; it asks again only when the
 * slice is spent. Once the shared counter shows the second's budget handed out, every replica
 * refuses locally until the next second.
 *
 * Invariants:
 * - never more than `limit` requests are admitted in one second across all replicas: leases are
 *   cut from one atomic counter and a lease past the limit is granted only what is left;
 * - a replica under-admits by at most what other replicas leased and did not spend in that second
 *   (at most one slice each), never more;
 * - concurrent requests of one tenant share one outstanding lease call, so a burst costs one
 *   round trip per slice, not one per request.
 */

/**
 * Hands out up to `points` of a tenant's budget in its current window (starting one if none is
 * open); answers the counter's total after the increment and the ms left in the window.
 */
export type LeaseCounter = (tenantId: string, points: number) => Promise<{ total: number; msLeft: number }>;

export type BudgetAnswer = { readonly allowed: true } | { readonly allowed: false; readonly msBeforeNext: number };

/** Slices per second: a lease is 1/20 of the limit (at least 1), so a limit of 5000/s costs 20 round trips a second. */
const SLICES_PER_WINDOW = 20;
export const WINDOW_MS = 1000;
/** Tenants idle for a whole window are forgotten once this many are remembered. */
const PRUNE_ABOVE = 10_000;

export function leaseSize(limit: number): number {
  return Math.max(1, Math.min(limit, Math.ceil(limit / SLICES_PER_WINDOW)));
}

interface WindowState {
  /** When the window ends (ms since the epoch); unknown (Infinity) until the first lease answered. */
  endsAt: number;
  granted: number;
  used: number;
  /** The shared counter showed the window's budget all handed out. */
  exhausted: boolean;
  pending: Promise<void> | undefined;
}

export class LeasedBudget {
  private readonly states = new Map<string, WindowState>();

  constructor(
    private readonly counter: LeaseCounter,
    private readonly now: () => number = Date.now,
  ) {}

  /** Spends one request of `tenantId`'s budget of `limit` per second. Rejects only when the counter cannot be reached. */
  async consume(tenantId: string, limit: number): Promise<BudgetAnswer> {
    for (;;) {
      const now = this.now();
      const state = this.stateOf(tenantId, now);
      if (state.used < state.granted) {
        state.used++;
        return { allowed: true };
      }
      if (state.exhausted) return { allowed: false, msBeforeNext: Math.max(1, state.endsAt - now) };
      state.pending ??= this.lease(tenantId, state, limit).finally(() => {
        state.pending = undefined;
      });
      await state.pending;
      // Spend from what the lease granted, or find the window exhausted (or over: start again in the next).
    }
  }

  private async lease(tenantId: string, state: WindowState, limit: number): Promise<void> {
    const size = leaseSize(limit);
    const { total, msLeft } = await this.counter(tenantId, size);
    const before = total - size;
    const granted = Math.max(0, Math.min(size, limit - before));
    state.endsAt = Math.min(state.endsAt, this.now() + Math.max(0, msLeft));
    state.granted += granted;
    if (granted < size) state.exhausted = true;
  }

  private stateOf(tenantId: string, now: number): WindowState {
    const current = this.states.get(tenantId);
    if (current && (now < current.endsAt || current.pending)) return current;
    if (!current && this.states.size >= PRUNE_ABOVE) this.prune(now);
    const fresh: WindowState = { endsAt: Infinity, granted: 0, used: 0, exhausted: false, pending: undefined };
    this.states.set(tenantId, fresh);
    return fresh;
  }

  private prune(now: number): void {
    for (const [tenantId, state] of this.states) if (state.endsAt < now && !state.pending) this.states.delete(tenantId);
  }
}
