/**
 * Verified credentials (proxy tokens on the xDS shards, access keys and API tokens on the api
 * role), so that a reconnect storm or a busy client does not become a database storm. An entry is
 * trusted for `ttlMs` at most (STANDING_BOUND_MS, ADR 0013); a revocation notice evicts it at once. An invalidation (`evict`, `clear`) also voids every lookup in
 * flight: a lookup that started before it may have read the database before the change it
 * announces, so its result is not stored (`set` with the generation the lookup started in).
 */
export class RevocableCache<V> {
  private readonly entries = new Map<string, { readonly value: V; readonly until: number }>();
  private current = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly max: number,
  ) {}

  /** Read it before a lookup, and hand it to `set` with the lookup's result. */
  get generation(): number {
    return this.current;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string, now: number): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.until > now) return entry.value;
    this.entries.delete(key);
    return undefined;
  }

  /** Stores a lookup's result, unless an invalidation happened since the lookup started. */
  set(key: string, value: V, startedIn: number, now: number): void {
    if (startedIn !== this.current) return;
    this.entries.delete(key); // re-inserted last: eviction order is insertion order
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { value, until: now + this.ttlMs });
  }

  /** Forgets the values that match. */
  evict(matches: (value: V) => boolean): void {
    this.current++;
    for (const [key, entry] of this.entries) if (matches(entry.value)) this.entries.delete(key);
  }

  clear(): void {
    this.current++;
    this.entries.clear();
  }
}
