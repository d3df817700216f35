import { describe, expect, it } from 'vitest';
import { DEFAULT_PORTS_KEY, viewHash, type CompiledManifest, type ViewManifest } from '../cache/compiled-mesh.js';
import type { CompiledStore } from '../cache/compiled-store.js';
import { decodeMessage } from '../encoding/protos.js';
import { encodeResourceAny, type DeltaDiscoveryRequest, type OutboundMessage } from '../encoding/wire.js';
import type { ProxyIdentity } from '../identity/proxy-identity.js';
import { TYPE } from '../translator/envoy-types.js';
import { deltaDifference, Holding, sharedDeltaDifference, Subscription } from './delta-diff.js';
import { DeltaSession } from './delta-session.js';
import { MeshCache } from './mesh-cache.js';
import type { SessionReporter } from './session.js';

/** A compile of one virtual node's view: clusters and routes by name → content (the hash is derived). */
interface Compile {
  readonly clusters: Record<string, string>;
  readonly routes?: Record<string, string>;
}

const hashOf = (kind: string, name: string, content: string) => `${kind}:${name}:${content}`;

/** A CompiledStore that serves whatever compile the test last set (only what MeshCache reads). */
class FakeStore {
  private compiled: { manifest: CompiledManifest; resources: Map<string, Buffer> } | undefined;
  private seq = 0;

  set(compile: Compile): void {
    const resources = new Map<string, Buffer>();
    const collection = (kind: 'clusters' | 'routes', typeUrl: string, entries: Record<string, string> = {}) =>
      Object.fromEntries(
        Object.entries(entries).map(([name, content]) => {
          const hash = hashOf(kind, name, content);
          const resource = kind === 'clusters' ? { name, alt_stat_name: content } : { name, validate_clusters: true };
          resources.set(hash, Buffer.from(encodeResourceAny(typeUrl, resource)));
          return [name, hash];
        }),
      );
    const view: ViewManifest = {
      clusters: collection('clusters', TYPE.cluster, compile.clusters),
      routes: collection('routes', TYPE.routeConfiguration, compile.routes),
      endpoints: {},
      listeners: {},
      secrets: {},
    };
    this.seq++;
    this.compiled = {
      manifest: {
        tenantId: 't',
        meshId: 'm',
        meshName: 'mesh',
        generation: String(this.seq),
        committedAt: 0,
        compiledAt: 0,
        version: `v${this.seq}`,
        compileVersion: `v${this.seq}`,
        variants: { [DEFAULT_PORTS_KEY]: { 'virtualNode/web': view } },
        views: { [`${DEFAULT_PORTS_KEY}/virtualNode/web`]: viewHash(view) },
        arns: {},
        backends: {},
        problems: [],
      },
      resources,
    };
  }

  read = () => Promise.resolve(this.compiled?.manifest);
  resources = (_ref: unknown, hashes: readonly string[]) =>
    Promise.resolve(hashes.map((h) => this.compiled?.resources.get(h)));
}

const identity: ProxyIdentity = {
  tenantId: 't',
  accountId: '111111111111',
  meshId: 'm',
  meshName: 'mesh',
  kind: 'virtualNode',
  name: 'web',
  tokenId: 'tok',
};

const quiet: SessionReporter = { pushed() {}, acked() {}, nacked() {}, synced() {} };

interface DecodedDelta {
  nonce: string;
  typeUrl: string;
  resources: Record<string, string>;
  removed: string[];
}

/** A Delta stream against the cache, recording what it is sent (decoded) and the raw messages. */
function proxy(cache: MeshCache, id: string) {
  const sent: OutboundMessage[] = [];
  const session = new DeltaSession({
    id,
    identity,
    node: { id: 'mesh/mesh/virtualNode/web', cluster: 'web', metadata: {}, userAgentName: '', userAgentVersion: '' },
    portsKey: DEFAULT_PORTS_KEY,
    cache,
    reporter: quiet,
    send: (m) => sent.push(m),
  });
  cache.listeners.add(session);
  const decode = (m: OutboundMessage): DecodedDelta => {
    const raw = decodeMessage('envoy.service.discovery.v3.DeltaDiscoveryResponse', m.toBuffer());
    const resources = (raw['resources'] as { name: string; version: string }[] | undefined) ?? [];
    return {
      nonce: String(raw['nonce']),
      typeUrl: String(raw['type_url']),
      resources: Object.fromEntries(resources.map((r) => [r.name, r.version])),
      removed: (raw['removed_resources'] as string[] | undefined) ?? [],
    };
  };
  const request = (r: Partial<DeltaDiscoveryRequest> & { typeUrl: string }) =>
    session.handle({ subscribe: [], unsubscribe: [], initialVersions: {}, responseNonce: '', ...r });
  return {
    session,
    sent,
    /** Responses not taken yet, decoded. */
    take(): DecodedDelta[] {
      return sent.splice(0).map(decode);
    },
    ack(response: DecodedDelta) {
      request({ typeUrl: response.typeUrl, responseNonce: response.nonce });
    },
    nack(response: DecodedDelta) {
      request({
        typeUrl: response.typeUrl,
        responseNonce: response.nonce,
        errorDetail: { code: 3, message: 'rejected' },
      });
    },
    request,
  };
}

