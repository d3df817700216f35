import { collectionVersion, KIND_OF_TYPE_URL, TYPE_URLS } from '../cache/compiled-mesh.js';
import { OutboundMessage, type DiscoveryRequest } from '../encoding/wire.js';
import type { ResourceKindName } from '../translator/envoy-types.js';
import type { ResolvedView } from './mesh-cache.js';
import { PUSH_ORDER, XdsSession } from './session.js';

/** Resource types whose empty subscription means "everything" (the legacy wildcard). */
const WILDCARD_TYPES = new Set<ResourceKindName>(['listeners', 'clusters']);

interface Target {
  readonly version: string;
  /** name → hash, and the bytes (kept by reference: a cluster being removed may be gone from the cache). */
  readonly entries: ReadonlyMap<string, { readonly hash: string; readonly any: Uint8Array }>;
  /** The response body (without nonce), once a stream has sent this target. */
  body?: Buffer;
}

/**
 * Targets are shared by the streams of an identity (memoised per view and compile), and so is what
 * is derived from a pair of them: the clusters a stream was sent that a new target drops, and the
 * target that keeps them (make-before-break). Computed once per pair, not per stream.
 */
const keptClusters = new WeakMap<
  Target['entries'],
  WeakMap<Target, { dropped: readonly [string, { hash: string; any: Uint8Array }][]; kept?: Target }>
>();

class TypeState {
  subscribed = false;
  wildcard = false;
  names: readonly string[] = [];
  /** The subscription as a key (sorted names, `*` first when wildcard), interned: one string per distinct subscription. */
  namesKey = '';
  /** The names of the last request, as sent: a request that repeats them changes nothing. */
  requested: readonly string[] = [];
  /** A response is owed regardless of versions (first request, or the subscription changed). */
  owed = false;
  sentVersion: string | undefined;
  sentNonce: string | undefined;
  sent: Target['entries'] = new Map();
  /** Waiting for the proxy's ACK or NACK of the last response: at most one response per type in flight. */
  outstanding = false;
  nackedVersion: string | undefined;
  /** The target last resolved, for which view and subscription: pushes after each ACK reuse it. */
  last: { view: ResolvedView; namesKey: string; target: Target } | undefined;
}

/**
 * A state-of-the-world ADS stream (StreamAggregatedResources). Per type: the subscription, the
 * version and nonce last sent, and what the proxy answered. The rules, from Envoy's xDS protocol:
 *
 * - a request whose response_nonce is not the last one sent for its type is stale and ignored;
 * - a NACK (error_detail) leaves the proxy on its previous version; the rejected version is not
 *   sent again (no NACK loop) — the next different version is;
 * - a changed subscription is always answered, even when the versions did not change, and names
 *   the view lacks are remembered and sent once they appear;
 * - LDS and CDS with no names are wildcard subscriptions; a resource is removed by omission;
 * - clusters a change drops stay in CDS until the listeners and routes that used them are
 *   replaced and ACKed (make-before-break).
 */
export class SotwSession extends XdsSession {
  readonly protocol = 'sotw' as const;
  private readonly types = new Map<ResourceKindName, TypeState>();

  handle(request: DiscoveryRequest): void {
    const kind = KIND_OF_TYPE_URL.get(request.typeUrl);
    if (!kind) return; // a type this server does not serve (e.g. runtime): no answer, as for a missing resource
    let state = this.types.get(kind);
    if (!state) this.types.set(kind, (state = new TypeState()));

    if (request.responseNonce !== '') {
      if (request.responseNonce !== state.sentNonce) return; // stale
      state.outstanding = false;
      if (request.errorDetail) {
        state.nackedVersion = state.sentVersion;
        this.reporter.nacked(
          this,
          request.typeUrl,
          state.sentVersion ?? '',
          request.errorDetail.message,
          [...state.sent].map(([name, { hash }]) => ({ name, ...this.arn(hash) })),
        );
      } else {
        this.reporter.acked(this, request.typeUrl, request.versionInfo);
      }
    }

    // An ACK usually repeats the subscription: then wildcard and names are what they were.
    if (!state.subscribed || !sameNames(request.resourceNames, state.requested)) this.subscribe(kind, state, request);
    this.push();
  }

  private subscribe(kind: ResourceKindName, state: TypeState, request: DiscoveryRequest): void {
    const explicit = request.resourceNames.filter((n) => n !== '*');
    const wildcard =
      WILDCARD_TYPES.has(kind) &&
      (request.resourceNames.includes('*') ||
        (request.resourceNames.length === 0 && (!state.subscribed || state.wildcard)));
    const key = wildcard ? `*\n${[...explicit].sort().join('\n')}` : [...explicit].sort().join('\n');
    if (!state.subscribed || key !== state.namesKey) {
      state.owed = true;
      state.names = explicit;
      state.namesKey = this.cache.intern('sotw-names', key, () => key);
    }
    state.subscribed = true;
    state.wildcard = wildcard;
    state.requested = request.resourceNames;
  }

