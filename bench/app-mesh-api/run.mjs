// @ts-check
// `npm run bench:api`: throughput and latency of the App Mesh REST API (SigV4 on) for Describe,
// Create and Update of virtual nodes, next to a raw baseline of the same SQL through the `pg`
// driver alone. Prepares like `npm test` (dependencies, local PostgreSQL/Redis, a fresh
// `meshplane_bench` database, build, migrations), runs the api role alone, and writes
// bench/results/app-mesh-api.{json,md}. A benchmark, not a test: it exits 0 whether or not the
// targets are met (the numbers are the result), and non-zero only when it could not measure.
//
// Options (all optional):
//   --duration=15            seconds per measured run
//   --warmup=3               seconds of warm-up before each closed-loop run (and each baseline run)
//   --connections=16,64      closed-loop connection counts (also the baseline concurrencies)
//   --rate-connections=16    connections of the rate-limited runs
//   --only=describe,create,update
//   --meshes=8               meshes written concurrently by Create and Update runs
//   --update-nodes=8         virtual nodes per Update mesh (the Update pool is meshes x this)
//   --no-baseline            skip the driver-only baseline
//   --wait-quiet=300         wait up to this many seconds for other processes to go quiet first (0: don't)
//   --retries=2              measure a run again, up to this many times, when other work disturbed it
//   --profile                run the server under `node --cpu-prof`; results and profiles go to
//                            bench/.profiles/ (not bench/results/); see bench/README.md
//   --out=PATH               results path without extension (default bench/results/app-mesh-api)
//   --server-root=PATH       measure the api role of another checkout (built, migrated and started
//                            from there, with its own scripts); compare.mjs uses it for before/after
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ensureDependencies } from '../../scripts/lib/deps.mjs';
import { intFlag, listFlag, numberFlag, parseFlags, runBench } from '../lib/cli.mjs';
import { describeMachine, postgresVersion } from '../lib/machine.mjs';
import { recreateDatabase } from '../../scripts/lib/database.mjs';

const root = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const BENCH_DB = 'meshplane_bench';
/** The goal of the issue: requests/s at which p99 must stay under P99_LIMIT_MS. */
const TARGETS = /** @type {const} */ ({ describe: 1500, create: 400, update: 400 });
const P99_LIMIT_MS = 50;
/** Share of the target rate a rate-limited run must complete (autocannon paces per second). */
const RATE_TOLERANCE = 0.97;
/** Machine CPU use (cores) below which the machine counts as quiet, and above which work outside the benchmark counts as interference. */
const QUIET_CORES = 0.25;
/**
 * CPU (cores) used during a run by anything but the server, the load generator and the benchmark
 * database's backends above which the run is measured again: Redis and PostgreSQL's background
 * processes stay well below it; a test suite or a build does not.
 */
const INTERFERENCE_CORES = 0.3;
/** Sockets the evenly paced (open-loop) run may open when the server falls behind. */
const PACED_MAX_CONNECTIONS = 64;
/** Enterprise plan quotas (src/tenants/plans.ts). */
const MESH_QUOTA = 100;
const NODES_PER_MESH = 1000;

/** @param {string} msg */
const log = (msg) => process.stderr.write(`[bench] ${msg}\n`);

/** @typedef {import('./load.mjs').LoadResult} LoadResult */
/** @typedef {import('./baseline.mjs').BaselineResult} BaselineResult */
/** @typedef {import('./signing.mjs').WireRequest} WireRequest */
/** @typedef {'describe' | 'create' | 'update'} Operation */

/**
 * @typedef {object} Options
 * @property {number} durationS
 * @property {number} warmupS
 * @property {number[]} connections
 * @property {number} rateConnections
 * @property {Operation[]} only
 * @property {number} meshes
 * @property {number} updateNodesPerMesh
 * @property {boolean} baseline
 * @property {number} waitQuietS
 * @property {number} retries
 * @property {boolean} profile
 * @property {string} out
 * @property {string} serverRoot the checkout whose api role is measured (this one unless --server-root)
 */

await runBench({ log, options: () => parseArgs(process.argv.slice(2)), main });

/**
 * @param {string[]} argv
 * @returns {Options}
 */