async function meshWith(compile: Compile): Promise<{ cache: MeshCache; store: FakeStore }> {
  const store = new FakeStore();
  store.set(compile);
  const cache = new MeshCache({ tenantId: 't', meshId: 'm' }, store as unknown as CompiledStore, () => undefined);
  await cache.refresh();
  return { cache, store };
}

const c = (name: string, content: string) => hashOf('clusters', name, content);
/** What a response carries, without its nonce. */
const content = (r: DecodedDelta | undefined) => r && { resources: r.resources, removed: r.removed };

describe('Delta differences shared between proxies', () => {
  it('gives proxies at different starting states their own, correct differences', async () => {
    const { cache } = await meshWith({ clusters: { a: '1', b: '1' } });
    const fresh = proxy(cache, 'fresh');
    const reconnected = proxy(cache, 'reconnected');
    fresh.request({ typeUrl: TYPE.cluster });
    // A proxy that reconnects holding a (current) and c (gone since): it lacks only b, and c is removed.
    reconnected.request({ typeUrl: TYPE.cluster, initialVersions: { a: c('a', '1'), c: c('c', '0') } });
    const [first] = fresh.take();
    const [second] = reconnected.take();
    expect(content(first)).toEqual({ resources: { a: c('a', '1'), b: c('b', '1') }, removed: [] });
    expect(content(second)).toEqual({ resources: { b: c('b', '1') }, removed: ['c'] });
  });

  it('computes a change once for proxies in the same state: one shared body, each its own nonce', async () => {
    const { cache, store } = await meshWith({ clusters: { a: '1', b: '1' } });
    const proxies = [proxy(cache, 'p1'), proxy(cache, 'p2'), proxy(cache, 'p3')];
    for (const p of proxies) p.request({ typeUrl: TYPE.cluster });
    for (const p of proxies) p.ack(p.take()[0]!);
    // p3 has not ACKed the second change when the third arrives: it is in another state.
    store.set({ clusters: { a: '2', b: '1' } });
    await cache.refresh();
    const raw = proxies.map((p) => p.sent[0]!);
    expect(raw[1]!.body).toBe(raw[0]!.body);
    expect(raw[2]!.body).toBe(raw[0]!.body);
    const second = proxies.map((p) => p.take()[0]!);
    for (const r of second) expect(content(r)).toEqual({ resources: { a: c('a', '2') }, removed: [] });
    expect(new Set(second.map((r) => r.nonce)).size).toBe(1); // each stream counts its own nonces
    proxies[0]!.ack(second[0]!);
    proxies[1]!.ack(second[1]!);

    store.set({ clusters: { a: '3', d: '1' } });
    await cache.refresh();
    expect(proxies[0]!.sent[0]!.body).toBe(proxies[1]!.sent[0]!.body);
    const [p1, p2] = [proxies[0]!.take()[0]!, proxies[1]!.take()[0]!];
    expect(content(p1)).toEqual(content(p2));
    expect(content(p1)).toEqual({ resources: { a: c('a', '3'), d: c('d', '1') }, removed: ['b'] });
    // p3's second response is still in flight: nothing more until it answers, then what it lacks.
    expect(proxies[2]!.take()).toEqual([]);
    proxies[2]!.ack(second[2]!);
    const late = proxies[2]!.take();
    expect(late.map(content)).toEqual([{ resources: { a: c('a', '3'), d: c('d', '1') }, removed: ['b'] }]);
  });

  it('keeps a NACKing proxy on its own path: the rejected version is not resent, the others move on', async () => {
    const { cache, store } = await meshWith({ clusters: { a: '1' } });
    const good = proxy(cache, 'good');
    const bad = proxy(cache, 'bad');
    for (const p of [good, bad]) p.request({ typeUrl: TYPE.cluster });
    for (const p of [good, bad]) p.ack(p.take()[0]!);
    store.set({ clusters: { a: '2', b: '1' } });
    await cache.refresh();
    good.ack(good.take()[0]!);
    bad.nack(bad.take()[0]!);
    expect(bad.take()).toEqual([]); // a:2 and b:1 were rejected: not sent again
    store.set({ clusters: { a: '2', b: '2' } });
    await cache.refresh();
    // The good proxy holds a:2 and b:1; the bad one still a:1 and gets only the version it did not reject.
    expect(good.take().map(content)).toEqual([{ resources: { b: c('b', '2') }, removed: [] }]);
    expect(bad.take().map(content)).toEqual([{ resources: { b: c('b', '2') }, removed: [] }]);
  });

  it('forgets what a proxy unsubscribes from, and shares that state with proxies that did the same', async () => {
    const { cache, store } = await meshWith({ clusters: {}, routes: { r1: '1', r2: '1' } });
    const proxies = [proxy(cache, 'p1'), proxy(cache, 'p2')];
    for (const p of proxies) p.request({ typeUrl: TYPE.routeConfiguration, subscribe: ['r1', 'r2'] });
    for (const p of proxies) p.ack(p.take()[0]!);
    for (const p of proxies) p.request({ typeUrl: TYPE.routeConfiguration, unsubscribe: ['r2'] });
    expect(proxies.flatMap((p) => p.take())).toEqual([]);
    store.set({ clusters: {}, routes: { r1: '2', r2: '2' } });
    await cache.refresh();
    expect(proxies[0]!.sent[0]!.body).toBe(proxies[1]!.sent[0]!.body);
    for (const p of proxies) {
      const [r] = p.take();
      expect(content(r)).toEqual({ resources: { r1: hashOf('routes', 'r1', '2') }, removed: [] });
      p.ack(r!);
    }
    // Subscribing again sends it again (it was forgotten).
    proxies[0]!.request({ typeUrl: TYPE.routeConfiguration, subscribe: ['r2'] });
    expect(proxies[0]!.take().map(content)).toEqual([{ resources: { r2: hashOf('routes', 'r2', '2') }, removed: [] }]);
  });
});

