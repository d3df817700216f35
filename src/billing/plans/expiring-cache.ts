/**
 * A bounded map whose entries expire after `ttlMs`. An invalidation also voids every load in
 * flight: a load that started before it may have read the database before the change it
 * announces, so its result is not stored (`set` with the generation the load started in).
 */
export class ExpiringCache<V> {
  private readonly entries = new Map<string, { readonly value: V; readonly until: number }>();
  private current = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly max: number,
  ) {}

  /** Read it before a load, and hand it to `set` with the load's result. */
  get generation(): number {
    return this.current;
  }

  get(key: string, now: number): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.until > now) return entry.value;
    this.entries.delete(key);
    return undefined;
  }

  set(key: string, value: V, startedIn: number, now: number): void {
    if (startedIn !== this.current) return;
    this.entries.delete(key); // re-inserted last: eviction order is insertion order
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { value, until: now + this.ttlMs });
  }

  delete(key: string): void {
    this.current++;
    this.entries.delete(key);
  }

  clear(): void {
    this.current++;
    this.entries.clear();
  }
}