function parseArgs(argv) {
  const known = [
    'duration',
    'warmup',
    'connections',
    'rate-connections',
    'only',
    'meshes',
    'update-nodes',
    'no-baseline',
    'wait-quiet',
    'retries',
    'profile',
    'out',
    'server-root',
  ];
  const given = parseFlags(argv, known, 'bench/app-mesh-api/run.mjs');
  const only = listFlag(given, 'only', 'describe,create,update');
  for (const op of only)
    if (!['describe', 'create', 'update'].includes(op)) throw new Error(`--only: unknown operation ${op}`);
  const profile = given.has('profile');
  const meshes = intFlag(given, 'meshes', 8, 1);
  const updateNodesPerMesh = intFlag(given, 'update-nodes', 8, 1);
  if (meshes * 2 + 1 > MESH_QUOTA) throw new Error(`--meshes=${meshes} leaves no room in the ${MESH_QUOTA}-mesh quota`);
  return {
    durationS: numberFlag(given, 'duration', 15, 1),
    warmupS: numberFlag(given, 'warmup', 3, 0),
    connections: listFlag(given, 'connections', '16,64').map((s) => {
      const n = Number(s);
      if (!Number.isInteger(n) || n < 1) throw new Error('--connections must be positive integers, e.g. 16,64');
      return n;
    }),
    rateConnections: intFlag(given, 'rate-connections', 16, 1),
    only: /** @type {Operation[]} */ (only),
    meshes,
    updateNodesPerMesh: Math.min(updateNodesPerMesh, NODES_PER_MESH),
    baseline: !given.has('no-baseline'),
    waitQuietS: numberFlag(given, 'wait-quiet', 300, 0),
    retries: intFlag(given, 'retries', 2, 0),
    profile,
    out: given.get('out') ?? join(root, 'bench', profile ? '.profiles' : 'results', 'app-mesh-api'),
    serverRoot: resolve(given.get('server-root') ?? root),
  };
}

