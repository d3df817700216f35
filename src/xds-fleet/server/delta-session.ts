import { KIND_OF_TYPE_URL, TYPE_URLS } from '../cache/compiled-mesh.js';
import { deltaDiscoveryResponse, type DeltaDiscoveryRequest } from '../encoding/wire.js';
import type { ResourceKindName } from '../translator/envoy-types.js';
import type { ResolvedView } from './mesh-cache.js';
import { PUSH_ORDER, XdsSession } from './session.js';

const WILDCARD_TYPES = new Set<ResourceKindName>(['listeners', 'clusters']);

interface InFlight {
  readonly nonce: string;
  /** What the response set, and what the proxy held before (restored on a NACK). */
  readonly sent: ReadonlyMap<string, { readonly hash: string; readonly before: string | undefined }>;
  readonly removed: readonly string[];
}

class TypeState {
  started = false;
  wildcard = false;
  readonly subscribed = new Set<string>();
  /** What the proxy holds: name → version (content hash). */
  readonly known = new Map<string, string>();
  /** Versions the proxy rejected: never sent again (a newer version is). */
  readonly nacked = new Map<string, string>();
  inFlight: InFlight | undefined;
}

/**
 * An incremental ADS stream (DeltaAggregatedResources). Per type the server tracks what the
 * proxy holds (by name and content-hash version, seeded from `initial_resource_versions` on a
 * reconnect) and sends only the difference: changed or newly subscribed resources, and
 * `removed_resources` for those gone from the view. Subscriptions are processed on every
 * request; ACK/NACK only for the response in flight. Clusters are removed only once listeners and
 * routes no longer need changes (make-before-break).
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
        for (const [name, { hash, before }] of flight.sent) {
          state.nacked.set(name, hash);
          if (before === undefined) state.known.delete(name);
          else state.known.set(name, before);
        }
        this.reporter.nacked(
          this,
          request.typeUrl,
          flight.nonce,
          request.errorDetail.message,
          [...flight.sent].map(([name, { hash }]) => {
            const arn = this.cache.arnOf(hash);
            return arn ? { name, arn } : { name };
          }),
        );
      } else {
        this.reporter.acked(this, request.typeUrl, flight.nonce);
      }
    }

    if (!state.started) {
      state.started = true;
      for (const [name, version] of Object.entries(request.initialVersions)) state.known.set(name, version);
      if (WILDCARD_TYPES.has(kind) && request.subscribe.length === 0) state.wildcard = true;
    }
    for (const name of request.subscribe) {
      if (name === '*') state.wildcard = true;
      else state.subscribed.add(name);
    }
    for (const name of request.unsubscribe) {
      if (name === '*') state.wildcard = false;
      else {
        state.subscribed.delete(name);
        // An unsubscribed resource is forgotten; it is sent again if subscribed again.
        if (!state.wildcard) state.known.delete(name);
      }
    }
    this.push();
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
      const { updates, removed, held } = this.difference(view, kind, state);
      // Clusters leave only after the listeners and routes that used them have been replaced.
      const removing = kind === 'clusters' && pendingUpstream ? [] : removed;
      if (held || (kind === 'clusters' && removing.length < removed.length)) inSync = false;
      if (updates.length === 0 && removing.length === 0) continue;
      this.respond(kind, state, updates, removing);
      inSync = false;
    }
    this.settle(inSync);
  }

  /** What the proxy lacks of its subscription (`updates`), what it holds that is gone (`removed`). */
  private difference(
    view: ResolvedView,
    kind: ResourceKindName,
    state: TypeState,
  ): { updates: [string, string][]; removed: string[]; held: boolean } {
    const desired = new Map<string, string>();
    if (state.wildcard) for (const [name, hash] of Object.entries(view.own[kind])) desired.set(name, hash);
    for (const name of state.subscribed) {
      const hash = view.lookup(kind, name);
      if (hash !== undefined) desired.set(name, hash);
    }
    const updates: [string, string][] = [];
    let held = false;
    for (const [name, hash] of desired) {
      if (state.known.get(name) === hash) continue;
      if (state.nacked.get(name) === hash) {
        held = true;
        continue;
      }
      updates.push([name, hash]);
    }
    const removed: string[] = [];
    for (const name of state.known.keys()) {
      if (desired.has(name)) continue;
      // Only what the proxy is subscribed to (by name or wildcard) is ours to remove.
      if (state.wildcard || state.subscribed.has(name)) removed.push(name);
    }
    return { updates, removed, held };
  }

  private respond(kind: ResourceKindName, state: TypeState, updates: [string, string][], removed: string[]): void {
    const typeUrl = TYPE_URLS[kind];
    const nonce = this.nextNonce();
    const sent = new Map<string, { hash: string; before: string | undefined }>();
    for (const [name, hash] of updates) {
      sent.set(name, { hash, before: state.known.get(name) });
      state.known.set(name, hash);
    }
    for (const name of removed) state.known.delete(name);
    state.inFlight = { nonce, sent, removed };
    const resources = updates.map(([name, hash]) => this.cache.deltaEntry(name, hash));
    this.notePush();
    this.send(deltaDiscoveryResponse(this.cache.manifest?.version ?? '', typeUrl, resources, removed, nonce));
    this.reporter.pushed(this, typeUrl, resources.length);
  }
}
