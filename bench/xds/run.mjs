// @ts-check
// `npm run bench:xds`: one xDS shard process under N simulated proxies (real gRPC ADS streams,
// one connection each, subscribing as Envoy does and ACKing every response) plus one real Envoy
// as a witness. Measures, per protocol (state of the world, then Delta, each on a fresh shard):
//
//   - connected proxies and the shard's memory (RSS, V8 heap) before and after → memory per proxy;
//   - a change every proxy's configuration contains (the route of a virtual service every node has
//     as a backend): from the API's answer (the commit) to each proxy's ACK of it, p50/p99/max;
//   - reconnect storms (state of the world): every proxy's connection dropped at once, and the
//     shard SIGKILLed and restarted: time until all N are connected and ACKed again, peak RSS;
//   - the shard's own metrics (pushes, NACKs, commit→ACK histogram).
//
// Requires `npm run build` first: it runs dist/ as is and builds nothing. Prepares PostgreSQL and
// Redis as `npm test` does, with its own database (meshplane_bench_xds, recreated and migrated)
// and Redis database 11 (flushed). Writes bench/results/xds.{md,json}. A benchmark, not a test:
// exits 0 whether or not the targets are met; non-zero only when it could not measure.
//
// Options:
//   --proxies=10000       simulated proxies (spread evenly over the virtual nodes)
//   --nodes=100           virtual nodes (each with its own backend service, all sharing one)
//   --processes=4         load-generator processes
//   --connect-rate=1000   new connections per second while connecting the fleet (the shard's
//                         default admission rate, XDS_ADMISSION_RATE, is 1000/s)
//   --changes=5           changes measured per protocol
//   --protocols=sotw,delta
//   --storms=drop,restart reconnect storms to run (state of the world only); "" for none
//   --no-witness          no real Envoy
//   --client=http2        how simulated proxies speak gRPC: http2 (gRPC framing written on node:http2,
//                         light enough that 10,000 fit beside the shard on 2 cores) or grpc-js
//   --cpu-prof            run the shard under `node --cpu-prof`; results and profiles go to bench/.profiles/
//   --shard-backlog=N     experiment: the shard runs with XDS_LISTEN_BACKLOG=N (its listen backlog,
//                         default 4096) instead of the default; results go to bench/.profiles/
//   --out=PATH            results path without extension (default bench/results/xds)
//   --report-only=X.json  only render X.md again from a result's JSON
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { envoyBinary, startEnvoy } from './lib/envoy.mjs';
import { intFlag, listFlag, logger, parseFlags, runBench } from '../lib/cli.mjs';
import { Loadgen, until } from './lib/loadgen.mjs';
import { createNodeMesh, startBenchStack } from './lib/bench-stack.mjs';
import {
  cpuSampler,
  histogram,
  histogramDelta,
  listenDrops,
  percentiles,
  pidsNamed,
  round,
  scrape,
  sum,
} from './lib/measure.mjs';
import { bootstrap, issueProxies, updateRoute } from './lib/mesh.mjs';
import { memoryOf, requireBuild, startRole } from './lib/stack.mjs';

const root = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const DATABASE = 'meshplane_bench_xds';
// A Redis database number no other script uses (npm start 0, tests 1, bench:api 2; test runs may take others).
const REDIS_DB = 11;
const MESH = 'bench';
const SHARED = 0; // marker route id of the shared service
const CHANGE_TIMEOUT_MS = 60_000;
const STORM_TIMEOUT_MS = 180_000;
const TARGETS = { proxies: 10_000, kbPerProxy: 100, p99Ms: 1000, stormS: 30 };

const log = logger('bench:xds');
const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));

await runBench({ log, options: () => parseArgs(process.argv.slice(2)), main, report });

