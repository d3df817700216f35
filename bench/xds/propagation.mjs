// @ts-check
// `npm run bench:propagation`: how long an API change takes to reach the proxies it affects, end
// to end (API commit → reconcile queue → worker compile → Redis → two xds shards → ACK), with
// 1,000 simulated proxies spread over TWO shard processes and a 500-service mesh:
//
//   1. steady single-route updates at 20 per second for 30 s: commit → ACK per affected proxy;
//   2. a burst of 500 route updates (every service's route once) sent within about a second:
//      time until every proxy holds the final state of all its routes;
//
// alongside the worker's reconcile queue depth over time (`meshplane_queue_depth`, sampled) and
// compile counts (`meshplane_mesh_compiles_total`), and the shards' own metrics.
//
// Requires `npm run build` first (it builds nothing). Its own database (meshplane_bench_propagation,
// recreated and migrated) and Redis database 12 (flushed). Writes bench/results/propagation.{md,json}.
// Exits 0 whether or not the targets are met.
//
// Options:
//   --proxies=1000      simulated proxies (10 per client node), half on each shard
//   --services=500      virtual services (each: router, route, target node)
//   --backends=10       backends per client node
//   --rate=20           single-route updates per second in phase 1
//   --duration=30       seconds of phase 1
//   --burst=500         updates in the burst (at most --services: each route once)
//   --burst-window=1000 milliseconds over which the burst's requests are sent
//   --processes=2       load-generator processes per shard
//   --client=http2      how simulated proxies speak gRPC: http2 (framing on node:http2) or grpc-js
//   --cpu-prof          run the worker and the shards under `node --cpu-prof` (profiles in bench/.profiles/)
//   --env=K=V,K=V       experiment: extra environment for every role (e.g. RECONCILE_DEBOUNCE_MS=20);
//                       results then go to bench/.profiles/ unless --out says otherwise
//   --out=PATH          results path without extension (default bench/results/propagation)
//   --report-only=X.json  only render X.md again from a result's JSON
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { logger, numberFlag, parseFlags, runBench } from '../lib/cli.mjs';
import { Loadgen, until } from './lib/loadgen.mjs';
import { startBenchStack } from './lib/bench-stack.mjs';
import { cpuSampler, histogram, histogramDelta, percentiles, pidsNamed, round, scrape, sum } from './lib/measure.mjs';
import { appMesh, buildMesh, createTenant, issueProxies, pool, updateRoute } from './lib/mesh.mjs';
import { requireBuild, startRole } from './lib/stack.mjs';

const root = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const DATABASE = 'meshplane_bench_propagation';
// A Redis database number no other script uses (npm start 0, tests 1, bench:api 2, bench:xds 11).
const REDIS_DB = 12;
const MESH = 'prop';
const TARGETS = { p50Ms: 250, p99Ms: 1000, burstS: 3 };

const log = logger('bench:propagation');
const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));

await runBench({ log, options: () => parseArgs(process.argv.slice(2)), main, report });

/** @param {string[]} argv */
function parseArgs(argv) {
  const known = [
    'cpu-prof',
    'env',
    'client',
    'proxies',
    'services',
    'backends',
    'rate',
    'duration',
    'burst',
    'burst-window',
    'processes',
    'out',
  ];
  const given = parseFlags(argv, known, 'bench/xds/propagation.mjs');
  const num = (/** @type {string} */ name, /** @type {number} */ fallback) => numberFlag(given, name, fallback);
  const proxies = Math.floor(num('proxies', 1000));
  const services = Math.max(2, Math.floor(num('services', 500)));
  const perNode = 10;
  const client = given.get('client') ?? 'http2';
  if (client !== 'http2' && client !== 'grpc-js') throw new Error('--client must be http2 or grpc-js');
  /** @type {Record<string, string>} */
  const extraEnv = {};
  for (const pair of (given.get('env') ?? '').split(',').filter(Boolean)) {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(pair);
    if (!m?.[1]) throw new Error(`--env: expected KEY=VALUE[,KEY=VALUE], got ${pair}`);
    extraEnv[m[1]] = m[2] ?? '';
  }
  return {
    profile: given.has('cpu-prof'),
    env: extraEnv,
    client: /** @type {'http2' | 'grpc-js'} */ (client),
    proxies,
    services,
    clientNodes: Math.max(1, Math.ceil(proxies / perNode)),
    perNode,
    backends: Math.min(Math.floor(num('backends', 10)), services),
    rate: num('rate', 20),
    durationS: num('duration', 30),
    burst: Math.min(Math.floor(num('burst', 500)), services),
    burstWindowMs: num('burst-window', 1000),
    processes: Math.max(1, Math.floor(num('processes', 2))),
    // Runs with changed settings (--env) are experiments, not the committed results.
    out:
      given.get('out') ??
      join(root, 'bench', given.has('env') || given.has('cpu-prof') ? '.profiles' : 'results', 'propagation'),
    // (--report-only=X.json renders X.md again from a result's JSON.)
    command: `npm run bench:propagation${argv.length ? ` -- ${argv.join(' ')}` : ''}`,
  };
}

