import type { ResourceKindName } from '../translator/envoy-types.js';
import type { ResolvedView } from './mesh-cache.js';

/**
 * What Delta sessions share, so that a change pushed to thousands of proxies is diffed and encoded
 * once per group of proxies in the same state rather than once per proxy.
 *
 * A proxy's state for one type is two immutable objects: its {@link Subscription} (interned: equal
 * subscriptions are the same object) and its {@link Holding} (name → version). Proxies of one
 * identity that connected alike and ACKed the same responses hold the very same objects, because
 * a response moves every proxy it is sent to from one Holding to the same next one. The difference
 * between a view and a (subscription, holding) pair, and the response body that carries it, are
 * therefore keyed by those objects' ids and memoised per view and compile.
 */

let ids = 0;

/** What a proxy holds of one type: resource name → version (content hash). Never changed once built. */
export class Holding {
  readonly id = ++ids;
  constructor(readonly versions: ReadonlyMap<string, string>) {}

  static readonly EMPTY = new Holding(new Map());

  /** A copy with `set` applied (a version, or `undefined` to forget the name). */
  with(changes: Iterable<readonly [string, string | undefined]>): Holding {
    const next = new Map(this.versions);
    for (const [name, version] of changes) {
      if (version === undefined) next.delete(name);
      else next.set(name, version);
    }
    return new Holding(next);
  }
}

/** A subscription to one type: the wildcard, and names asked for explicitly. Never changed once built. */
export class Subscription {
  readonly id = ++ids;
  constructor(
    readonly wildcard: boolean,
    readonly names: ReadonlySet<string>,
  ) {}

  static readonly NONE = new Subscription(false, new Set());

  /** The interning key: equal subscriptions have equal keys. */
  static key(wildcard: boolean, names: Iterable<string>): string {
    return `${wildcard ? '*' : ''}\n${[...names].sort().join('\n')}`;
  }

  /** Whether removing `name` from the proxy is ours to say (it asked for it, by name or wildcard). */
  covers(name: string): boolean {
    return this.wildcard || this.names.has(name);
  }
}

/** The response body for a difference, and the Holding a proxy is in once it has it. */
export interface DeltaStep {
  readonly body: Uint8Array;
  readonly after: Holding;
}

/** Encodes a DeltaDiscoveryResponse body (without nonce) for these updates and removals. */
export type DeltaEncoder = (updates: readonly (readonly [string, string])[], removed: readonly string[]) => Uint8Array;

/**
 * What a proxy in Holding `from` lacks of its subscription (`updates`: name and version) and what
 * it holds that is gone (`removed`); `withheld` when a version it rejected (NACK) is not resent.
 */
export class DeltaDifference {
  private readonly steps: [DeltaStep | undefined, DeltaStep | undefined] = [undefined, undefined];

  constructor(
    readonly from: Holding,
    readonly updates: readonly (readonly [string, string])[],
    readonly removed: readonly string[],
    readonly withheld: boolean,
  ) {}

  /**
   * The response that sends this difference, built once: with the removals, or without them
   * (clusters still used by listeners and routes that are yet to change: make-before-break).
   */
  step(withRemovals: boolean, encode: DeltaEncoder): DeltaStep {
    const i = withRemovals ? 1 : 0;
    let step = this.steps[i];
    if (!step) {
      const removed = withRemovals ? this.removed : [];
      step = {
        body: encode(this.updates, removed),
        after: this.from.with([...this.updates, ...removed.map((name) => [name, undefined] as const)]),
      };
      this.steps[i] = step;
    }
    return step;
  }
}

/** Computes the difference between what the view offers this subscription and what the proxy holds. */
export function deltaDifference(
  view: ResolvedView,
  kind: ResourceKindName,
  subscription: Subscription,
  holding: Holding,
  nacked: ReadonlyMap<string, string>,
): DeltaDifference {
  const desired = new Map<string, string>();
  if (subscription.wildcard) for (const [name, hash] of Object.entries(view.own[kind])) desired.set(name, hash);
  for (const name of subscription.names) {
    const hash = view.lookup(kind, name);
    if (hash !== undefined) desired.set(name, hash);
  }
  const updates: [string, string][] = [];
  let withheld = false;
  for (const [name, hash] of desired) {
    if (holding.versions.get(name) === hash) continue;
    if (nacked.get(name) === hash) {
      withheld = true;
      continue;
    }
    updates.push([name, hash]);
  }
  const removed: string[] = [];
  for (const name of holding.versions.keys()) {
    if (!desired.has(name) && subscription.covers(name)) removed.push(name);
  }
  return new DeltaDifference(holding, updates, removed, withheld);
}

/**
 * {@link deltaDifference}, computed once per view, type, subscription and holding and shared by
 * every proxy in that state. A proxy with rejected versions gets its own (NACKs are rare).
 */
export function sharedDeltaDifference(
  view: ResolvedView,
  kind: ResourceKindName,
  subscription: Subscription,
  holding: Holding,
  nacked: ReadonlyMap<string, string>,
): DeltaDifference {
  if (nacked.size > 0) return deltaDifference(view, kind, subscription, holding, nacked);
  return view.memo(`delta|${kind}|${subscription.id}`, holding.id, () =>
    deltaDifference(view, kind, subscription, holding, nacked),
  );
}