  private arn(hash: string): { arn?: string } {
    const arn = this.cache.arnOf(hash);
    return arn ? { arn } : {};
  }

  protected push(): void {
    const view = this.view();
    if (!view) return;
    let inSync = true;
    for (const kind of PUSH_ORDER) {
      const state = this.types.get(kind);
      if (!state?.subscribed) continue;
      if (state.outstanding) {
        inSync = false;
        continue;
      }
      let target = this.target(view, kind, state);
      if (kind === 'clusters') target = this.keepDroppedClusters(view, state, target);
      const unchanged = target.version === state.sentVersion || target.version === state.nackedVersion;
      if (!state.owed && unchanged) {
        // Not in sync while the proxy runs on an older version than it was sent (it NACKed).
        if (target.version !== state.sentVersion || state.sentVersion === state.nackedVersion) inSync = false;
        continue;
      }
      state.owed = false;
      if (!state.wildcard && state.names.length === 0 && state.sentVersion === undefined) continue;
      this.respond(kind, state, target);
      inSync = false;
    }
    this.settle(inSync);
  }

  private target(view: ResolvedView, kind: ResourceKindName, state: TypeState): Target {
    const last = state.last;
    if (last && last.view === view && last.namesKey === state.namesKey) return last.target;
    const target = view.memo(`sotw|${kind}`, state.namesKey, () => {
      const entries = new Map<string, { hash: string; any: Uint8Array }>();
      if (state.wildcard) {
        for (const [name, hash] of Object.entries(view.own[kind]))
          entries.set(name, { hash, any: this.cache.anyOf(hash) });
      }
      for (const name of state.names) {
        const hash = view.lookup(kind, name);
        if (hash !== undefined) entries.set(name, { hash, any: this.cache.anyOf(hash) });
      }
      const version =
        state.wildcard && state.names.length === 0
          ? view.wildcardVersion(kind)
          : collectionVersion(Object.fromEntries([...entries].map(([n, e]) => [n, e.hash])));
      return { version, entries } as Target;
    });
    state.last = { view, namesKey: state.namesKey, target };
    return target;
  }

  /**
   * While listeners or routes still have to change, clusters the new compile dropped are kept
   * (with their last sent bytes) so nothing in use disappears before its replacement is in place.
   */
  private keepDroppedClusters(view: ResolvedView, clusters: TypeState, target: Target): Target {
    if (clusters.sent === target.entries) return target;
    let pairs = keptClusters.get(clusters.sent);
    if (!pairs) keptClusters.set(clusters.sent, (pairs = new WeakMap()));
    let pair = pairs.get(target);
    if (!pair) {
      pair = { dropped: [...clusters.sent].filter(([name]) => !target.entries.has(name)) };
      pairs.set(target, pair);
    }
    const dropped = pair.dropped;
    if (dropped.length === 0) return target;
    const pending = (['listeners', 'routes'] as const).some((kind) => {
      const state = this.types.get(kind);
      if (!state?.subscribed) return false;
      if (state.outstanding) return true;
      const next = this.target(view, kind, state).version;
      return next !== state.sentVersion && next !== state.nackedVersion;
    });
    if (!pending) return target;
    if (!pair.kept) {
      const entries = new Map([...target.entries, ...dropped]);
      const version = collectionVersion(Object.fromEntries([...entries].map(([n, e]) => [n, e.hash])));
      pair.kept = { version, entries };
    }
    return pair.kept;
  }

  private respond(kind: ResourceKindName, state: TypeState, target: Target): void {
    const typeUrl = TYPE_URLS[kind];
    const nonce = this.nextNonce();
    target.body ??= this.cache.sotwBody(typeUrl, target.version, () => [...target.entries.values()].map((e) => e.any));
    state.sentVersion = target.version;
    state.sentNonce = nonce;
    state.sent = target.entries;
    state.outstanding = true;
    this.notePush();
    this.send(new OutboundMessage(target.body, nonce));
    this.reporter.pushed(this, typeUrl, target.entries.size);
  }

  /** Versions this stream last sent, by type URL (for the session registry). */
  sentVersions(): Record<string, string> {
    return Object.fromEntries(
      [...this.types].flatMap(([kind, s]) => (s.sentVersion ? [[TYPE_URLS[kind], s.sentVersion]] : [])),
    );
  }
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
