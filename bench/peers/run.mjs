// @ts-check
// `npm run bench:peers`: this project's xDS shard and a go-control-plane server, side by side in
// one run on one machine, serving the same compiled configuration to the same simulated proxies.
//
// The mesh is built through the App Mesh API and compiled by our worker, as in `bench:xds`. The
// peer (go-control-plane/main.go, built here with the machine's Go toolchain) serves what our
// compiler published, exported from Redis per view (export-views.mjs), so both offer the same
// resources at the same versions. For each fleet size and protocol the two servers take turns
// (the order alternates between sizes) under the same load generator (bench/xds/lib/loadgen.mjs:
// one HTTP/2 connection and ADS stream per proxy, subscribing and ACKing as Envoy does) and a
// witness Envoy, and are measured the same way:
//
//   - connect-and-ACK: time until every proxy has ACKed every type it subscribed to;
//   - memory per proxy: the server's RSS after the fleet connected minus before, per proxy;
//   - a change every proxy holds (the shared service's route): from the moment the new
//     configuration is available to the server to each proxy's ACK of it. Ours: when the
//     worker finished the compile and published it (the manifest's compiledAt); also reported
//     from the API's commit. The peer: when `POST /snapshot` is sent (its reload of the exported
//     file, parsed and unmarshalled, is part of its time);
//   - a reconnect storm: every connection dropped at once, until all are ACKed again;
//   - CPU seconds of the server process in each phase.
//
// Requires `npm run build` and Go (go.mod names the version). A benchmark, not a test: exits 0
// whatever the numbers; non-zero only when it could not measure. Writes bench/results/peers.{md,json}.
//
// Options:
//   --sizes=1000,5000,10000   fleet sizes (proxies)
//   --protocols=sotw,delta
//   --nodes=100               virtual nodes (views); proxies spread evenly
//   --changes=3               changes measured per phase
//   --storm / --no-storm      the drop storm (default on)
//   --processes=4             load-generator processes
//   --connect-rate=1000       new connections per second
//   --no-witness              no real Envoy
//   --out=PATH                results path without extension (default bench/results/peers)
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { envoyBinary, startEnvoy } from '../xds/lib/envoy.mjs';
import { intFlag, listFlag, logger, parseFlags, runBench } from '../lib/cli.mjs';
import { Loadgen, until } from '../xds/lib/loadgen.mjs';
import { createNodeMesh, startBenchStack } from '../xds/lib/bench-stack.mjs';
import { cpuSampler, percentiles, pidsNamed, round, scrape } from '../xds/lib/measure.mjs';
import { bootstrap, issueProxies, updateRoute } from '../xds/lib/mesh.mjs';
import { memoryOf, onCleanup, requireBuild, startRole } from '../xds/lib/stack.mjs';
import { exportViews } from './export-views.mjs';

const root = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const DATABASE = 'meshplane_bench_peers';
// A Redis database number no other script uses (npm start 0, tests 1, bench:api 2, bench:xds 11,
// bench:propagation 12, bench:peers 13, bench:registry 14, mesh-burst 15): they can run side by side.
const REDIS_DB = 13;
const QUEUE_PREFIX = 'bench-peers';
const MESH = 'bench';
const SHARED = 0;
const CHANGE_TIMEOUT_MS = 60_000;
const STORM_TIMEOUT_MS = 180_000;
const PEER_DIR = join(root, 'bench', 'peers', 'go-control-plane');
const PEER_BINARY = join(root, 'bench', '.peers', 'go-control-plane-peer');
const SNAPSHOT = join(root, 'bench', '.peers', 'views.json');

const log = logger('bench:peers');
const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));

await runBench({ log, options: () => parseArgs(process.argv.slice(2)), main, report });

