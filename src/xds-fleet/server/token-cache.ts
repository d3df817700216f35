import type { ProxyIdentity } from '../identity/proxy-identity.js';

/**
 * Verified proxy tokens, so that a reconnect storm does not become a database storm. An entry is
 * trusted for `ttlMs` at most. An invalidation (`evict`, `clear`) also voids every lookup in
 * flight: a lookup that started before it may have read the database before the change it
 * announces, so its result is not stored (`set` with the generation the lookup started in).
 */
export class TokenCache {
  private readonly entries = new Map<string, { readonly identity: ProxyIdentity; readonly until: number }>();
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

  get(token: string, now: number): ProxyIdentity | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (entry.until > now) return entry.identity;
    this.entries.delete(token);
    return undefined;
  }

  /** Stores a lookup's result, unless an invalidation happened since the lookup started. */
  set(token: string, identity: ProxyIdentity, startedIn: number, now: number): void {
    if (startedIn !== this.current) return;
    this.entries.delete(token); // re-inserted last: eviction order is insertion order
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(token, { identity, until: now + this.ttlMs });
  }

  /** Forgets the identities that match. */
  evict(matches: (identity: ProxyIdentity) => boolean): void {
    this.current++;
    for (const [token, entry] of this.entries) if (matches(entry.identity)) this.entries.delete(token);
  }

  clear(): void {
    this.current++;
    this.entries.clear();
  }
}