/** @param {string[]} argv */
function parseArgs(argv) {
  const known = [
    'shard-backlog',
    'client',
    'proxies',
    'nodes',
    'processes',
    'connect-rate',
    'changes',
    'protocols',
    'storms',
    'no-witness',
    'cpu-prof',
    'out',
  ];
  const given = parseFlags(argv, known, 'bench/xds/run.mjs');
  const int = (/** @type {string} */ name, /** @type {number} */ fallback) => intFlag(given, name, fallback);
  const list = (/** @type {string} */ name, /** @type {string} */ fallback) => listFlag(given, name, fallback);
  const nodes = Math.max(2, int('nodes', 100));
  const proxies = int('proxies', 10_000);
  const profile = given.has('cpu-prof');
  const protocols = /** @type {('sotw' | 'delta')[]} */ (list('protocols', 'sotw,delta'));
  for (const p of protocols) if (p !== 'sotw' && p !== 'delta') throw new Error(`--protocols: unknown ${p}`);
  const storms = list('storms', 'drop,restart');
  for (const s of storms) if (s !== 'drop' && s !== 'restart') throw new Error(`--storms: unknown ${s}`);
  const client = given.get('client') ?? 'http2';
  if (client !== 'http2' && client !== 'grpc-js') throw new Error('--client must be http2 or grpc-js');
  return {
    client: /** @type {'http2' | 'grpc-js'} */ (client),
    proxies,
    nodes,
    perNode: Math.ceil(proxies / nodes),
    processes: Math.max(1, int('processes', 4)),
    connectRate: int('connect-rate', 1000),
    changes: int('changes', 5),
    protocols,
    storms,
    witness: !given.has('no-witness'),
    shardBacklog: int('shard-backlog', 0),
    profile,
    // Profiles and experiments (--shard-backlog) are not the committed results.
    out:
      given.get('out') ?? join(root, 'bench', profile || given.has('shard-backlog') ? '.profiles' : 'results', 'xds'),
    command: `npm run bench:xds${argv.length ? ` -- ${argv.join(' ')}` : ''}`,
  };
}

/** @param {ReturnType<typeof parseArgs>} o */
async function main(o) {
  requireBuild(root);
  const { machine, services, env, apiPort, ports, api, worker } = await startBenchStack({
    root,
    database: DATABASE,
    redisDb: REDIS_DB,
    env: { QUEUE_PREFIX: 'bench-xds' },
    extraPorts: 5,
    log,
  });
  const [shardPort, shardHttp, adminPort, ingressPort, egressPort] =
    /** @type {[number, number, number, number, number]} */ (ports);

  // --- the mesh: every node has its own backend service and the shared one ----------------------
  const { tenant, sdk, nodeNames, shared } = await createNodeMesh({
    apiPort,
    adminToken: env.MESH_ADMIN_TOKEN,
    tenantName: 'bench-xds',
    meshName: MESH,
    nodes: o.nodes,
    sharedRoute: SHARED,
    log,
  });
  const clients = (
    await issueProxies({ port: apiPort, tenant, meshName: MESH, nodes: nodeNames, perNode: o.perNode, log })
  ).slice(0, o.proxies);
  const binary = envoyBinary(root);
  if (o.witness && !binary) {
    log('no Envoy binary (run `npm test` once, or set MESHPLANE_ENVOY): running without the witness');
    o.witness = false;
  }

  /** @type {any[]} */
  const phases = [];
  let seq = 0;
  for (const protocol of o.protocols) {
    log(`=== ${protocol}: ${o.proxies} proxies on one shard`);
    const phase = await runPhase({
      o,
      protocol,
      services,
      env,
      apiPort,
      apiPid: api.pid,
      tenant,
      clients,
      ports: { shardPort, shardHttp, adminPort, ingressPort, egressPort },
      binary,
      sdk,
      shared,
      nextSeq: () => ++seq,
      worker,
    });
    phases.push(phase);
  }

  const workerMetrics = await scrape(worker.httpPort);
  const result = {
    machine,
    command: o.command,
    options: { ...o, out: relative(root, o.out) },
    mesh: {
      virtualNodes: o.nodes,
      virtualServices: o.nodes + 1,
      routers: o.nodes + 1,
      proxiesPerNode: o.perNode,
      perProxyView:
        'clusters: own ingress + 3 egress (EDS), listeners 2, route configurations 2 (egress) + 1 (ingress)',
    },
    phases,
    worker: {
      compiles: Object.fromEntries(
        workerMetrics
          .filter((s) => s.name === 'meshplane_mesh_compiles_total')
          .map((s) => [s.labels['status'], s.value]),
      ),
    },
  };
  await Promise.all([api.stop(), worker.stop()]);
  mkdirSync(dirname(o.out), { recursive: true });
  writeFileSync(`${o.out}.json`, `${JSON.stringify(result, null, 2)}\n`);
  const md = report(result);
  writeFileSync(`${o.out}.md`, md);
  process.stdout.write(md);
  log(`wrote ${relative(root, o.out)}.{md,json}`);
}

