// @ts-check
// `node bench/xds/sessions.mjs`: the shard's per-proxy work for one change, in process, without
// sockets: N xDS sessions (the real SotwSession/DeltaSession and MeshCache from dist/) on one mesh
// whose route configurations change; per change, the time to push it to every proxy (framing the
// responses as grpc-js does) and to process every ACK. What it leaves out (HTTP/2, the kernel, the
// session registry, metrics) is what `npm run bench:xds` measures; this isolates what the sessions
// cost per proxy, quickly and with little noise, e.g. to compare two builds (`--dist=`) or to
// profile (`node --cpu-prof bench/xds/sessions.mjs`). Prints a table; writes nothing.
//
// Options:
//   --proxies=10000  --nodes=100 (one view each, proxies spread evenly)  --changes=6 (the first is
//   a warm-up, not counted)  --protocols=sotw,delta  --dist=dist (a build of this repository)
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseFlags } from '../lib/cli.mjs';

const root = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const given = parseFlags(
  process.argv.slice(2),
  ['proxies', 'nodes', 'changes', 'protocols', 'dist'],
  'bench/xds/sessions.mjs',
);
const PROXIES = Number(given.get('proxies') ?? 10_000);
const NODES = Number(given.get('nodes') ?? 100);
const CHANGES = Math.max(2, Number(given.get('changes') ?? 6));
const protocols = (given.get('protocols') ?? 'sotw,delta').split(',');
const dist = resolve(root, given.get('dist') ?? 'dist');
/** @param {string} path */
const load = (path) => import(pathToFileURL(join(dist, path)).href);

const { MeshCache } = await load('xds-fleet/server/mesh-cache.js');
const { SotwSession } = await load('xds-fleet/server/sotw-session.js');
const { DeltaSession } = await load('xds-fleet/server/delta-session.js');
const { encodeResourceAny } = await load('xds-fleet/encoding/wire.js');
const { TYPE } = await load('xds-fleet/translator/envoy-types.js');
const { DEFAULT_PORTS_KEY, contentHash } = await load('xds-fleet/cache/compiled-mesh.js');
const { default: protobuf } = await import('protobufjs');

/** Clusters every view has (with their endpoints): the shape of bench:xds's mesh, smaller. */
const CLUSTERS = 60;
const ROUTES_PER_CONFIGURATION = 30;
const clusterName = (/** @type {number} */ c) => `cds_egress_bench_svc${c}_http_8080`;

/** A compile in which every view's two route configurations carry `routeVersion`. */
function compile(/** @type {number} */ routeVersion) {
  const resources = new Map();
  const put = (/** @type {string} */ typeUrl, /** @type {unknown} */ resource) => {
    const any = Buffer.from(encodeResourceAny(typeUrl, resource));
    const hash = contentHash(any);
    resources.set(hash, any);
    return hash;
  };
  /** @type {Record<string, string>} */ const clusters = {};
  /** @type {Record<string, string>} */ const endpoints = {};
  for (let c = 0; c < CLUSTERS; c++) {
    const name = clusterName(c);
    clusters[name] = put(TYPE.cluster, {
      name,
      type: 'EDS',
      connect_timeout: '1s',
      eds_cluster_config: { eds_config: { ads: {}, resource_api_version: 'V3' }, service_name: name },
    });
    endpoints[name] = put(TYPE.clusterLoadAssignment, {
      cluster_name: name,
      endpoints: [
        {
          lb_endpoints: [1, 2, 3].map((i) => ({
            endpoint: { address: { socket_address: { address: `10.0.${c}.${i}`, port_value: 8080 } } },
          })),
        },
      ],
    });
  }
  /** @type {Record<string, unknown>} */ const variant = {};
  for (let n = 0; n < NODES; n++) {
    /** @type {Record<string, string>} */ const listeners = {};
    /** @type {Record<string, string>} */ const routes = {};
    for (const [dir, port] of /** @type {const} */ ([
      ['ingress', 15000],
      ['egress', 15001],
    ])) {
      const listener = `lds_${dir}_0.0.0.0_${port}`;
      listeners[listener] = put(TYPE.listener, {
        name: listener,
        address: { socket_address: { address: '0.0.0.0', port_value: port } },
      });
      const route = `rds_${dir}_n${n}_http_8080`;
      routes[route] = put(TYPE.routeConfiguration, {
        name: route,
        virtual_hosts: [
          {
            name: 'vh',
            domains: ['*'],
            routes: Array.from({ length: ROUTES_PER_CONFIGURATION }, (_, i) => ({
              match: { prefix: `/m/${i}/${routeVersion}` },
              route: { cluster: clusterName(i % CLUSTERS) },
            })),
          },
        ],
      });
    }
    variant[`virtualNode/n${n}`] = { clusters, endpoints, listeners, routes, secrets: {} };
  }
  const manifest = {
    tenantId: 't',
    meshId: 'm',
    meshName: 'bench',
    generation: String(routeVersion + 1),
    committedAt: Date.now(),
    compiledAt: Date.now(),
    version: `v${routeVersion}`,
    compileVersion: `v${routeVersion}`,
    variants: { [DEFAULT_PORTS_KEY]: variant },
    views: {},
    arns: {},
    backends: {},
    problems: [],
  };
  return { manifest, resources };
}