/** @param {ReturnType<typeof parseArgs>} o */
async function main(o) {
  requireBuild(root);
  const profileDir = join(root, 'bench', '.profiles');
  if (o.profile) mkdirSync(profileDir, { recursive: true });
  const nodeArgs = o.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const { machine, services, env, apiPort, ports, api, worker } = await startBenchStack({
    root,
    database: DATABASE,
    redisDb: REDIS_DB,
    env: { QUEUE_PREFIX: 'bench-propagation', ...o.env },
    extraPorts: 4,
    workerNodeArgs: nodeArgs,
    log,
  });
  const [portA, httpA, portB, httpB] = /** @type {[number, number, number, number]} */ (ports);
  const shards = await Promise.all(
    /** @type {const} */ ([
      ['a', portA, httpA],
      ['b', portB, httpB],
    ]).map(([id, port, http]) =>
      startRole({
        root,
        role: 'xds',
        env: { ...env, XDS_PORT: String(port), XDS_HTTP_PORT: String(http), XDS_SHARD_ID: `bench-${id}` },
        httpPort: /** @type {number} */ (http),
        nodeArgs,
        log,
      }).then((proc) => ({ proc, port: /** @type {number} */ (port) })),
    ),
  );

  // --- the mesh ---------------------------------------------------------------------------------
  // Service k: router r-k, route main (marker route id k) → target node t-k. Client node c-j has
  // `backends` services; with the defaults every service is a backend of exactly two client nodes.
  const tenant = await createTenant({ port: apiPort, adminToken: env.MESH_ADMIN_TOKEN, name: 'bench-propagation' });
  const sdk = appMesh(apiPort, tenant);
  const svc = Array.from({ length: o.services }, (_, k) => ({
    name: `svc-${k}.prop.local`,
    router: `r-${k}`,
    route: k,
    targets: { [`t-${k}`]: 1 },
  }));
  const half = Math.ceil(o.backends / 2);
  /** @type {number[][]} */
  const backendsOf = Array.from({ length: o.clientNodes }, (_, j) => {
    const ks = new Set();
    for (let b = 0; b < o.backends; b++) {
      const k =
        b < half ? (j * half + b) % o.services : (j * half + Math.floor(o.services / 2) + (b - half)) % o.services;
      ks.add(k);
    }
    return [...ks];
  });
  const clientNodes = backendsOf.map((ks, j) => ({ name: `c-${j}`, backends: ks.map((k) => `svc-${k}.prop.local`) }));
  await buildMesh(sdk, {
    meshName: MESH,
    services: svc,
    nodes: [...svc.map((_, k) => ({ name: `t-${k}`, backends: [] })), ...clientNodes],
    concurrency: 16,
    log,
  });
  const clients = (
    await issueProxies({
      port: apiPort,
      tenant,
      meshName: MESH,
      nodes: clientNodes.map((n) => n.name),
      perNode: o.perNode,
      log,
    })
  ).slice(0, o.proxies);
  /** Proxies affected by a change of service k. */
  /** @type {number[][]} */
  const proxiesOf = Array.from({ length: o.services }, () => []);
  /** @type {number[][]} */
  const routesOfProxy = clients.map(() => []);
  for (const c of clients) {
    const j = Number(c.node.slice(2));
    for (const k of backendsOf[j] ?? []) {
      proxiesOf[k]?.push(c.index);
      routesOfProxy[c.index]?.push(k);
    }
  }

  // --- connect: half the proxies on each shard ------------------------------------------------------
  const loadgens = shards.map(() => new Loadgen({ processes: o.processes, log }));
  const cpu = cpuSampler({
    shards: () => shards.map((s) => s.proc.pid),
    worker: () => [worker.pid],
    api: () => [api.pid],
    loadgen: () => loadgens.flatMap((l) => l.pids),
    bench: () => [process.pid],
    postgres: () => pidsNamed('postgres'),
    redis: () => pidsNamed('redis-server'),
  });
  /** @type {any} */
  const result = { machine, command: o.command, options: { ...o, out: relative(root, o.out) } };
  try {
    /** Marker events of every proxy: per proxy, per route, [seq, time] in arrival order. */
    /** @type {Map<number, Map<number, [number, number][]>>} */
    const events = new Map();
    for (const l of loadgens)
      l.onMarker = ([proxy, route, seq, t]) => {
        let byRoute = events.get(proxy);
        if (!byRoute) events.set(proxy, (byRoute = new Map()));
        let list = byRoute.get(route);
        if (!list) byRoute.set(route, (list = []));
        list.push([seq, t]);
      };
    const connectStart = Date.now();
    await Promise.all(
      loadgens.map((l, i) =>
        l.start({
          port: /** @type {{ port: number }} */ (shards[i]).port,
          protocol: 'sotw',
          transport: o.client,
          clients: clients.filter((c) => c.index % shards.length === i),
          ratePerS: 500,
        }),
      ),
    );
    const ready = async () => (await Promise.all(loadgens.map((l) => l.ready()))).reduce((a, b) => a + b, 0);
    const allReady = await until(async () => (await ready()) >= clients.length, 10 * 60_000, 500);
    result.connect = { allReady, ready: await ready(), seconds: round((Date.now() - connectStart) / 1000, 1) };
    log(`connected: ${result.connect.ready}/${clients.length} in ${result.connect.seconds} s`);
    await sleep(3000);

    // Worker metrics sampled through both phases: queue depth over time, compiles.
    /** @type {{ t: number, depth: number, published: number, unchanged: number, superseded: number }[]} */
    const samples = [];
    let sampling = true;
    const sampleLoop = (async () => {
      while (sampling) {
        const m = await scrape(worker.httpPort).catch(() => []);
        samples.push({
          t: Date.now(),
          depth: sum(m, 'meshplane_queue_depth', { queue: 'reconcile' }),
          published: sum(m, 'meshplane_mesh_compiles_total', { status: 'published' }),
          unchanged: sum(m, 'meshplane_mesh_compiles_total', { status: 'unchanged' }),
          superseded: sum(m, 'meshplane_mesh_compiles_total', { status: 'superseded' }),
        });
        await sleep(250);
      }
    })();
    const shardMetrics = async () => Promise.all(shards.map((s) => scrape(s.proc.httpPort)));
    const workerCompileHist = async () =>
      histogram(await scrape(worker.httpPort), 'meshplane_mesh_compile_duration_seconds');

    // --- phase 1: steady single-route updates ----------------------------------------------------------
    let seq = 0;
    const steadyCount = Math.round(o.rate * o.durationS);
    log(`steady: ${steadyCount} single-route updates at ${o.rate}/s`);
    const sm0 = await shardMetrics();
    const ch0 = await workerCompileHist();
    cpu.since();
    /** @type {{ route: number, seq: number, sent: number, committed: number, error?: string }[]} */
    const steady = [];
    const t0 = Date.now() + 100;
    const inFlight = [];
    for (let u = 0; u < steadyCount; u++) {
      const due = t0 + (u * 1000) / o.rate;
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
      // Routes in an order that spreads over the mesh: 0, 7, 14, ... (mod the service count).
      const route = (u * 7) % o.services;
      /** @type {{ route: number, seq: number, sent: number, committed: number, error?: string }} */
      const update = { route, seq: ++seq, sent: Date.now(), committed: NaN };
      steady.push(update);
      inFlight.push(
        updateRoute(sdk, MESH, /** @type {any} */ (svc[route]), update.seq).then(
          (t) => (update.committed = t),
          (err) => (update.error = String(err)),
        ),
      );
    }
    await Promise.all(inFlight);
    const sendEnd = Date.now();
    await until(async () => steadyLatencies(steady, proxiesOf, events).missing === 0, 15_000, 200);
    const lat = steadyLatencies(steady, proxiesOf, events);
    const p = percentiles(lat.values);
    const sm1 = await shardMetrics();
    result.steady = {
      updates: steady.length,
      failed: steady.filter((u) => u.error).length,
      sentOverS: round((sendEnd - t0) / 1000, 1),
      apiMs: percentiles(steady.filter((u) => !u.error).map((u) => u.committed - u.sent)),
      samples: p.n,
      missing: lat.missing,
      p50Ms: p.p50,
      p90Ms: p.p90,
      p99Ms: p.p99,
      maxMs: p.max,
      cpu: cpu.since(),
      shards: shardSummary(sm0, sm1),
      compileDuration: histogramDelta(ch0, await workerCompileHist()),
    };
    log(`steady: ${p.n} proxy ACKs, p50 ${p.p50} ms, p99 ${p.p99} ms, max ${p.max} ms (${lat.missing} missing)`);
    await sleep(3000);

    // --- phase 2: a burst ----------------------------------------------------------------------------
    log(`burst: ${o.burst} route updates within ${o.burstWindowMs} ms`);
    const sm2 = await shardMetrics();
    const ch2 = await workerCompileHist();
    cpu.since();
    /** @type {{ route: number, seq: number, sent: number, committed: number, error?: string }[]} */
    const burst = [];
    const b0 = Date.now();
    // Open loop: every request is sent when it is due, whether or not earlier ones were answered.
    await pool(
      Array.from({ length: o.burst }, (_, i) => i),
      o.burst,
      async (i) => {
        const due = b0 + (i * o.burstWindowMs) / o.burst;
        const wait = due - Date.now();
        if (wait > 0) await sleep(wait);
        /** @type {{ route: number, seq: number, sent: number, committed: number, error?: string }} */
        const update = { route: i, seq: ++seq, sent: Date.now(), committed: NaN };
        burst.push(update);
        try {
          update.committed = await updateRoute(sdk, MESH, /** @type {any} */ (svc[i]), update.seq);
        } catch (err) {
          update.error = String(err);
        }
      },
    );
    const lastCommit = Math.max(...burst.filter((u) => !u.error).map((u) => u.committed));
    const firstSent = Math.min(...burst.map((u) => u.sent));
    /** Final seq per route. */
    const finalSeq = new Map(burst.filter((u) => !u.error).map((u) => [u.route, u.seq]));
    const convergedAt = () => {
      /** @type {number[]} */
      const times = [];
      let missing = 0;
      for (const c of clients) {
        let latest = 0;
        for (const k of routesOfProxy[c.index] ?? []) {
          const want = finalSeq.get(k);
          if (want === undefined) continue;
          const hit = (events.get(c.index)?.get(k) ?? []).find(([s]) => s >= want);
          if (!hit) {
            latest = NaN;
            break;
          }
          latest = Math.max(latest, hit[1]);
        }
        if (Number.isNaN(latest)) missing++;
        else if (latest > 0) times.push(latest);
      }
      return { times, missing };
    };
    await until(async () => convergedAt().missing === 0, 60_000, 100);
    const conv = convergedAt();
    const allAt = Math.max(...conv.times);
    // The status API reads the session registry, which shards update in batches (every second).
    /** @type {any} */
    let status;
    await until(
      async () => {
        const res = await fetch(`http://127.0.0.1:${apiPort}/v1/meshes/${MESH}/status`, {
          headers: { authorization: `Bearer ${tenant.apiToken.token}` },
        });
        status = await res.json();
        return status.inSync === true;
      },
      10_000,
      250,
    );
    const statusInSyncMs = Date.now() - lastCommit;
    const sm3 = await shardMetrics();
    result.burst = {
      updates: burst.length,
      failed: burst.filter((u) => u.error).length,
      firstError: burst.find((u) => u.error)?.error,
      sentOverMs: Math.max(...burst.map((u) => u.sent)) - firstSent,
      sendSpanMs: lastCommit - firstSent,
      apiMs: percentiles(burst.filter((u) => !u.error).map((u) => u.committed - u.sent)),
      proxiesConverged: conv.times.length,
      missing: conv.missing,
      allFromLastCommitMs: allAt - lastCommit,
      allFromFirstSendMs: allAt - firstSent,
      perProxyFromFirstSendMs: percentiles(conv.times.map((t) => t - firstSent)),
      status: {
        reportedInSyncAfterLastCommitMs: status.inSync ? statusInSyncMs : null,
        inSync: status.inSync,
        generation: status.generation,
        compiledGeneration: status.compiledGeneration,
        proxies: status.proxies,
      },
      cpu: cpu.since(),
      shards: shardSummary(sm2, sm3),
      compileDuration: histogramDelta(ch2, await workerCompileHist()),
    };
    log(
      `burst: sent over ${result.burst.sendSpanMs} ms; every proxy in its final state ${result.burst.allFromLastCommitMs} ms after the last commit (${conv.missing} missing); status inSync ${status.inSync}`,
    );
    await sleep(2000);
    sampling = false;
    await sampleLoop;
    const at = (/** @type {number} */ t) => round((t - t0) / 1000, 2);
    result.queue = {
      t0: new Date(t0).toISOString(),
      burstStartS: at(b0),
      samples: samples.map((s) => ({
        s: at(s.t),
        depth: s.depth,
        published: s.published,
        unchanged: s.unchanged,
        superseded: s.superseded,
      })),
    };
    const wm = await scrape(worker.httpPort);
    result.compiles = Object.fromEntries(
      wm.filter((s) => s.name === 'meshplane_mesh_compiles_total').map((s) => [s.labels['status'], s.value]),
    );
  } finally {
    for (const l of loadgens) {
      l.onMarker = undefined;
      await l.stop().catch(() => l.kill());
    }
    await Promise.all([...shards.map((s) => s.proc.stop()), api.stop(), worker.stop()]);
  }
  mkdirSync(dirname(o.out), { recursive: true });
  writeFileSync(`${o.out}.json`, `${JSON.stringify(result, null, 2)}\n`);
  const md = report(result);
  writeFileSync(`${o.out}.md`, md);
  process.stdout.write(md);
  log(`wrote ${relative(root, o.out)}.{md,json}`);
}