/**
 * One protocol on a fresh shard: connect, memory, changes, storms.
 * @param {any} p
 */
async function runPhase({
  o,
  protocol,
  services,
  env,
  apiPort,
  apiPid,
  tenant,
  clients,
  ports,
  binary,
  sdk,
  shared,
  nextSeq,
  worker,
}) {
  const profileDir = join(root, 'bench', '.profiles');
  if (o.profile) mkdirSync(profileDir, { recursive: true });
  const shardEnv = {
    ...env,
    XDS_PORT: String(ports.shardPort),
    XDS_HTTP_PORT: String(ports.shardHttp),
    XDS_SHARD_ID: `bench-${protocol}`,
    ...(o.shardBacklog ? { XDS_LISTEN_BACKLOG: String(o.shardBacklog) } : {}),
  };
  const startShard = () =>
    startRole({
      root,
      role: 'xds',
      env: shardEnv,
      httpPort: ports.shardHttp,
      nodeArgs: o.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
      log,
    });
  let shard = await startShard();
  const loadgen = new Loadgen({ processes: o.processes, log });
  /** @type {Awaited<ReturnType<typeof startEnvoy>> | undefined} */
  let witness;
  const cpu = cpuSampler({
    shard: () => [shard.pid],
    loadgen: () => loadgen.pids,
    worker: () => [worker.pid],
    api: () => [apiPid],
    bench: () => [process.pid],
    envoy: () => (witness ? [witness.pid] : []),
    postgres: () => pidsNamed('postgres'),
    redis: () => pidsNamed('redis-server'),
  });
  const phase = /** @type {any} */ ({ protocol });
  try {
    // The witness first: it loads the mesh into the shard's cache, so what the simulated proxies
    // add afterwards is their own cost, beyond the shared caches.
    if (o.witness && binary) {
      const b = await bootstrap({
        port: apiPort,
        tenant,
        meshName: MESH,
        node: 'n0',
        query: `xdsHost=127.0.0.1&xdsPort=${ports.shardPort}&adminPort=${ports.adminPort}&ingressPort=${ports.ingressPort}&egressPort=${ports.egressPort}`,
      });
      if (protocol === 'delta') b.doc.dynamic_resources.ads_config.api_type = 'DELTA_GRPC';
      witness = await startEnvoy({ binary, bootstrap: b.doc, adminPort: ports.adminPort, log });
    }
    await sleep(3000);
    const before = { ...memoryOf(shard.pid), heapMb: await heapMb(shard.httpPort) };
    log(`shard before: RSS ${round(before.rssMb)} MB, heap ${round(before.heapMb)} MB`);

    // --- connect the fleet ----------------------------------------------------------------------
    cpu.since();
    const drops0 = listenDrops();
    const connectStart = Date.now();
    await loadgen.start({ port: ports.shardPort, protocol, transport: o.client, clients, ratePerS: o.connectRate });
    let lastReport = 0;
    const allReady = await until(
      async () => {
        const ready = await loadgen.ready();
        if (Date.now() - lastReport > 5000) {
          lastReport = Date.now();
          log(`  ${ready}/${clients.length} ready, shard RSS ${round(memoryOf(shard.pid).rssMb)} MB`);
        }
        return ready >= clients.length;
      },
      15 * 60_000,
      500,
    );
    const readyTimes = [...loadgen.readyAt].filter((t) => t > 0);
    phase.connect = {
      allReady,
      ready: readyTimes.length,
      seconds: round((Math.max(...readyTimes) - connectStart) / 1000, 1),
      cpu: cpu.since(),
      listenOverflows: listenDrops().overflows - drops0.overflows,
      loadgen: summariseLoadgen(await loadgen.stats(true)),
    };
    log(`connected: ${readyTimes.length}/${clients.length} in ${phase.connect.seconds} s`);
    await sleep(5000);
    const after = { ...memoryOf(shard.pid), heapMb: await heapMb(shard.httpPort) };
    const m0 = await scrape(shard.httpPort);
    phase.memory = {
      before: roundAll(before),
      after: roundAll(after),
      connected: sum(m0, 'meshplane_xds_connected_proxies'),
      kbPerProxyRss: round(((after.rssMb - before.rssMb) * 1024) / readyTimes.length, 1),
      kbPerProxyHeap: round(((after.heapMb - before.heapMb) * 1024) / readyTimes.length, 1),
    };
    log(
      `shard after: RSS ${round(after.rssMb)} MB, heap ${round(after.heapMb)} MB → ${phase.memory.kbPerProxyRss} KB/proxy (RSS)`,
    );

    // --- changes every proxy's configuration contains ---------------------------------------------
    phase.changes = [];
    const hist0 = histogram(m0, 'meshplane_xds_commit_to_ack_seconds');
    const pushes0 = pushesByType(m0);
    const nacks0 = sum(m0, 'meshplane_xds_nacks_total');
    for (let c = 0; c < o.changes; c++) {
      const s = nextSeq();
      const acked = new Float64Array(clients.length);
      let count = 0;
      loadgen.onMarker = ([proxy, route, mseq, t]) => {
        if (route === SHARED && mseq >= s && acked[proxy] === 0) {
          acked[proxy] = t;
          count++;
        }
      };
      await loadgen.stats(true);
      cpu.since();
      const targets = c % 2 === 0 ? { n0: 2, n1: 1 } : { n0: 1, n1: 2 };
      const sent = Date.now();
      const committed = await updateRoute(sdk, MESH, { ...shared, targets }, s);
      const witnessAt = witness ? pollWitness(witness, `/m/${SHARED}/${s}`, CHANGE_TIMEOUT_MS) : Promise.resolve(NaN);
      await until(async () => count >= clients.length, CHANGE_TIMEOUT_MS, 20);
      const w = await witnessAt;
      const lat = [...acked].filter((t) => t > 0).map((t) => t - committed);
      const p = percentiles(lat);
      const change = {
        seq: s,
        apiMs: committed - sent,
        acked: p.n,
        missing: clients.length - p.n,
        p50Ms: p.p50,
        p90Ms: p.p90,
        p99Ms: p.p99,
        maxMs: p.max,
        witnessMs: Number.isNaN(w) ? null : w - committed,
        cpu: cpu.since(),
        loadgen: summariseLoadgen(await loadgen.stats(true)),
      };
      phase.changes.push(change);
      log(
        `  change ${s}: ${p.n}/${clients.length} ACKed, p50 ${p.p50} ms, p99 ${p.p99} ms, max ${p.max} ms (witness ${change.witnessMs} ms)`,
      );
      await sleep(2000);
    }
    loadgen.onMarker = undefined;
    const m1 = await scrape(shard.httpPort);
    phase.shardMetrics = {
      commitToAck: histogramDelta(hist0, histogram(m1, 'meshplane_xds_commit_to_ack_seconds')),
      pushes: diffRecord(pushes0, pushesByType(m1)),
      nacks: sum(m1, 'meshplane_xds_nacks_total') - nacks0,
      rejected: Object.fromEntries(
        m1.filter((x) => x.name === 'meshplane_xds_streams_rejected_total').map((x) => [x.labels['reason'], x.value]),
      ),
    };
    const all = phase.changes.flatMap((/** @type {any} */ c) => [c.p50Ms, c.p99Ms]);
    phase.changeSummary = {
      worstP50Ms: Math.max(...phase.changes.map((/** @type {any} */ c) => c.p50Ms)),
      worstP99Ms: Math.max(...phase.changes.map((/** @type {any} */ c) => c.p99Ms)),
      worstMaxMs: Math.max(...phase.changes.map((/** @type {any} */ c) => c.maxMs)),
      medianP99Ms: percentiles(phase.changes.map((/** @type {any} */ c) => c.p99Ms)).p50,
      n: all.length,
    };

    // --- reconnect storms ----------------------------------------------------------------------
    phase.storms = [];
    if (protocol === 'sotw') {
      for (const kind of o.storms) {
        await sleep(3000);
        const m2 = await scrape(shard.httpPort);
        const rejected0 = rejectedByReason(m2);
        loadgen.resetReady();
        await loadgen.stats(true);
        cpu.since();
        let peak = memoryOf(shard.pid).rssMb;
        const stormDrops0 = listenDrops();
        let t0 = Date.now();
        let shardReadyS = 0;
        let closingMs = null;
        if (kind === 'drop') {
          // Timed from when the load generator had closed the connections (closing 2,500 of
          // them blocks a generator process for a while; that is not the shard's time).
          const dropped = await loadgen.drop();
          closingMs = dropped.closingMs;
          t0 = dropped.closedAt;
        } else {
          shard.child.kill('SIGKILL');
          await shard.exited;
          shard = await startShard();
          shardReadyS = (Date.now() - t0) / 1000;
        }
        const sampler = setInterval(() => {
          const r = memoryOf(shard.pid).rssMb;
          if (r > peak) peak = r;
        }, 100);
        let lastLog = 0;
        const ok = await until(
          async () => {
            const ready = [...loadgen.readyAt].filter((t) => t >= t0).length;
            if (Date.now() - lastLog > 5000) {
              lastLog = Date.now();
              log(`  storm ${kind}: ${ready}/${clients.length} ready after ${round((Date.now() - t0) / 1000)} s`);
            }
            return ready >= clients.length;
          },
          STORM_TIMEOUT_MS,
          100,
        );
        clearInterval(sampler);
        const times = [...loadgen.readyAt].filter((t) => t >= t0).map((t) => t - t0);
        const p = percentiles(times);
        const m3 = await scrape(shard.httpPort);
        const storm = {
          kind,
          converged: ok,
          ready: p.n,
          shardRestartS: kind === 'restart' ? round(shardReadyS, 1) : null,
          loadgenClosingMs: closingMs,
          p50S: round(p.p50 / 1000, 1),
          p99S: round(p.p99 / 1000, 1),
          allS: round(p.max / 1000, 1),
          peakRssMb: round(Math.max(peak, kind === 'restart' ? memoryOf(shard.pid).peakMb : 0)),
          rssAfterMb: round(memoryOf(shard.pid).rssMb),
          rejected: diffRecord(kind === 'restart' ? {} : rejected0, rejectedByReason(m3)),
          listenOverflows: listenDrops().overflows - stormDrops0.overflows,
          cpu: cpu.since(),
          loadgen: summariseLoadgen(await loadgen.stats(true)),
        };
        phase.storms.push(storm);
        log(
          `  storm ${kind}: ${p.n}/${clients.length} ready again, all within ${storm.allS} s; peak RSS ${storm.peakRssMb} MB`,
        );
      }
      if (witness) {
        // After the storms the witness must be connected and hold the last change.
        const stats = await witness.stats();
        phase.witnessAfterStorms = {
          connected: stats['control_plane.connected_state'] === 1,
          rdsRejected: Object.entries(stats)
            .filter(
              ([k]) =>
                /\.rds\..*update_rejected$/.test(k) ||
                /^cluster_manager\.cds\.update_rejected$/.test(k) ||
                /^listener_manager\.lds\.update_rejected$/.test(k),
            )
            .reduce((a, [, v]) => a + v, 0),
        };
      }
    }
    if (witness) {
      const stats = await witness.stats();
      phase.witness = {
        connected: stats['control_plane.connected_state'] === 1,
        cdsUpdates: stats['cluster_manager.cds.update_success'] ?? null,
        ldsUpdates: stats['listener_manager.lds.update_success'] ?? null,
        rejected: Object.entries(stats)
          .filter(([k]) => k.endsWith('update_rejected'))
          .reduce((a, [, v]) => a + v, 0),
      };
    }
  } finally {
    loadgen.onMarker = undefined;
    await loadgen.stop().catch(() => loadgen.kill());
    await witness?.stop().catch(() => undefined);
    const code = await shard.stop();
    if (code !== 0) log(`shard exited with ${code}:\n${shard.output().slice(-2000)}`);
    phase.shardLogTail = shard
      .output()
      .split('\n')
      .filter((l) => /"level":(40|50|60)/.test(l))
      .slice(-5);
  }
  return phase;
}