/** Reads type URL (4) and nonce (5) from a framed response, as a proxy's ACK needs them. */
function typeAndNonce(/** @type {Buffer} */ frame) {
  const r = protobuf.Reader.create(frame.subarray(5));
  let typeUrl = '';
  let nonce = '';
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag >>> 3 === 4) typeUrl = r.string();
    else if (tag >>> 3 === 5) nonce = r.string();
    else r.skipType(tag & 7);
  }
  return { typeUrl, nonce };
}

/** @param {'sotw' | 'delta'} protocol */
async function run(protocol) {
  let current = compile(0);
  const store = {
    read: async () => current.manifest,
    resources: async (/** @type {unknown} */ _ref, /** @type {string[]} */ hashes) =>
      hashes.map((h) => current.resources.get(h)),
  };
  const cache = new MeshCache({ tenantId: 't', meshId: 'm' }, store, () => undefined);
  await cache.refresh();
  const reporter = { pushed() {}, acked() {}, nacked() {}, synced() {} };
  /** @type {[any, Buffer][]} */
  const responses = [];
  const clusterNames = Array.from({ length: CLUSTERS }, (_, c) => clusterName(c));
  /** @type {any[]} */
  const sessions = [];
  for (let i = 0; i < PROXIES; i++) {
    const name = `n${i % NODES}`;
    /** @type {any} */
    let session;
    const init = {
      id: String(i),
      identity: {
        tenantId: 't',
        accountId: '1',
        plan: 'enterprise',
        meshId: 'm',
        meshName: 'bench',
        kind: 'virtualNode',
        name,
        tokenId: 't',
      },
      node: { id: name, cluster: name, metadata: {}, userAgentName: 'envoy', userAgentVersion: '1' },
      portsKey: DEFAULT_PORTS_KEY,
      cache,
      reporter,
      // As grpc-js frames a response: one buffer of length + 5, the message copied into it.
      send: (/** @type {{ byteLength: number, copy(target: Buffer, at: number): number }} */ message) => {
        const frame = Buffer.allocUnsafe(message.byteLength + 5);
        frame.writeUInt8(0, 0);
        frame.writeUInt32BE(message.byteLength, 1);
        message.copy(frame, 5);
        responses.push([session, frame]);
      },
    };
    session = protocol === 'sotw' ? new SotwSession(init) : new DeltaSession(init);
    cache.listeners.add(session);
    sessions.push(session);
  }
  const namesOf = (/** @type {any} */ s, /** @type {string} */ typeUrl) =>
    typeUrl === TYPE.clusterLoadAssignment
      ? clusterNames
      : typeUrl === TYPE.routeConfiguration
        ? [`rds_ingress_${s.identity.name}_http_8080`, `rds_egress_${s.identity.name}_http_8080`]
        : [];
  const request = (/** @type {any} */ s, /** @type {string} */ typeUrl, /** @type {string} */ nonce) =>
    protocol === 'sotw'
      ? { versionInfo: '', resourceNames: namesOf(s, typeUrl), typeUrl, responseNonce: nonce }
      : {
          typeUrl,
          subscribe: nonce ? [] : namesOf(s, typeUrl),
          unsubscribe: [],
          initialVersions: {},
          responseNonce: nonce,
        };
  /** ACKs every response (and those it causes); returns the sessions' time. */
  const ackAll = () => {
    let ms = 0;
    while (responses.length > 0) {
      for (const [s, frame] of responses.splice(0)) {
        const { typeUrl, nonce } = typeAndNonce(frame);
        const ack = request(s, typeUrl, nonce);
        const t0 = performance.now();
        s.handle(ack);
        ms += performance.now() - t0;
      }
    }
    return ms;
  };
  for (const s of sessions) {
    for (const typeUrl of [TYPE.cluster, TYPE.clusterLoadAssignment, TYPE.listener, TYPE.routeConfiguration])
      s.handle({ ...request(s, typeUrl, ''), node: s.node });
  }
  ackAll();
  /** @type {{ pushMs: number, ackMs: number, pushed: number }[]} */
  const changes = [];
  for (let c = 1; c <= CHANGES; c++) {
    current = compile(c);
    const t0 = performance.now();
    await cache.refresh(); // every session pushes what it lacks
    const pushMs = performance.now() - t0;
    const pushed = responses.length;
    const ackMs = ackAll();
    changes.push({ pushMs, ackMs, pushed });
  }
  const counted = changes.slice(1);
  const mean = (/** @type {(c: (typeof changes)[number]) => number} */ f) =>
    (counted.reduce((a, c) => a + f(c), 0) / counted.length).toFixed(1);
  return `| ${protocol} | ${PROXIES} | ${counted[0]?.pushed} | ${mean((c) => c.pushMs)} | ${mean((c) => c.ackMs)} | ${mean((c) => c.pushMs + c.ackMs)} |`;
}

const rows = [];
for (const protocol of protocols) {
  if (protocol !== 'sotw' && protocol !== 'delta') throw new Error(`--protocols: unknown ${protocol}`);
  rows.push(await run(protocol));
}
process.stdout.write(
  [
    `dist: ${dist}; ${NODES} views, ${CLUSTERS} clusters with endpoints and 2 route configurations each; mean of ${CHANGES - 1} changes`,
    '',
    '| protocol | proxies | responses per change | push ms | ACKs ms | total ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
  ].join('\n'),
);