/**
 * For each update and each proxy it affects: the time from its commit to the proxy's first ACK of
 * a route configuration holding that update or a later one of the same route.
 * @param {{ route: number, seq: number, committed: number, error?: string }[]} updates
 * @param {number[][]} proxiesOf @param {Map<number, Map<number, [number, number][]>>} events
 */
function steadyLatencies(updates, proxiesOf, events) {
  /** @type {number[]} */
  const values = [];
  let missing = 0;
  for (const u of updates) {
    if (u.error || Number.isNaN(u.committed)) continue;
    for (const proxy of proxiesOf[u.route] ?? []) {
      const hit = (events.get(proxy)?.get(u.route) ?? []).find(([s]) => s >= u.seq);
      if (hit) values.push(hit[1] - u.committed);
      else missing++;
    }
  }
  return { values, missing };
}

/** @param {ReturnType<typeof import('./lib/measure.mjs').parseMetrics>[]} before @param {ReturnType<typeof import('./lib/measure.mjs').parseMetrics>[]} after */
function shardSummary(before, after) {
  const all = (/** @type {typeof before} */ ms) => ms.flat();
  const b = all(before);
  const a = all(after);
  return {
    pushes: sum(a, 'meshplane_xds_pushes_total') - sum(b, 'meshplane_xds_pushes_total'),
    routePushes:
      sum(a, 'meshplane_xds_pushes_total', { type: 'RouteConfiguration' }) -
      sum(b, 'meshplane_xds_pushes_total', { type: 'RouteConfiguration' }),
    nacks: sum(a, 'meshplane_xds_nacks_total') - sum(b, 'meshplane_xds_nacks_total'),
    commitToAck: histogramDelta(
      histogram(b, 'meshplane_xds_commit_to_ack_seconds'),
      histogram(a, 'meshplane_xds_commit_to_ack_seconds'),
    ),
  };
}

