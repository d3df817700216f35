/**
 * A bounded map whose entries expire after `ttlMs`. An invalidation also voids every load in
 * flight: a load that started before it may have read the database before the change it
 * announces, so its result is not stored (`set` with the generation the load started in).
 * `getOrLoad` shares one load among the callers that miss while it runs (a fleet of streams of one
 * tenant connecting at once costs one query, not one each), unless an invalidation happened since
 * it started: a caller after an invalidation starts a load of its own.
 */
export class ExpiringCache<V> {
  private readonly entries = new Map<string, { readonly value: V; readonly until: number }>();
  private current = 0;
  private readonly loading = new Map<string, { readonly startedIn: number; readonly value: Promise<V> }>();

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

  /** The cached value, else the load in flight for `key` (of this generation), else a new one; stored if `keep`. */
  getOrLoad(key: string, load: () => Promise<V>, keep: (value: V) => boolean = () => true): Promise<V> {
    const cached = this.get(key, Date.now());
    if (cached !== undefined) return Promise.resolve(cached);
    const inFlight = this.loading.get(key);
    if (inFlight && inFlight.startedIn === this.current) return inFlight.value;
    const startedIn = this.current;
    const value = load().then((loaded) => {
      if (keep(loaded)) this.set(key, loaded, startedIn, Date.now());
      return loaded;
    });
    const entry = { startedIn, value };
    this.loading.set(key, entry);
    const done = () => {
      if (this.loading.get(key) === entry) this.loading.delete(key);
    };
    value.then(done, done);
    return value;
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