/** @param {number} port */
async function heapMb(port) {
  return sum(await scrape(port), 'meshplane_nodejs_heap_size_used_bytes') / 2 ** 20;
}

/** @param {Record<string, number>} o */
function roundAll(o) {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, round(v)]));
}

/** @param {ReturnType<typeof import('./lib/measure.mjs').parseMetrics>} m */
function pushesByType(m) {
  /** @type {Record<string, number>} */
  const out = {};
  for (const s of m)
    if (s.name === 'meshplane_xds_pushes_total')
      out[s.labels['type'] ?? ''] = (out[s.labels['type'] ?? ''] ?? 0) + s.value;
  return out;
}

/** @param {ReturnType<typeof import('./lib/measure.mjs').parseMetrics>} m */
function rejectedByReason(m) {
  /** @type {Record<string, number>} */
  const out = {};
  for (const s of m) if (s.name === 'meshplane_xds_streams_rejected_total') out[s.labels['reason'] ?? ''] = s.value;
  return out;
}

/** @param {Record<string, number>} a @param {Record<string, number>} b */
function diffRecord(a, b) {
  return Object.fromEntries(Object.keys(b).map((k) => [k, (b[k] ?? 0) - (a[k] ?? 0)]));
}

/** @param {import('./lib/loadgen.mjs').LoadgenStats[]} stats */
function summariseLoadgen(stats) {
  /** @type {Record<string, number>} */
  const errors = {};
  for (const s of stats) for (const [k, v] of Object.entries(s.errors)) errors[k] = (errors[k] ?? 0) + v;
  return {
    processes: stats.length,
    cpuS: round(
      stats.reduce((a, s) => a + s.cpuS, 0),
      2,
    ),
    wallS: round(Math.max(...stats.map((s) => s.wallS)), 2),
    loopDelayP99Ms: round(Math.max(...stats.map((s) => s.loopDelayP99Ms)), 1),
    loopDelayMaxMs: round(Math.max(...stats.map((s) => s.loopDelayMaxMs)), 1),
    rssMb: round(stats.reduce((a, s) => a + s.rssMb, 0)),
    streamErrors: errors,
  };
}

