import { KIND_OF_TYPE_URL, TYPE_URLS } from '../cache/compiled-mesh.js';
import { deltaDiscoveryResponseBody, OutboundMessage, type DeltaDiscoveryRequest } from '../encoding/wire.js';
import type { ResourceKindName } from '../translator/envoy-types.js';
import { Holding, sharedDeltaDifference, Subscription, type DeltaDifference, type DeltaEncoder } from './delta-diff.js';
import type { ResolvedView } from './mesh-cache.js';
import { PUSH_ORDER, XdsSession } from './session.js';

const WILDCARD_TYPES = new Set<ResourceKindName>(['listeners', 'clusters']);

interface InFlight {
  readonly nonce: string;
  /** What the response set, and what the proxy held before (restored on a NACK). */
  readonly sent: DeltaDifference['updates'];
  readonly before: Holding;
}

class TypeState {
  started = false;
  subscription = Subscription.NONE;
  /** What the proxy holds: name → version (content hash). Shared with the proxies in the same state. */
  holding = Holding.EMPTY;
  /** Versions the proxy rejected: never sent again (a newer version is). */
  readonly nacked = new Map<string, string>();
  inFlight: InFlight | undefined;
  /** The last difference looked up, and for what: pushes after each ACK reuse it without a lookup. */
  last: { view: ResolvedView; subscription: Subscription; holding: Holding; diff: DeltaDifference } | undefined;
}

/**
 * An incremental ADS stream (DeltaAggregatedResources). Per type the server tracks what the
 * proxy holds (by name and content-hash version, seeded from `initial_resource_versions` on a
 * reconnect) and sends only the difference: changed or newly subscribed resources, and
 * `removed_resources` for those gone from the view. Subscriptions are processed on every
 * request; ACK/NACK only for the response in flight. Clusters are removed only once listeners and
 * routes no longer need changes (make-before-break).
 *
 * Differences and response bodies are shared between streams in the same state (delta-diff.ts):
 * what one stream pays for is only its nonce.
 */
export class DeltaSession extends XdsSession {
  readonly protocol = 'delta' as const;
  private readonly types = new Map<ResourceKindName, TypeState>();

  handle(request: DeltaDiscoveryRequest): void {
    const kind = KIND_OF_TYPE_URL.get(request.typeUrl);
    if (!kind) return;
    let state = this.types.get(kind);
    if (!state) this.types.set(kind, (state = new TypeState()));

    if (request.responseNonce !== '' && state.inFlight?.nonce === request.responseNonce) {
      const flight = state.inFlight;
      state.inFlight = undefined;
      if (request.errorDetail) {
        for (const [name, hash] of flight.sent) state.nacked.set(name, hash);
        state.holding = state.holding.with(flight.sent.map(([name]) => [name, flight.before.versions.get(name)]));
        this.reporter.nacked(
          this,
          request.typeUrl,
          flight.nonce,
          request.errorDetail.message,
          flight.sent.map(([name, hash]) => {
            const arn = this.cache.arnOf(hash);
            return arn ? { name, arn } : { name };
          }),
        );
      } else {
        this.reporter.acked(this, request.typeUrl, flight.nonce);
      }
    }

    const first = !state.started;
    if (first || request.subscribe.length > 0 || request.unsubscribe.length > 0) {
      this.subscribe(kind, state, request, first);
    }
    this.push();
  }

  /** Applies a request's subscription changes (and, on the first request, the versions the proxy holds). */
  private subscribe(kind: ResourceKindName, state: TypeState, request: DeltaDiscoveryRequest, first: boolean): void {
    let wildcard = state.subscription.wildcard;
    const names = new Set(state.subscription.names);
    if (first) {
      state.started = true;
      const initial = Object.entries(request.initialVersions);
      if (initial.length > 0) {
        // Reconnecting proxies that hold the same versions share one Holding (and so their differences).
        initial.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        state.holding = this.cache.intern('holding', initial.map(([n, v]) => `${n}\n${v}`).join('\n'), () =>
          Holding.EMPTY.with(initial),
        );
      }
      if (WILDCARD_TYPES.has(kind) && request.subscribe.length === 0) wildcard = true;
    }
    for (const name of request.subscribe) {
      if (name === '*') wildcard = true;
      else names.add(name);
    }
    const forgotten: string[] = [];
    for (const name of request.unsubscribe) {
      if (name === '*') wildcard = false;
      else {
        names.delete(name);
        // An unsubscribed resource is forgotten; it is sent again if subscribed again.
        if (!wildcard && state.holding.versions.has(name)) forgotten.push(name);
      }
    }
    if (forgotten.length > 0) {
      const from = state.holding;
      state.holding = this.cache.intern('forget', `${from.id}\n${forgotten.join('\n')}`, () =>
        from.with(forgotten.map((name) => [name, undefined])),
      );
    }
    const key = Subscription.key(wildcard, names);
    state.subscription = this.cache.intern('subscription', key, () => new Subscription(wildcard, names));
  }

  protected push(): void {
    const view = this.view();
    if (!view) return;
    let inSync = true;
    const pendingUpstream = (['listeners', 'routes'] as const).some((k) => {
      const s = this.types.get(k);
      return s !== undefined && (s.inFlight !== undefined || this.difference(view, k, s).updates.length > 0);
    });
    for (const kind of PUSH_ORDER) {
      const state = this.types.get(kind);
      if (!state) continue;
      if (state.inFlight) {
        inSync = false;
        continue;
      }
      const diff = this.difference(view, kind, state);
      // Clusters leave only after the listeners and routes that used them have been replaced.
      const withRemovals = !(kind === 'clusters' && pendingUpstream);
      const removing = withRemovals ? diff.removed.length : 0;
      if (diff.withheld || removing < diff.removed.length) inSync = false;
      if (diff.updates.length === 0 && removing === 0) continue;
      this.respond(kind, state, diff, withRemovals);
      inSync = false;
    }
    this.settle(inSync);
  }

  /** What the proxy lacks of its subscription and what it holds that is gone (shared, see delta-diff.ts). */
  private difference(view: ResolvedView, kind: ResourceKindName, state: TypeState): DeltaDifference {
    const last = state.last;
    if (
      last &&
      last.view === view &&
      last.subscription === state.subscription &&
      last.holding === state.holding &&
      state.nacked.size === 0
    ) {
      return last.diff;
    }
    const diff = sharedDeltaDifference(view, kind, state.subscription, state.holding, state.nacked);
    state.last = { view, subscription: state.subscription, holding: state.holding, diff };
    return diff;
  }

  private respond(kind: ResourceKindName, state: TypeState, diff: DeltaDifference, withRemovals: boolean): void {
    const typeUrl = TYPE_URLS[kind];
    const nonce = this.nextNonce();
    const step = diff.step(withRemovals, this.encoder(typeUrl));
    state.inFlight = { nonce, sent: diff.updates, before: state.holding };
    state.holding = step.after;
    this.notePush();
    this.send(new OutboundMessage(step.body, nonce));
    this.reporter.pushed(this, typeUrl, diff.updates.length);
  }

  private encoder(typeUrl: string): DeltaEncoder {
    return (updates, removed) =>
      deltaDiscoveryResponseBody(
        this.cache.manifest?.version ?? '',
        typeUrl,
        updates.map(([name, hash]) => this.cache.deltaEntry(name, hash)),
        removed,
      );
  }
}