/** @param {string[]} argv */
function parseArgs(argv) {
  const known = [
    'sizes',
    'protocols',
    'nodes',
    'changes',
    'storm',
    'no-storm',
    'processes',
    'connect-rate',
    'no-witness',
    'out',
  ];
  const given = parseFlags(argv, known, 'bench/peers/run.mjs');
  const int = (/** @type {string} */ name, /** @type {number} */ fallback) => intFlag(given, name, fallback);
  const list = (/** @type {string} */ name, /** @type {string} */ fallback) => listFlag(given, name, fallback);
  const sizes = list('sizes', '1000,5000,10000').map(Number);
  if (sizes.some((s) => !Number.isInteger(s) || s < 1)) throw new Error('--sizes must be positive integers');
  const protocols = /** @type {('sotw' | 'delta')[]} */ (list('protocols', 'sotw,delta'));
  for (const p of protocols) if (p !== 'sotw' && p !== 'delta') throw new Error(`--protocols: unknown ${p}`);
  const nodes = Math.max(2, int('nodes', 100));
  const max = Math.max(...sizes);
  return {
    sizes,
    protocols,
    nodes,
    perNode: Math.ceil(max / nodes),
    changes: Math.max(1, int('changes', 3)),
    storm: !given.has('no-storm'),
    processes: Math.max(1, int('processes', 4)),
    connectRate: int('connect-rate', 1000),
    witness: !given.has('no-witness'),
    out: given.get('out') ?? join(root, 'bench', 'results', 'peers'),
    command: `npm run bench:peers${argv.length ? ` -- ${argv.join(' ')}` : ''}`,
  };
}