describe('deltaDifference', () => {
  const view = (clusters: Record<string, string>, extra: Record<string, string> = {}) => {
    const memo = new Map<string, unknown>();
    return {
      own: { clusters, endpoints: {}, listeners: {}, routes: {}, secrets: {} },
      lookup: (_k: string, n: string) => clusters[n] ?? extra[n],
      wildcardVersion: () => 'x',
      memo: <T>(space: string, key: string | number, make: () => T): T => {
        const k = `${space}/${key}`;
        if (!memo.has(k)) memo.set(k, make());
        return memo.get(k) as T;
      },
    };
  };

  it('sends what is missing or changed, removes only what the subscription covers', () => {
    const v = view({ a: '1', b: '2' }, { extra: '9' });
    const holding = new Holding(
      new Map([
        ['a', '1'],
        ['gone', '0'],
        ['other', '0'],
      ]),
    );
    const byName = new Subscription(false, new Set(['a', 'b', 'extra', 'gone']));
    expect(deltaDifference(v, 'clusters', byName, holding, new Map())).toMatchObject({
      updates: [
        ['b', '2'],
        ['extra', '9'],
      ],
      removed: ['gone'],
      withheld: false,
    });
    const wildcard = new Subscription(true, new Set());
    expect(deltaDifference(v, 'clusters', wildcard, holding, new Map([['b', '2']]))).toMatchObject({
      updates: [],
      removed: ['gone', 'other'],
      withheld: true,
    });
  });

  it('is memoised per subscription and holding; its steps lead proxies to one shared holding', () => {
    const v = view({ a: '1', b: '2' });
    const sub = new Subscription(true, new Set());
    const h1 = new Holding(new Map([['c', '0']]));
    const h2 = new Holding(new Map([['c', '0']]));
    const d1 = sharedDeltaDifference(v, 'clusters', sub, h1, new Map());
    expect(sharedDeltaDifference(v, 'clusters', sub, h1, new Map())).toBe(d1);
    expect(sharedDeltaDifference(v, 'clusters', sub, h2, new Map())).not.toBe(d1);
    expect(sharedDeltaDifference(v, 'clusters', sub, h1, new Map([['a', '1']]))).not.toBe(d1);
    let encoded = 0;
    const encode = () => new Uint8Array([++encoded]);
    const full = d1.step(true, encode);
    expect(d1.step(true, encode)).toBe(full);
    expect(encoded).toBe(1);
    expect([...full.after.versions]).toEqual([
      ['a', '1'],
      ['b', '2'],
    ]);
    // Without removals (clusters kept for make-before-break), c stays held.
    expect([...d1.step(false, encode).after.versions]).toEqual([
      ['c', '0'],
      ['a', '1'],
      ['b', '2'],
    ]);
    expect(h1.versions.size).toBe(1); // holdings never change
  });
});
