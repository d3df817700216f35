/**
 * Last-used stamps are written at most this often per credential. Repositories also put it in the
 * condition of their stamp `UPDATE`, so replicas do not write more often than that between them.
 */
export const LAST_USED_RESOLUTION_MS = 60_000;

/** Entries kept before the map is emptied: bounds memory when many credentials are used once. */
const MAX_TRACKED = 100_000;

/**
 * Records credential use (access keys, API tokens, proxy tokens) cheaply. Stamps are best effort:
 * a failed write must not fail the request it describes, so errors go to `onError`. They are
 * coarse: at most one write per credential per `LAST_USED_RESOLUTION_MS` per process, so a busy
 * credential costs no database round trip on most uses.
 */
export class LastUsedStamps {
  /** When this process last stamped each credential. */
  private readonly stamped = new Map<string, number>();

  constructor(private readonly onError: (err: unknown) => void) {}

  /** Calls `write` unless this process already did for `id` within the resolution. */
  stamp(id: string, write: (now: Date) => Promise<void>): void {
    const now = Date.now();
    const last = this.stamped.get(id);
    if (last !== undefined && now - last < LAST_USED_RESOLUTION_MS) return;
    this.stamped.set(id, now);
    if (this.stamped.size > MAX_TRACKED) this.stamped.clear();
    write(new Date(now)).catch(this.onError);
  }
}