/** Builds the peer with the machine's Go toolchain (modules from the Go module proxy). */
function buildPeer() {
  mkdirSync(dirname(PEER_BINARY), { recursive: true });
  const started = Date.now();
  try {
    execFileSync('go', ['build', '-o', PEER_BINARY, '.'], { cwd: PEER_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const e = /** @type {any} */ (error);
    if (e.code === 'ENOENT')
      throw Object.assign(new Error('the Go toolchain is not on PATH'), {
        hint: 'Install Go (go.mod in bench/peers/go-control-plane names the version).',
      });
    throw new Error(`go build failed:\n${e.stderr?.toString() ?? e.message}`);
  }
  const version = execFileSync('go', ['version'], { encoding: 'utf8' }).trim();
  const modules = execFileSync('go', ['list', '-m', '-f', '{{.Path}} {{.Version}}', 'all'], {
    cwd: PEER_DIR,
    encoding: 'utf8',
  })
    .split('\n')
    .filter((l) => l.startsWith('github.com/envoyproxy/go-control-plane ') || l.startsWith('google.golang.org/grpc '));
  log(`built the go-control-plane peer in ${((Date.now() - started) / 1000).toFixed(1)} s (${version})`);
  return { go: version, modules };
}

/** @param {ReturnType<typeof parseArgs>} o */
async function main(o) {
  requireBuild(root);
  const peerBuild = buildPeer();
  const { machine, services, env, apiPort, ports, api, worker } = await startBenchStack({
    root,
    database: DATABASE,
    redisDb: REDIS_DB,
    env: { QUEUE_PREFIX },
    extraPorts: 6,
    busyWarning: 'both servers will suffer it',
    log,
  });
  const [xdsPort, xdsHttp, peerControl, adminPort, ingressPort, egressPort] =
    /** @type {[number, number, number, number, number, number]} */ (ports);

  // The mesh of bench:xds: every node has its own backend service and the shared one.
  const { tenant, sdk, nodeNames, shared } = await createNodeMesh({
    apiPort,
    adminToken: env.MESH_ADMIN_TOKEN,
    tenantName: 'bench-peers',
    meshName: MESH,
    nodes: o.nodes,
    sharedRoute: SHARED,
    log,
  });
  const clients = await issueProxies({
    port: apiPort,
    tenant,
    meshName: MESH,
    nodes: nodeNames,
    perNode: o.perNode,
    log,
  });

  // Compiles are published on Redis with a notice on one channel; the benchmark listens to it as
  // the shards do, to know when a new configuration is available.
  const namespace = QUEUE_PREFIX.replace(/[{}]/g, '');
  const redis = new Redis(services.redisUrl);
  const subscriber = new Redis(services.redisUrl);
  onCleanup(() => {
    redis.disconnect();
    subscriber.disconnect();
  });
  const { changesChannel } = await import(join(root, 'dist', 'xds-fleet', 'cache', 'compiled-store.js'));
  /** @type {{ version: string, at: number }[]} */
  const notices = [];
  await subscriber.subscribe(changesChannel(namespace));
  subscriber.on('message', (_channel, message) => {
    const notice = JSON.parse(message);
    if (notice.version) notices.push({ version: notice.version, at: Date.now() });
  });
  const compiled = await until(async () => (await redis.keys(`${namespace}:xds:{*}:meta`)).length === 1, 60_000, 100);
  if (!compiled) throw new Error('the mesh was not compiled within 60 s');
  const [metaKey] = await redis.keys(`${namespace}:xds:{*}:meta`);
  const compiledManifestKey = /** @type {string} */ (metaKey).replace(/:meta$/, ':head');
  await sleep(1000);
  const first = await exportViews({ root, redis, namespace, path: SNAPSHOT });
  log(`exported ${first.views} views, ${first.resources} resources (${round(first.bytes / 1024)} KB of messages)`);

  const binary = o.witness ? envoyBinary(root) : undefined;
  if (o.witness && !binary) log('no Envoy binary (run `npm test` once, or set MESHPLANE_ENVOY): no witness');

  /** @type {any[]} */
  const phases = [];
  let seq = 0;
  for (const [i, size] of o.sizes.entries()) {
    for (const protocol of o.protocols) {
      /** @type {('ours' | 'theirs')[]} */
      const order = i % 2 === 0 ? ['ours', 'theirs'] : ['theirs', 'ours'];
      for (const server of order) {
        log(`=== ${size} proxies, ${protocol}, ${server === 'ours' ? 'meshplane shard' : 'go-control-plane'}`);
        phases.push(
          await runPhase({
            o,
            server,
            size,
            protocol,
            env,
            clients: clients.slice(0, size),
            ports: { xdsPort, xdsHttp, peerControl, adminPort, ingressPort, egressPort },
            apiPort,
            tenant,
            binary,
            sdk,
            shared,
            nextSeq: () => ++seq,
            notices,
            redis,
            namespace,
            compiledManifestKey,
            pids: { api: api.pid, worker: worker.pid },
          }),
        );
      }
    }
  }

  const result = {
    machine,
    command: o.command,
    options: { ...o, out: relative(root, o.out) },
    peer: { ...peerBuild, byteIdentical: phases.find((p) => p.server === 'theirs')?.load ?? null },
    export: first,
    mesh: { virtualNodes: o.nodes, virtualServices: o.nodes + 1, proxiesPerNode: o.perNode },
    phases,
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
 * Starts the peer on the exported views and waits until it answers.
 * @param {{ port: number, control: number }} p
 */
async function startPeer({ port, control }) {
  const child = spawn(PEER_BINARY, [`-port=${port}`, `-control=${control}`, `-snapshot=${SNAPSHOT}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '' },
  });
  onCleanup(() => child.kill('SIGKILL'));
  let output = '';
  const collect = (/** @type {Buffer} */ b) => {
    output = (output + b.toString('utf8')).slice(-20_000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  const ready = await until(
    async () => {
      if (child.exitCode !== null) throw new Error(`the peer exited early:\n${output}`);
      return fetch(`http://127.0.0.1:${control}/ready`)
        .then((r) => r.ok)
        .catch(() => false);
    },
    30_000,
    50,
  );
  if (!ready) throw new Error(`the peer did not answer within 30 s:\n${output}`);
  return {
    pid: child.pid ?? 0,
    output: () => output,
    /** Reloads the exported views; resolves with the peer's own account of the load. */
    reload: async () => {
      const res = await fetch(`http://127.0.0.1:${control}/snapshot`, { method: 'POST' });
      if (!res.ok) throw new Error(`peer reload: ${res.status} ${await res.text()}`);
      return /** @type {Promise<{ views: number, resources: number, byteIdentical: number, loadMs: number }>} */ (
        res.json()
      );
    },
    stop: async () => {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** @param {any} p */
async function runPhase({
  o,
  server,
  size,
  protocol,
  env,
  clients,
  ports,
  apiPort,
  tenant,
  binary,
  sdk,
  shared,
  nextSeq,
  notices,
  redis,
  namespace,
  compiledManifestKey,
  pids,
}) {
  const ours = server === 'ours';
  const shard = ours
    ? await startRole({
        root,
        role: 'xds',
        env: {
          ...env,
          XDS_PORT: String(ports.xdsPort),
          XDS_HTTP_PORT: String(ports.xdsHttp),
          XDS_SHARD_ID: `peers-${size}-${protocol}`,
        },
        httpPort: ports.xdsHttp,
        log,
      })
    : undefined;
  const peer = ours ? undefined : await startPeer({ port: ports.xdsPort, control: ports.peerControl });
  const serverPid = /** @type {number} */ (shard?.pid ?? peer?.pid);
  const loadgen = new Loadgen({ processes: o.processes, log });
  /** @type {Awaited<ReturnType<typeof startEnvoy>> | undefined} */
  let witness;
  const cpu = cpuSampler({
    server: () => [serverPid],
    loadgen: () => loadgen.pids,
    worker: () => [pids.worker],
    api: () => [pids.api],
    envoy: () => (witness ? [witness.pid] : []),
    postgres: () => pidsNamed('postgres'),
    redis: () => pidsNamed('redis-server'),
  });
  const phase = /** @type {any} */ ({ server, size, protocol });
  try {
    if (peer) phase.load = await peer.reload();
    if (binary) {
      const b = await bootstrap({
        port: apiPort,
        tenant,
        meshName: MESH,
        node: 'n0',
        query: `xdsHost=127.0.0.1&xdsPort=${ports.xdsPort}&adminPort=${ports.adminPort}&ingressPort=${ports.ingressPort}&egressPort=${ports.egressPort}`,
      });
      if (protocol === 'delta') b.doc.dynamic_resources.ads_config.api_type = 'DELTA_GRPC';
      witness = await startEnvoy({ binary, bootstrap: b.doc, adminPort: ports.adminPort, log });
    }
    await sleep(2000);
    const before = memoryOf(serverPid).rssMb;

    // --- connect and ACK ---
    cpu.since();
    const connectStart = Date.now();
    await loadgen.start({ port: ports.xdsPort, protocol, transport: 'http2', clients, ratePerS: o.connectRate });
    const allReady = await until(async () => (await loadgen.ready()) >= clients.length, 10 * 60_000, 250);
    const readyTimes = [...loadgen.readyAt].filter((t) => t > 0);
    phase.connect = {
      allReady,
      ready: readyTimes.length,
      seconds: round((Math.max(...readyTimes) - connectStart) / 1000, 2),
      serverCpuS: cpu.since()['serverCpuS'],
      // Streams our shard refused while the fleet connected (admission rate, quotas...): each
      // sends its proxy into Envoy's backoff. The peer refuses none.
      refused: shard
        ? Object.fromEntries(
            (await scrape(shard.httpPort))
              .filter((m) => m.name === 'meshplane_xds_streams_rejected_total')
              .map((m) => [m.labels['reason'] ?? '', m.value]),
          )
        : {},
    };
    log(
      `  connected ${readyTimes.length}/${clients.length} in ${phase.connect.seconds} s (streams refused: ${JSON.stringify(phase.connect.refused)})`,
    );
    await sleep(3000);
    const after = memoryOf(serverPid).rssMb;
    phase.memory = {
      beforeMb: round(before),
      afterMb: round(after),
      kbPerProxy: round(((after - before) * 1024) / Math.max(1, readyTimes.length), 1),
    };

    // --- changes every proxy holds ---
    phase.changes = [];
    for (let c = 0; c < o.changes; c++) {
      const s = nextSeq();
      const acked = new Float64Array(loadgen.readyAt.length);
      let count = 0;
      loadgen.onMarker = ([proxy, route, mseq, t]) => {
        if (route === SHARED && mseq >= s && acked[proxy] === 0) {
          acked[proxy] = t;
          count++;
        }
      };
      const noticesBefore = notices.length;
      const targets = c % 2 === 0 ? { n0: 2, n1: 1 } : { n0: 1, n1: 2 };
      cpu.since();
      const committed = await updateRoute(sdk, MESH, { ...shared, targets }, s);
      const published = await until(async () => notices.length > noticesBefore, CHANGE_TIMEOUT_MS, 5);
      if (!published) throw new Error(`change ${s} was not compiled within ${CHANGE_TIMEOUT_MS} ms`);
      // When the server had the new configuration available. Ours: when the worker finished the
      // compile and started publishing it (the manifest head's compiledAt; the notice follows within
      // the publish script), read rather than taken from this process's own subscriber, whose
      // event loop may hear the notice later than the shard does.
      const manifest = JSON.parse((await redis.get(compiledManifestKey)) ?? '{}');
      let available = Number(manifest.compiledAt ?? /** @type {{ at: number }} */ (notices[notices.length - 1]).at);
      let reload;
      if (peer) {
        await exportViews({ root, redis, namespace, path: SNAPSHOT });
        cpu.since(); // the export is the benchmark's work, not the peer's
        available = Date.now();
        reload = await peer.reload();
      }
      const witnessAt = witness ? pollWitness(witness, `/m/${SHARED}/${s}`) : Promise.resolve(NaN);
      const done = await until(async () => count >= clients.length, CHANGE_TIMEOUT_MS, 10);
      const w = await witnessAt;
      const fromAvailable = [...acked].filter((t) => t > 0).map((t) => t - available);
      const p = percentiles(fromAvailable);
      const change = {
        seq: s,
        acked: p.n,
        missing: clients.length - p.n,
        complete: done,
        p50Ms: p.p50,
        p99Ms: p.p99,
        maxMs: p.max,
        commitToAvailableMs: available - committed,
        reloadMs: reload?.loadMs ?? null,
        witnessMs: Number.isNaN(w) ? null : w - available,
        serverCpuS: cpu.since()['serverCpuS'],
      };
      phase.changes.push(change);
      log(
        `  change ${s}: ${p.n}/${clients.length} ACKed, available → ACK p50 ${p.p50} ms, p99 ${p.p99} ms (commit → available ${change.commitToAvailableMs} ms), server CPU ${change.serverCpuS} s`,
      );
      await sleep(1500);
    }
    loadgen.onMarker = undefined;
    phase.change = {
      medianP50Ms: percentiles(phase.changes.map((/** @type {any} */ c) => c.p50Ms)).p50,
      medianP99Ms: percentiles(phase.changes.map((/** @type {any} */ c) => c.p99Ms)).p50,
      medianServerCpuS: percentiles(phase.changes.map((/** @type {any} */ c) => c.serverCpuS)).p50,
    };

    // --- reconnect storm: every connection dropped at once ---
    if (o.storm) {
      await sleep(2000);
      let peak = memoryOf(serverPid).rssMb;
      const sampler = setInterval(() => {
        peak = Math.max(peak, memoryOf(serverPid).rssMb);
      }, 100);
      cpu.since();
      const dropped = await loadgen.drop();
      const t0 = dropped.closedAt;
      const ok = await until(
        async () => [...loadgen.readyAt].filter((t) => t >= t0).length >= clients.length,
        STORM_TIMEOUT_MS,
        100,
      );
      clearInterval(sampler);
      const times = [...loadgen.readyAt].filter((t) => t >= t0).map((t) => t - t0);
      const p = percentiles(times);
      phase.storm = {
        converged: ok,
        ready: p.n,
        p50S: round(p.p50 / 1000, 2),
        allS: round(p.max / 1000, 2),
        peakRssMb: round(peak),
        serverCpuS: cpu.since()['serverCpuS'],
      };
      log(`  storm: ${p.n}/${clients.length} ready again within ${phase.storm.allS} s`);
    }
  } finally {
    loadgen.onMarker = undefined;
    await loadgen.stop().catch(() => loadgen.kill());
    await witness?.stop().catch(() => undefined);
    if (shard) await shard.stop();
    if (peer) await peer.stop();
  }
  return phase;
}

/**
 * Resolves with the time a route marker appears in the witness' route configurations.
 * @param {Awaited<ReturnType<typeof startEnvoy>>} witness @param {string} marker
 */
async function pollWitness(witness, marker) {
  const deadline = Date.now() + CHANGE_TIMEOUT_MS;
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
  const ratio = (/** @type {number} */ a, /** @type {number} */ b) =>
    Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${round(a / b, 2)}×` : 'n/a';
  const lines = [
    '# xDS fan-out: meshplane against go-control-plane',
    '',
    `Measured ${m.date.slice(0, 16).replace('T', ' ')} UTC at commit \`${m.commit}\`${m.dirty ? ' (src/ had uncommitted changes)' : ''}, on ${m.cores} × ${m.cpuModel}, ${m.memoryGb} GiB RAM, Node ${m.node}, ${r.peer.go}, Linux ${m.kernel}. Cores busy with other work just before the start: ${m.busyCoresBeforeStart}.`,
    '',
    `Command: \`${r.command}\` (after \`npm run build\`; it builds the peer with \`go build\`).`,
    '',
    `**Ours**: one xDS shard (\`node dist/main.xds.js\`, default configuration). **Theirs**: a go-control-plane server (\`bench/peers/go-control-plane\`: ${r.peer.modules.join(', ')}; its snapshot cache in ADS mode and its SotW/Delta server, with each type at our collection version) serving the views our compiler published, exported from Redis: ${r.export.views} views, ${r.export.resources} resources, ${round(r.export.bytes / 1024)} KB of messages. go-control-plane re-marshals every message (deterministically, fields in number order); ${r.peer.byteIdentical ? `${r.peer.byteIdentical.byteIdentical} of ${r.peer.byteIdentical.resources} resources come out byte for byte as ours, the rest differ only in field order` : 'see the JSON'}. Both serve the same simulated proxies (bench/xds/lib/loadgen.mjs, one HTTP/2 connection and ADS stream each, subscribing and ACKing as Envoy does) and a witness Envoy on node n0, in turn, on the same ${m.cores} cores as the api, worker, PostgreSQL and Redis. The mesh: ${r.mesh.virtualNodes} virtual nodes with EDS clusters, ${r.mesh.virtualServices} virtual services; the change is an UpdateRoute of the service every node has as a backend. Our shard also authenticates every stream (proxy token), keeps its session records in Redis and heartbeats them; the peer authenticates nobody and records nothing.`,
    '',
    "Change latency runs from when the new configuration is available to the server to each proxy's ACK: for ours, when the worker finished the compile and published it (the manifest's `compiledAt`; the shards hear the change notice right after); for the peer, the moment it is asked to reload the exported views (its parse and unmarshal count). Ratios are ours / theirs: below 1 is better for us.",
    '',
    '| proxies | protocol | measure | meshplane | go-control-plane | ratio |',
    '| ---: | --- | --- | ---: | ---: | ---: |',
  ];
  /** @type {Map<string, any>} */
  const byKey = new Map(r.phases.map((/** @type {any} */ p) => [`${p.size}|${p.protocol}|${p.server}`, p]));
  for (const size of r.options.sizes)
    for (const protocol of r.options.protocols) {
      const a = byKey.get(`${size}|${protocol}|ours`);
      const b = byKey.get(`${size}|${protocol}|theirs`);
      if (!a || !b) continue;
      const row = (/** @type {string} */ label, /** @type {number} */ x, /** @type {number} */ y, unit = '') =>
        lines.push(`| ${size} | ${protocol} | ${label} | ${x}${unit} | ${y}${unit} | ${ratio(x, y)} |`);
      row('connect and ACK, all proxies', a.connect.seconds, b.connect.seconds, ' s');
      row('server CPU while connecting', a.connect.serverCpuS, b.connect.serverCpuS, ' s');
      row('server RSS per proxy', a.memory.kbPerProxy, b.memory.kbPerProxy, ' KB');
      row('change → ACK p50 (median of changes)', a.change.medianP50Ms, b.change.medianP50Ms, ' ms');
      row('change → ACK p99 (median of changes)', a.change.medianP99Ms, b.change.medianP99Ms, ' ms');
      row('server CPU per change', a.change.medianServerCpuS, b.change.medianServerCpuS, ' s');
      if (a.storm && b.storm) {
        row('drop storm: all ACKed again', a.storm.allS, b.storm.allS, ' s');
        row('drop storm: peak RSS', a.storm.peakRssMb, b.storm.peakRssMb, ' MB');
      }
    }
  lines.push('', '## Each change', '');
  lines.push(
    '| proxies | protocol | server | change | ACKed | available → ACK p50 / p99 / max (ms) | commit → available (ms) | peer reload (ms) | witness (ms) | server CPU (s) |',
  );
  lines.push('| ---: | --- | --- | ---: | ---: | --- | ---: | ---: | ---: | ---: |');
  for (const p of r.phases)
    for (const c of p.changes)
      lines.push(
        `| ${p.size} | ${p.protocol} | ${p.server === 'ours' ? 'meshplane' : 'go-control-plane'} | ${c.seq} | ${c.acked}/${c.acked + c.missing} | ${c.p50Ms} / ${c.p99Ms} / ${c.maxMs} | ${c.commitToAvailableMs} | ${c.reloadMs ?? '–'} | ${c.witnessMs ?? 'n/a'} | ${c.serverCpuS} |`,
      );
  lines.push(
    '',
    'For the peer, commit → available includes the benchmark exporting the views from Redis; for ours it is the compile (API commit to the change notice).',
    '',
    'Full numbers: the JSON next to this file.',
    '',
  );
  return lines.join('\n');
}