/** @param {Options} options */
async function main(options) {
  // --- prepare, as `npm test` does -----------------------------------------------------------
  // The measured checkout builds and migrates with its own scripts (another commit's may differ).
  const serverRoot = options.serverRoot;
  await ensureDependencies(root, log);
  if (serverRoot !== root) await ensureDependencies(serverRoot, log);
  const { ensureServices } = await import('../../scripts/lib/services.mjs');
  const { applyMigrations } = await import(pathToFileURL(join(serverRoot, 'scripts/lib/migrations.mjs')).href);
  const { build } = await import(pathToFileURL(join(serverRoot, 'scripts/lib/build.mjs')).href);
  const { startApi } = await import('./server.mjs');
  const { RequestSigner, sendOk } = await import('./signing.mjs');
  const { drive } = await import('./load.mjs');
  const { drivePaced } = await import('./paced.mjs');
  const baseline = await import('./baseline.mjs');
  const { default: pg } = await import('pg');

  const services = await ensureServices({ root, databases: [BENCH_DB], log });
  const databaseUrl = services.databaseUrls[BENCH_DB];
  if (!databaseUrl) throw new Error(`no URL for ${BENCH_DB}`);
  // Its own Redis database number: never sees `npm start`'s (0) or the tests' (1) keys.
  const redisUrl = `${services.redisUrl.replace(/\/\d*$/, '')}/2`;
  await recreateDatabase(databaseUrl);
  log(`building ${serverRoot === root ? 'this checkout' : serverRoot}...`);
  await build(serverRoot);
  await applyMigrations(databaseUrl, { migrationsDir: join(serverRoot, 'prisma', 'migrations'), log });
  const poolSize = Number(process.env['DATABASE_POOL_SIZE'] ?? 10);

  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  const machine = describeMachine(serverRoot, { postgres: await postgresVersion(db) });
  const { cpuBetween, sampleCpu, setBenchDatabase } = await import('./cpu.mjs');
  setBenchDatabase(BENCH_DB);
  // Other work on the machine (a test suite, a build) lowers every number: wait for quiet.
  /** Waits until the machine is quiet (or the wait is over); returns the cores last seen busy. */
  const waitForQuiet = async () => {
    const deadline = Date.now() + options.waitQuietS * 1000;
    for (;;) {
      const before = sampleCpu(null);
      await sleep(3000);
      const busy = cpuBetween(before, sampleCpu(null)).machineBusyCores;
      if (busy === null || busy <= QUIET_CORES || Date.now() >= deadline) return busy;
      log(
        `other processes keep ${busy} core(s) busy; waiting for a quiet machine (up to ${options.waitQuietS} s, --wait-quiet)`,
      );
    }
  };
  /**
   * Runs a measurement again (after waiting for quiet) while unrelated work used more than
   * INTERFERENCE_CORES during it, up to --retries times; the result says how many were discarded.
   * @template {{ cpu: import('./cpu.mjs').CpuUsage, discardedAttempts?: number }} R
   * @param {string} label
   * @param {() => Promise<R>} attempt
   * @returns {Promise<R>}
   */
  const undisturbed = async (label, attempt) => {
    for (let discarded = 0; ; discarded++) {
      const r = await attempt();
      const other = r.cpu.otherCores ?? 0;
      if (other <= INTERFERENCE_CORES || discarded >= options.retries) return { ...r, discardedAttempts: discarded };
      log(`${label}: other work used ${other} core(s) meanwhile; measuring again once the machine is quiet`);
      await waitForQuiet();
    }
  };
  const busy = await waitForQuiet();
  Object.assign(machine, { busyCoresBeforeStart: busy });
  if (busy !== null && busy > QUIET_CORES) {
    log(`WARNING: other processes keep ${busy} core(s) busy; the numbers will be lower than on a quiet machine`);
  }
  const analyze = () => db.query('ANALYZE');

  // --- the api role, alone ---------------------------------------------------------------------
  const profileDir = join(root, 'bench', '.profiles');
  if (options.profile) mkdirSync(profileDir, { recursive: true });
  const server = await startApi({
    root: serverRoot,
    databaseUrl,
    redisUrl,
    poolSize,
    nodeArgs: options.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
    log,
  });
  /** @type {number | string | null} */
  let serverExit = null;
  let warningsDuringRuns = 0;
  /** @type {Record<Operation, LoadResult[]>} */
  const api = { describe: [], create: [], update: [] };
  /** @type {BaselineResult[]} */
  const baselines = [];
  let tenantId = '';
  let accessKeyId = '';
  /** @type {{ meshName: string, nodeName: string }[]} */
  const updateTargets = [];
  const createMeshes = { perGroup: options.meshes, created: 0, namesUsed: 0 };

  try {
    const plan = await benchPlan(server);
    const created = await fetch(`http://127.0.0.1:${server.port}/admin/v1/tenants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bench', plan }),
    });
    const tenant = /** @type {{ accountId: string, accessKey: { accessKeyId: string, secretAccessKey: string } }} */ (
      await created.json()
    );
    if (created.status !== 201)
      throw new Error(`creating the tenant: HTTP ${created.status} ${JSON.stringify(tenant)}`);
    accessKeyId = tenant.accessKey.accessKeyId;
    const signer = new RequestSigner(tenant.accessKey, server.port);
    tenantId = (await db.query('SELECT tenant_id FROM access_keys WHERE access_key_id = $1', [accessKeyId])).rows[0]
      ?.tenant_id;
    log(`tenant ${tenant.accountId} (${plan} plan)`);

    // Fixtures: bench-0/n0 for Describe; `options.meshes` meshes of `updateNodesPerMesh` nodes for Update.
    await sendOk(
      server.port,
      await signer.sign('PUT', '/v20190125/meshes', { meshName: 'bench-0' }),
      'CreateMesh bench-0',
    );
    await sendOk(
      server.port,
      await signer.sign('PUT', '/v20190125/meshes/bench-0/virtualNodes', {
        virtualNodeName: 'n0',
        spec: nodeSpec('n0'),
      }),
      'CreateVirtualNode n0',
    );
    if (options.only.includes('update')) {
      for (let m = 0; m < options.meshes; m++) {
        const meshName = `update-${m}`;
        await sendOk(
          server.port,
          await signer.sign('PUT', '/v20190125/meshes', { meshName }),
          `CreateMesh ${meshName}`,
        );
        for (let j = 0; j < options.updateNodesPerMesh; j++) {
          const nodeName = `u${j}`;
          await sendOk(
            server.port,
            await signer.sign('PUT', `/v20190125/meshes/${meshName}/virtualNodes`, {
              virtualNodeName: nodeName,
              spec: nodeSpec(nodeName),
            }),
            `CreateVirtualNode ${meshName}/${nodeName}`,
          );
        }
      }
      // Interleave meshes so consecutive updates land in different meshes (each mesh serialises its writes).
      for (let j = 0; j < options.updateNodesPerMesh; j++) {
        for (let m = 0; m < options.meshes; m++) updateTargets.push({ meshName: `update-${m}`, nodeName: `u${j}` });
      }
    }

    /** Create k-th virtual node name lives in mesh `create-g<group>-<m>`; meshes are made on demand. */
    const perGroup = options.meshes * NODES_PER_MESH;
    const reservedMeshes = 1 + (options.only.includes('update') ? options.meshes : 0);
    const maxGroups = Math.floor((MESH_QUOTA - reservedMeshes) / options.meshes);
    const createCapacity = maxGroups * perGroup;
    /** @param {number} k */
    const createTarget = (k) => ({
      meshName: `create-g${Math.floor(k / perGroup)}-${k % options.meshes}`,
      nodeName: `n${k}`,
    });
    /**
     * Signs up to `wanted` Creates (never past the quota), creating their meshes first.
     * @param {number} wanted
     */
    const signCreates = async (wanted) => {
      const from = createMeshes.namesUsed;
      const to = Math.min(from + wanted, createCapacity);
      const groupsNeeded = to === from ? 0 : Math.floor((to - 1) / perGroup) + 1;
      while (createMeshes.created < groupsNeeded * options.meshes) {
        const g = Math.floor(createMeshes.created / options.meshes);
        const meshName = `create-g${g}-${createMeshes.created % options.meshes}`;
        await sendOk(
          server.port,
          await signer.sign('PUT', '/v20190125/meshes', { meshName }),
          `CreateMesh ${meshName}`,
        );
        createMeshes.created++;
      }
      /** @type {WireRequest[]} */
      const pool = [];
      for (let k = from; k < to; k++) {
        const { meshName, nodeName } = createTarget(k);
        pool.push(
          await signer.sign('PUT', `/v20190125/meshes/${meshName}/virtualNodes`, {
            virtualNodeName: nodeName,
            spec: nodeSpec(nodeName),
          }),
        );
      }
      if (to - from < wanted)
        log(`create pool capped at ${to - from} of ${wanted} (the ${MESH_QUOTA}-mesh quota is used up)`);
      return pool;
    };

    const updatePool = async () => {
      /** @type {WireRequest[]} */
      const pool = [];
      for (const t of updateTargets) {
        pool.push(
          await signer.sign('PUT', `/v20190125/meshes/${t.meshName}/virtualNodes/${t.nodeName}`, {
            spec: nodeSpec(t.nodeName, 9090),
          }),
        );
      }
      return pool;
    };
    const describeRequest = () => signer.sign('GET', '/v20190125/meshes/bench-0/virtualNodes/n0');

    /**
     * One measured run, signed just before it starts (signatures live 5 minutes).
     * @param {Operation} op
     * @param {{ connections: number, durationS: number, overallRate?: number, paced?: boolean, expectedRps?: number }} run
     * @returns {Promise<LoadResult>}
     */
    const measure = async (op, run) => {
      const scenario = `${op}-${run.overallRate === undefined ? `c${run.connections}` : `${run.paced ? 'paced' : 'rate'}${run.overallRate}`}`;
      /** @type {import('./load.mjs').RequestSource} */
      let source;
      if (op === 'describe') source = { kind: 'fixed', request: await describeRequest() };
      else if (op === 'update') source = { kind: 'cycle', requests: await updatePool() };
      else {
        // Enough distinct names for twice the rate seen so far (or the asked rate), plus slack.
        const rate = run.overallRate ?? Math.max(run.expectedRps ?? 0, 500);
        const wanted = run.paced ? Math.ceil(rate * run.durationS) : Math.ceil(rate * 2 * (run.durationS + 1)) + 1000;
        source = { kind: 'once', requests: await signCreates(wanted) };
      }
      const base = {
        port: server.port,
        serverPid: server.pid,
        scenario,
        source,
        connections: run.connections,
        durationS: run.durationS,
      };
      const r =
        run.overallRate === undefined
          ? await drive(base)
          : run.paced
            ? await drivePaced({ ...base, rate: run.overallRate, maxConnections: run.connections })
            : await drive({ ...base, overallRate: run.overallRate });
      // Let requests still queued in the server finish before anything else is measured.
      await sleep(1000);
      // Names a run took are never signed again, whether or not the server created them.
      if (source.kind === 'once') createMeshes.namesUsed += r.taken;
      return r;
    };

    for (const op of options.only) {
      await analyze();
      let best = 0;
      for (const connections of options.connections) {
        log(`${op}: warm-up, ${connections} connections, ${options.warmupS} s`);
        const warm = await measure(op, { connections, durationS: options.warmupS, expectedRps: best });
        best = Math.max(best, warm.completedPerS);
        log(`${op}: ${connections} connections, ${options.durationS} s`);
        const r = await undisturbed(`${op}-c${connections}`, () =>
          measure(op, { connections, durationS: options.durationS, expectedRps: best }),
        );
        best = Math.max(best, r.completedPerS);
        api[op].push(r);
        log(`  ${describeRun(r)}`);
      }
      const target = TARGETS[op];
      log(`${op}: rate-limited at ${target}/s, ${options.rateConnections} connections, ${options.durationS} s`);
      const r = await undisturbed(`${op}-rate`, () =>
        measure(op, { connections: options.rateConnections, durationS: options.durationS, overallRate: target }),
      );
      api[op].push(r);
      log(`  ${describeRun(r)}`);
      log(
        `${op}: evenly paced at ${target}/s (open loop, up to ${PACED_MAX_CONNECTIONS} connections), ${options.durationS} s`,
      );
      const p = await undisturbed(`${op}-paced`, () =>
        measure(op, {
          connections: PACED_MAX_CONNECTIONS,
          durationS: options.durationS,
          overallRate: target,
          paced: true,
        }),
      );
      api[op].push(p);
      log(`  ${describeRun(p)}`);
    }
  } finally {
    warningsDuringRuns = server.warnings();
    await sleep(2000);
    serverExit = await server.stop();
    log(
      `api role stopped (${serverExit}); it logged ${warningsDuringRuns} warning/error line(s) during the runs, ${server.warnings() - warningsDuringRuns} while stopping`,
    );
    if (server.warnings() > 0) log(`last server output:\n${server.output().split('\n').slice(-6).join('\n')}`);
  }

  // --- the driver-only baseline (the server is stopped: nothing else runs) -----------------------
  if (options.baseline) {
    const ctx = { tenantId, accessKeyId, databaseUrl, poolSize };
    let meshSets = 0; // every Create attempt gets meshes of its own
    await analyze();
    for (const op of options.only) {
      for (const variant of /** @type {const} */ (['minimal', 'minimal-prepared', 'as-issued'])) {
        for (const concurrency of options.connections) {
          log(`baseline ${op} (${variant} SQL): concurrency ${concurrency}, ${options.durationS} s`);
          const common = { variant, concurrency, warmupS: options.warmupS, durationS: options.durationS };
          const r = await undisturbed(`baseline ${op} ${variant} c${concurrency}`, () =>
            op === 'describe'
              ? baseline.baselineDescribe(ctx, { ...common, meshName: 'bench-0', nodeName: 'n0' })
              : op === 'create'
                ? baseline.baselineCreate(ctx, {
                    ...common,
                    meshesPerGroup: options.meshes,
                    label: `baseline-${meshSets++}-${variant}-c${concurrency}`,
                    spec: (n) => nodeSpec(n),
                  })
                : baseline.baselineUpdate(ctx, { ...common, targets: updateTargets, spec: (n) => nodeSpec(n, 9090) }),
          );
          baselines.push(r);
          log(
            `  ${r.opsPerS} ops/s, p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, ${r.errors} error(s)${r.firstError ? `: ${r.firstError}` : ''}, cpu: client ${r.cpu.loadGeneratorCores}, postgres ${r.cpu.postgresCores}, other ${r.cpu.otherCores} cores`,
          );
        }
      }
    }
  }
  await db.end();

  // --- results ----------------------------------------------------------------------------------
  const results = {
    benchmark: 'app-mesh-api',
    schemaVersion: 1,
    machine,
    config: {
      durationS: options.durationS,
      warmupS: options.warmupS,
      connections: options.connections,
      rateConnections: options.rateConnections,
      databasePoolSize: poolSize,
      sigv4: true,
      profiled: options.profile,
      waitQuietS: options.waitQuietS,
      retries: options.retries,
      describe: { request: 'GET /v20190125/meshes/bench-0/virtualNodes/n0 (one signed request, replayed)' },
      create: {
        request:
          'PUT /v20190125/meshes/{mesh}/virtualNodes, a distinct virtualNodeName per request (one-shot pre-signed pool)',
        meshesWrittenConcurrently: options.meshes,
        meshesCreated: createMeshes.created,
        virtualNodesCreatedAtMost: createMeshes.namesUsed,
        maxNodesPerMesh: NODES_PER_MESH,
      },
      update: {
        request: 'PUT /v20190125/meshes/{mesh}/virtualNodes/{node} (one signed request per node, replayed round-robin)',
        meshes: options.meshes,
        nodes: updateTargets.length,
      },
      loadGenerator:
        'autocannon 8 (programmatic), pipelining 1, in this process, on the same machine as the server and PostgreSQL',
    },
    targets: evaluate(api, baselines),
    api,
    baseline: baselines,
    server: {
      exit: serverExit,
      warningOrErrorLogLines: warningsDuringRuns,
      warningOrErrorLogLinesWhileStopping: server.warnings() - warningsDuringRuns,
    },
  };
  mkdirSync(dirname(options.out), { recursive: true });
  writeFileSync(`${options.out}.json`, `${JSON.stringify(results, null, 2)}\n`);
  const { renderMarkdown } = await import('./report.mjs');
  writeFileSync(`${options.out}.md`, renderMarkdown(results));
  log(`wrote ${relative(root, options.out)}.json and .md`);
  for (const t of results.targets)
    log(`${t.operation}: ${t.met ? 'MET' : 'NOT MET'}${t.reasons.length ? ` (${t.reasons.join('; ')})` : ''}`);
  if (options.profile)
    log(
      `CPU profile(s) in ${relative(root, profileDir)}/ — summarise with: node bench/app-mesh-api/profile-summary.mjs <file.cpuprofile>`,
    );
}

/**
 * Whether each target was met: the rate-limited run must complete >= 97% of the target rate with
 * p99 under the limit and no non-2xx response or error. The best closed-loop rate is the capacity.
 * @param {Record<Operation, LoadResult[]>} api
 * @param {BaselineResult[]} baselines
 */
function evaluate(api, baselines) {
  return /** @type {Operation[]} */ (['describe', 'create', 'update'])
    .filter((op) => api[op].length > 0)
    .map((op) => {
      const target = TARGETS[op];
      const rate = api[op].find((r) => r.mode === 'rate');
      const paced = api[op].find((r) => r.mode === 'paced');
      const closed = api[op].filter((r) => r.mode === 'closed');
      const best = closed.reduce((m, r) => Math.max(m, r.ok2xxPerS), 0);
      /** @type {string[]} */
      const reasons = [];
      if (!rate) reasons.push('no rate-limited run');
      else {
        if (rate.ok2xxPerS < target * RATE_TOLERANCE)
          reasons.push(`sustained ${rate.ok2xxPerS} 2xx/s of the ${target}/s asked`);
        if (rate.latencyMs.p99 >= P99_LIMIT_MS) reasons.push(`p99 ${rate.latencyMs.p99} ms >= ${P99_LIMIT_MS} ms`);
        if (rate.non2xx > 0) reasons.push(`${rate.non2xx} non-2xx response(s)`);
        if (rate.errors > 0) reasons.push(`${rate.errors} connection error(s)/timeout(s)`);
      }
      for (const r of closed) {
        if (r.non2xx > 0 || r.errors > 0)
          reasons.push(`closed loop at ${r.connections} connections had ${r.non2xx} non-2xx and ${r.errors} error(s)`);
      }
      const ratios = closed.map((r) => {
        /** @param {import('./baseline.mjs').Variant} variant */
        const find = (variant) =>
          baselines.find((x) => x.operation === op && x.variant === variant && x.concurrency === r.connections);
        const minimal = find('minimal');
        const prepared = find('minimal-prepared');
        const asIssued = find('as-issued');
        /** @param {number} a @param {number | undefined} b */
        const ratio = (a, b) => (b === undefined || b <= 0 ? null : Math.round((a / b) * 1000) / 1000);
        return {
          connections: r.connections,
          apiRps: r.ok2xxPerS,
          baselineOpsPerS: minimal ? minimal.opsPerS : null,
          apiOverBaseline: ratio(r.ok2xxPerS, minimal?.opsPerS),
          apiP50OverBaselineP50: ratio(r.latencyMs.p50, minimal?.latencyMs.p50),
          preparedOpsPerS: prepared ? prepared.opsPerS : null,
          apiOverPrepared: ratio(r.ok2xxPerS, prepared?.opsPerS),
          asIssuedOpsPerS: asIssued ? asIssued.opsPerS : null,
          apiOverAsIssued: ratio(r.ok2xxPerS, asIssued?.opsPerS),
        };
      });
      return {
        operation: op,
        targetRps: target,
        p99LimitMs: P99_LIMIT_MS,
        atTargetRate: rate
          ? { ok2xxPerS: rate.ok2xxPerS, p99Ms: rate.latencyMs.p99, non2xx: rate.non2xx, errors: rate.errors }
          : null,
        // Not part of the verdict (the issue asks for autocannon's overallRate): the same rate with
        // evenly spaced arrivals, to show how much of p99 comes from per-second bursts.
        atTargetRateEvenlyPaced: paced
          ? {
              ok2xxPerS: paced.ok2xxPerS,
              p99Ms: paced.latencyMs.p99,
              non2xx: paced.non2xx,
              errors: paced.errors,
              withinLimits:
                paced.ok2xxPerS >= target * RATE_TOLERANCE &&
                paced.latencyMs.p99 < P99_LIMIT_MS &&
                paced.non2xx === 0 &&
                paced.errors === 0,
            }
          : null,
        bestClosedLoopRps: best,
        met: reasons.length === 0,
        reasons,
        ratios,
      };
    });
}

/** @param {number} ms */
function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** @param {LoadResult} r */
function describeRun(r) {
  const bad =
    r.non2xx > 0 || r.errors > 0 ? ` — ${r.non2xx} NON-2xx, ${r.errors} errors ${JSON.stringify(r.statusCodes)}` : '';
  const cpu = `cpu: server ${r.cpu.serverCores} (${Math.round((r.cpu.serverKernelShare ?? 0) * 100)}% kernel), load generator ${r.cpu.loadGeneratorCores}, postgres ${r.cpu.postgresCores}, other ${r.cpu.otherCores} cores${(r.cpu.otherCores ?? 0) > INTERFERENCE_CORES ? ' (INTERFERENCE)' : ''}`;
  return `${r.ok2xxPerS} 2xx/s (mean ${r.rpsMean}/s), p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, max ${r.latencyMs.max} ms, ${cpu}${bad}${r.poolExhausted ? ' — POOL EXHAUSTED (ended early)' : ''}`;
}

/**
 * The virtual node spec every Create (port 8080) and Update (port 9090) sends.
 * @param {string} name
 * @param {number} [port]
 */
function nodeSpec(name, port = 8080) {
  return {
    listeners: [{ portMapping: { port, protocol: 'http' } }],
    serviceDiscovery: { dns: { hostname: `${name}.local` } },
  };
}

/**
 * The plan of the benchmark's tenant: the enterprise plan's quotas and prices with an API rate
 * limit far above what one machine serves, so that the throughput measured is the API's and not
 * the plan's (enterprise allows 5,000 requests/s, which a Describe run can reach in bursts). An
 * api role without the operator's plan API (older checkouts measured by compare.mjs) gets
 * enterprise.
 * @param {{ port: number, adminToken: string }} server
 * @returns {Promise<string>}
 */
async function benchPlan(server) {
  const admin = (/** @type {string} */ method, /** @type {string} */ path, /** @type {unknown} */ body = undefined) =>
    fetch(`http://127.0.0.1:${server.port}${path}`, {
      method,
      headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const got = await admin('GET', '/admin/v1/plans/enterprise');
  if (got.status !== 200) return 'enterprise';
  const enterprise =
    /** @type {{ currency: string, quotas: Record<string, number>, prices: Record<string, { unitPrice: string, freeUnits: string }> }} */ (
      await got.json()
    );
  const name = 'bench-unlimited';
  const res = await admin('POST', '/admin/v1/plans', {
    name,
    currency: enterprise.currency,
    quotas: { ...enterprise.quotas, apiRequestsPerSecond: 1_000_000 },
    prices: Object.fromEntries(
      Object.entries(enterprise.prices).map(([meter, p]) => [
        meter,
        { unitPrice: p.unitPrice, freeUnits: p.freeUnits },
      ]),
    ),
  });
  if (res.status !== 201) throw new Error(`creating the benchmark's plan: HTTP ${res.status} ${await res.text()}`);
  return name;
}