/**
 * Resolves with the time a route marker appears in the witness' route configurations.
 * @param {Awaited<ReturnType<typeof startEnvoy>>} witness @param {string} marker @param {number} timeoutMs
 */
async function pollWitness(witness, marker, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await witness.routesContain(marker).catch(() => false)) return Date.now();
    await sleep(25);
  }
  return NaN;
}

// --- the report -----------------------------------------------------------------------------------

/** @param {any} r */
function report(r) {
  const m = r.machine;
  const yes = (/** @type {boolean} */ ok) => (ok ? 'yes' : '**no**');
  const lines = [
    '# xDS fleet benchmark: one shard',
    '',
    `Measured ${m.date.slice(0, 16).replace('T', ' ')} UTC at commit \`${m.commit}\`${m.dirty ? ' (src/ had uncommitted changes)' : ''}, on ${m.cores} × ${m.cpuModel}, ${m.memoryGb} GiB RAM, Node ${m.node}, Linux ${m.kernel}. Cores busy with other work just before the start: ${m.busyCoresBeforeStart}.`,
    '',
    `Command: \`${r.command}\` (after \`npm run build\`).`,
    '',
    `Setup: api, worker and **one xds shard** as separate processes (\`dist/main.{api,worker,xds}.js\`, default configuration, LOG_LEVEL=warn), PostgreSQL and Redis local, all on this machine with the load generator (${r.options.processes} processes) and the witness Envoy: everything shares the same ${m.cores} cores. Mesh (built with the AWS SDK): ${r.mesh.virtualNodes} virtual nodes (Cloud Map discovery, so clients use EDS), each with its own backend service and the shared \`shared.bench.local\` (router \`shared\`, route \`main\`), ${r.mesh.proxiesPerNode} proxies per node, each with its own proxy token from the bootstrap endpoint. Each simulated proxy is a real gRPC stream on its own HTTP/2 connection (${r.options.client === 'http2' ? 'gRPC framing written directly on node:http2: what @grpc/grpc-js does underneath, at a fraction of its CPU per connection and message, so the generator leaves the shard its core' : '@grpc/grpc-js, a Client per proxy with a local subchannel pool'}) that subscribes like Envoy (wildcard CDS, EDS for the clusters' names, wildcard LDS, RDS for the listeners' names), ACKs every response, and reconnects like Envoy configured by the generated bootstrap (5 s connect timeout, HTTP/2 keepalive every 30 s with a 10 s timeout, jittered exponential backoff from 0.5 s to 30 s). The fleet connects at ${r.options.connectRate} new connections/s; the shard admits at most 1000 new streams/s (XDS_ADMISSION_RATE default) and refuses the rest with UNAVAILABLE.${r.options.shardBacklog ? ` **Experiment: the shard listens with XDS_LISTEN_BACKLOG=${r.options.shardBacklog} instead of the default 4096.**` : ''} The change: UpdateRoute of \`shared/main\` (new match prefix and weights), which changes both egress route configurations of every node; latency runs from the API's answer (the commit) to each proxy's ACK of the route configuration containing it.`,
    '',
  ];
  for (const p of r.phases) {
    const name =
      p.protocol === 'sotw' ? 'State of the world (StreamAggregatedResources)' : 'Delta (DeltaAggregatedResources)';
    lines.push(`## ${name}`, '');
    lines.push('| measure | result | target | met |', '| --- | ---: | ---: | --- |');
    lines.push(
      `| proxies connected and ACKed on one shard | ${p.connect.ready} (in ${p.connect.seconds} s, ${r.options.connectRate}/s ramp) | ${TARGETS.proxies} | ${yes(p.connect.ready >= TARGETS.proxies)} |`,
    );
    lines.push(
      `| shard memory per proxy (RSS, beyond the loaded mesh) | ${p.memory.kbPerProxyRss} KB (heap: ${p.memory.kbPerProxyHeap} KB) | ≤ ${TARGETS.kbPerProxy} KB | ${yes(p.memory.kbPerProxyRss <= TARGETS.kbPerProxy)} |`,
    );
    if (p.changes.length)
      lines.push(
        `| change to every proxy, commit → ACK p99 (worst of ${p.changes.length}) | ${p.changeSummary.worstP99Ms} ms (p50 ${p.changeSummary.worstP50Ms} ms, max ${p.changeSummary.worstMaxMs} ms) | ≤ ${TARGETS.p99Ms} ms | ${yes(p.changeSummary.worstP99Ms <= TARGETS.p99Ms && p.changes.every((/** @type {any} */ c) => c.missing === 0))} |`,
      );
    if (p.changes.length) {
      const h = p.shardMetrics.commitToAck;
      const within = h.buckets['1'] ?? 0;
      lines.push(
        `| same, as the shard records it (\`meshplane_xds_commit_to_ack_seconds\`, when it has read the ACK) | ${round((100 * within) / h.count, 1)}% within 1 s, mean ${round(h.meanS * 1000)} ms | p99 ≤ 1 s | ${yes(within / h.count >= 0.99)} |`,
      );
    }
    for (const s of p.storms)
      lines.push(
        `| reconnect storm (${s.kind === 'drop' ? 'every connection dropped at once' : 'shard SIGKILLed and restarted'}): all connected and ACKed again | ${s.converged ? `${s.allS} s` : `not within ${STORM_TIMEOUT_MS / 1000} s (${s.ready} ready)`} (peak RSS ${s.peakRssMb} MB) | < ${TARGETS.stormS} s | ${yes(s.converged && s.allS < TARGETS.stormS)} |`,
      );
    lines.push('');
    lines.push(
      `Shard memory: RSS ${p.memory.before.rssMb} MB → ${p.memory.after.rssMb} MB, V8 heap used ${p.memory.before.heapMb} MB → ${p.memory.after.heapMb} MB (measured 5 s after the last proxy was ready; \`meshplane_xds_connected_proxies\` = ${p.memory.connected}, the witness included).`,
      '',
    );
    if (p.changes.length) {
      lines.push('Each change, commit → ACK per proxy (ms):', '');
      lines.push(
        '| change | API answer | ACKed | p50 | p90 | p99 | max | witness Envoy | CPU s: shard / load gen / worker / other |',
      );
      lines.push('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
      for (const c of p.changes)
        lines.push(
          `| ${c.seq} | ${c.apiMs} | ${c.acked}/${c.acked + c.missing} | ${c.p50Ms} | ${c.p90Ms} | ${c.p99Ms} | ${c.maxMs} | ${c.witnessMs ?? 'n/a'} | ${c.cpu.shardCpuS} / ${c.cpu.loadgenCpuS} / ${c.cpu.workerCpuS} / ${round(c.cpu.otherCpuS + c.cpu.postgresCpuS + c.cpu.redisCpuS + c.cpu.envoyCpuS, 2)} (${c.cpu.wallS} s) |`,
        );
      lines.push('');
      const h = p.shardMetrics.commitToAck;
      lines.push(
        `Shard metrics over the changes: \`meshplane_xds_commit_to_ack_seconds\` ${h.count} observations, mean ${round(h.meanS * 1000)} ms, p50 ≈ ${round(h.p50S * 1000)} ms, p99 ≈ ${round(h.p99S * 1000)} ms (interpolated within buckets …, 0.75, 1, 2, 3 s; per bucket: ${Object.entries(
          h.buckets,
        )
          .filter(([, v]) => v)
          .map(([k, v]) => `≤ ${k} s: ${v}`)
          .join(
            ', ',
          )}). The shard observes when it has read and processed a proxy's ACK; the proxies' own ACK times above are earlier by the time the shard takes to work through 10,000 ACKs that arrive together (and its other work: registry writes of the session records, once a second); pushes ${Object.entries(
          p.shardMetrics.pushes,
        )
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}; NACKs ${p.shardMetrics.nacks}.`,
        '',
      );
    }
    for (const s of p.storms) {
      lines.push(
        `Storm "${s.kind}": ${s.ready}/${r.options.proxies} ready again; p50 ${s.p50S} s, p99 ${s.p99S} s, all ${s.allS} s${s.shardRestartS !== null ? ` (the new shard answered /readyz ${s.shardRestartS} s after the SIGKILL)` : ''}; shard peak RSS ${s.peakRssMb} MB, ${s.rssAfterMb} MB after; streams refused by the shard: ${JSON.stringify(s.rejected)}; connection attempts dropped by a full listen queue (kernel ListenOverflows): ${s.listenOverflows}; CPU s: shard ${s.cpu.shardCpuS}, load gen ${s.cpu.loadgenCpuS}, other ${round(s.cpu.otherCpuS + s.cpu.postgresCpuS + s.cpu.redisCpuS + s.cpu.workerCpuS, 2)} over ${s.cpu.wallS} s; load-gen stream errors ${JSON.stringify(s.loadgen.streamErrors)}.`,
        '',
      );
    }
    lines.push(
      `Load generator while connecting: ${p.connect.loadgen.cpuS} CPU s over ${p.connect.loadgen.wallS} s in ${p.connect.loadgen.processes} processes, ${p.connect.loadgen.rssMb} MB RSS in all. During the changes: ${p.changes.map((/** @type {any} */ c) => `${c.loadgen.cpuS} s`).join(', ')} of CPU, event-loop delay p99 ≤ ${Math.max(...p.changes.map((/** @type {any} */ c) => c.loadgen.loopDelayP99Ms))} ms.`,
      '',
    );
    if (p.witness)
      lines.push(
        `Witness Envoy (node n0, ${p.protocol === 'sotw' ? 'GRPC' : 'DELTA_GRPC'} ADS): connected ${p.witness.connected}, CDS updates ${p.witness.cdsUpdates}, LDS updates ${p.witness.ldsUpdates}, rejected updates ${p.witness.rejected}.`,
        '',
      );
  }
  lines.push(
    `Worker compiles over the run: ${Object.entries(r.worker.compiles)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}.`,
    '',
    'Full numbers: the JSON next to this file.',
    '',
  );
  return lines.join('\n');
}