// --- the report ---------------------------------------------------------------------------------

/** @param {any} r */
function report(r) {
  const m = r.machine;
  const o = r.options;
  const yes = (/** @type {boolean} */ ok) => (ok ? 'yes' : '**no**');
  const s = r.steady;
  const b = r.burst;
  const q = r.queue.samples;
  const depthMax = (/** @type {any[]} */ xs) => Math.max(0, ...xs.map((x) => x.depth));
  const steadySamples = q.filter((/** @type {any} */ x) => x.s >= 0 && x.s < r.queue.burstStartS);
  const burstSamples = q.filter((/** @type {any} */ x) => x.s >= r.queue.burstStartS);
  const compilesIn = (/** @type {any[]} */ xs) =>
    xs.length < 2 ? 0 : xs[xs.length - 1].published + xs[xs.length - 1].unchanged - xs[0].published - xs[0].unchanged;
  // Queue depth, one value per half second through the burst.
  const timeline = burstSamples
    .filter((/** @type {any} */ _x, /** @type {number} */ i) => i % 2 === 0)
    .slice(0, 24)
    .map((/** @type {any} */ x) => `${round(x.s - r.queue.burstStartS, 1)} s: ${x.depth}`)
    .join(', ');
  const lines = [
    '# Propagation benchmark: API commit → proxy ACK',
    '',
    `Measured ${m.date.slice(0, 16).replace('T', ' ')} UTC at commit \`${m.commit}\`${m.dirty ? ' (src/ had uncommitted changes)' : ''}, on ${m.cores} × ${m.cpuModel}, ${m.memoryGb} GiB RAM, Node ${m.node}, Linux ${m.kernel}. Cores busy with other work just before the start: ${m.busyCoresBeforeStart}.`,
    '',
    `Command: \`${r.command}\` (after \`npm run build\`).${
      Object.keys(o.env).length
        ? ` **Changed settings (an experiment): ${Object.entries(o.env)
            .map(([k, v]) => `${k}=${v}`)
            .join(', ')}.**`
        : ''
    }`,
    '',
    `Setup: api, worker and **two xds shards** as separate processes (\`dist/main.{api,worker,xds}.js\`, default configuration: reconcile debounce 100 ms, max delay 1 s, concurrency 4), PostgreSQL, Redis, and the load generator (${o.processes} processes per shard) on the same ${m.cores} cores. Mesh (AWS SDK): ${o.services} virtual services, each provided by its own router whose route \`main\` targets its own virtual node; ${o.clientNodes} client virtual nodes with ${o.backends} backends each, so a route is a backend of ${round((o.clientNodes * o.backends) / o.services, 1)} client nodes. ${r.connect.ready} simulated proxies (${o.perNode} per client node, state-of-the-world ADS, each a gRPC stream on its own HTTP/2 connection (${o.client === 'http2' ? 'gRPC framing on node:http2' : '@grpc/grpc-js'}), subscribing like Envoy and ACKing every response), alternately on each shard; all connected in ${r.connect.seconds} s. Each update is an UpdateRoute that writes a new marker into the route's match prefix; a proxy reports the time it ACKs a route configuration holding that marker (or a later one of the same route). Latency runs from the API's answer (the commit) to that ACK, for every proxy the update affects.`,
    '',
    '| measure | result | target | met |',
    '| --- | ---: | ---: | --- |',
    `| single-route updates at ${o.rate}/s for ${o.durationS} s: commit → ACK p50 | ${s.p50Ms} ms | ≤ ${TARGETS.p50Ms} ms | ${yes(s.p50Ms <= TARGETS.p50Ms && s.missing === 0 && s.failed === 0)} |`,
    `| same, p99 | ${s.p99Ms} ms (max ${s.maxMs} ms) | ≤ ${TARGETS.p99Ms} ms | ${yes(s.p99Ms <= TARGETS.p99Ms && s.missing === 0 && s.failed === 0)} |`,
    `| burst of ${b.updates} route updates (requests sent within ${b.sentOverMs} ms; the API committed the last ${b.sendSpanMs} ms after the first was sent): every proxy holds the final state, after the last commit | ${b.missing === 0 ? `${b.allFromLastCommitMs} ms` : `not within 60 s (${b.missing} proxies missing)`} | ≤ ${TARGETS.burstS * 1000} ms | ${yes(b.missing === 0 && b.failed === 0 && b.allFromLastCommitMs <= TARGETS.burstS * 1000)} |`,
    `| same, after the first request | ${b.missing === 0 ? `${b.allFromFirstSendMs} ms` : 'n/a'} | ≤ ${TARGETS.burstS * 1000} ms | ${yes(b.missing === 0 && b.failed === 0 && b.allFromFirstSendMs <= TARGETS.burstS * 1000)} |`,
    '',
    `**Steady updates**: ${s.updates} updates (${s.failed} failed), ${s.samples} proxy ACKs measured (${s.missing} never arrived); p50 ${s.p50Ms} ms, p90 ${s.p90Ms} ms, p99 ${s.p99Ms} ms, max ${s.maxMs} ms. API answer: p50 ${s.apiMs.p50} ms, p99 ${s.apiMs.p99} ms. Reconcile queue depth (\`meshplane_queue_depth{queue="reconcile"}\`, sampled every 250 ms; it counts the scheduled sweep too): max ${depthMax(steadySamples)}. Compiles during the phase: ${compilesIn(steadySamples)} (${round(compilesIn(steadySamples) / o.durationS, 1)}/s), compile time p50 ≈ ${round(s.compileDuration.p50S * 1000)} ms, p99 ≈ ${round(s.compileDuration.p99S * 1000)} ms. Shards: ${s.shards.routePushes} route configuration pushes, ${s.shards.nacks} NACKs, \`meshplane_xds_commit_to_ack_seconds\` p50 ≈ ${round(s.shards.commitToAck.p50S * 1000)} ms, p99 ≈ ${round(s.shards.commitToAck.p99S * 1000)} ms (${s.shards.commitToAck.count} observations, bucket-interpolated). CPU s over ${s.cpu.wallS} s: shards ${s.cpu.shardsCpuS}, worker ${s.cpu.workerCpuS}, api ${s.cpu.apiCpuS}, PostgreSQL ${s.cpu.postgresCpuS}, Redis ${s.cpu.redisCpuS}, load generator ${s.cpu.loadgenCpuS}, other ${s.cpu.otherCpuS}.`,
    '',
    `**Burst**: ${b.updates} updates (${b.failed} failed${b.firstError ? `, first: ${b.firstError}` : ''}), each sent when due (open loop, ${b.updates} at once at most), all within ${b.sentOverMs} ms; API answer p50 ${b.apiMs.p50} ms, p99 ${b.apiMs.p99} ms: writes to one mesh are serialised (each takes the mesh row's lock), so the API committed the last ${b.sendSpanMs} ms after the first was sent. ${b.proxiesConverged} proxies reached their final state, p50 ${b.perProxyFromFirstSendMs.p50} ms, p99 ${b.perProxyFromFirstSendMs.p99} ms after the first request; all ${b.allFromLastCommitMs} ms after the last commit. The status API (\`GET /v1/meshes/${MESH}/status\`) said inSync ${b.status.inSync}${b.status.reportedInSyncAfterLastCommitMs !== null ? ` ${b.status.reportedInSyncAfterLastCommitMs} ms after the last commit (shards write the session registry once a second)` : ''}: generation ${b.status.generation}, compiled ${b.status.compiledGeneration}, proxies ${JSON.stringify(b.status.proxies)}. Compiles during the burst: ${compilesIn(burstSamples)} (coalesced from ${b.updates} updates), compile time p50 ≈ ${round(b.compileDuration.p50S * 1000)} ms, p99 ≈ ${round(b.compileDuration.p99S * 1000)} ms; reconcile queue depth max ${depthMax(burstSamples)}, over time from the burst's start: ${timeline}. Shards: ${b.shards.routePushes} route configuration pushes, ${b.shards.nacks} NACKs. CPU s over ${b.cpu.wallS} s: shards ${b.cpu.shardsCpuS}, worker ${b.cpu.workerCpuS}, api ${b.cpu.apiCpuS}, PostgreSQL ${b.cpu.postgresCpuS}, Redis ${b.cpu.redisCpuS}, load generator ${b.cpu.loadgenCpuS}, other ${b.cpu.otherCpuS}.`,
    '',
    `How to read the steady phase: a compile covers every change committed before it starts, and its ACKs are attributed to each change it carries. A change to a quiet mesh compiles at once; after that, the reconcile debounce (RECONCILE_DEBOUNCE_MS, ${r.options.env['RECONCILE_DEBOUNCE_MS'] ?? 100} ms) restarts with every change of the mesh, up to RECONCILE_MAX_DELAY_MS (${r.options.env['RECONCILE_MAX_DELAY_MS'] ?? 200} ms) after the first change it covers; with a change every ${round(1000 / o.rate)} ms ${round(compilesIn(steadySamples) / o.durationS, 1)} compiles per second ran, so a change waited on average about half the interval between compiles before its compile started. \`meshplane_xds_commit_to_ack_seconds\` starts its clock at the newest commit a compile includes (\`committedAt\`), so it shows less than the changes that waited longest in a batch saw.`,
    '',
    `Worker compiles over the whole run: ${Object.entries(r.compiles)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}.`,
    '',
    'Full numbers, with the queue-depth samples: the JSON next to this file.',
    '',
  ];
  return lines.join('\n');
}
