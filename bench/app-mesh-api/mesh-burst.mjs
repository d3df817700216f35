// @ts-check
// `node bench/app-mesh-api/mesh-burst.mjs`: how many writes per second ONE mesh commits when N
// UpdateRoute calls arrive at once (the burst phase of `npm run bench:propagation`, without the
// worker, the shards and the proxies). Writes inside a mesh are ordered by the mesh row's lock
// (docs/adr/0008-mesh-write-locking.md), so this measures how long each write holds it.
//
// Runs the api role alone (`node dist/main.api.js`, built beforehand: it builds nothing) on its own
// database (meshplane_bench_mesh_burst, recreated and migrated) and Redis database 13 (flushed),
// builds a mesh of N routed services through the real AWS SDK (router r-k, route main → node t-k,
// virtual service svc-k), then sends --rounds bursts: each updates every route once, all N requests
// sent within --window ms (open loop). For each burst it reports commits/s (successful answers
// divided by the time from the first request sent to the last answer), the API's answer latency,
// the CPU of the api process and of this load generator (the SDK signs every request), and checks
// the change log: one `mesh_changes` row per update, generations strictly increasing in commit
// order and gap-free, and the mesh's generation equal to the last; it also reports the span of the
// rows' `committed_at` stamps (the database-side commit window, meaningful since ADR 0008).
// Prints a summary; writes nothing unless --out is given. Exits 0 whether or not it is fast.
//
// Options:
//   --n=500          updates per burst (= services in the mesh)
//   --window=0       milliseconds over which a burst's requests are sent (0: all at once)
//   --rounds=3       bursts, one after the other (a pause of 2 s between them)
//   --pool=N         DATABASE_POOL_SIZE of the api role (default: the role's default)
//   --root=PATH      run the api of another checkout, built (e.g. a `git archive` of an older
//                    commit with node_modules linked), to compare before/after on one machine
//   --cpu-prof       run the api under `node --cpu-prof` (profiles in bench/.profiles/; summarise
//                    with bench/app-mesh-api/profile-summary.mjs)
//   --out=PATH       also write the result as JSON to PATH
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { logger, numberFlag, parseFlags, runBench } from '../lib/cli.mjs';
import { busyCores, cpuSecondsOf, machineInfo, percentiles, round } from '../xds/lib/measure.mjs';
import { appMesh, buildMesh, createTenant, pool, updateRoute } from '../xds/lib/mesh.mjs';
import { commonEnv, freePorts, prepareServices, requireBuild, startRole } from '../xds/lib/stack.mjs';

const here = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const DATABASE = 'meshplane_bench_mesh_burst';
// A Redis database number no other script uses (npm start 0, tests 1, bench:api 2, bench:xds 11,
// bench:propagation 12, bench:peers 13, bench:registry 14, mesh-burst 15): they can run side by side.
const REDIS_DB = 15;
const MESH = 'burst';

const log = logger('bench:mesh-burst');
const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));

await runBench({ log, options: () => parseArgs(process.argv.slice(2)), main });

/** @param {string[]} argv */
function parseArgs(argv) {
  const given = parseFlags(
    argv,
    ['n', 'window', 'rounds', 'pool', 'root', 'cpu-prof', 'out'],
    'bench/app-mesh-api/mesh-burst.mjs',
  );
  const num = (/** @type {string} */ name, /** @type {number} */ fallback) => numberFlag(given, name, fallback);
  return {
    n: Math.max(1, Math.floor(num('n', 500))),
    windowMs: num('window', 0),
    rounds: Math.max(1, Math.floor(num('rounds', 3))),
    pool: given.has('pool') ? String(Math.floor(num('pool', 10))) : undefined,
    root: resolve(given.get('root') ?? here),
    profile: given.has('cpu-prof'),
    out: given.get('out'),
  };
}

/** @param {ReturnType<typeof parseArgs>} o */
async function main(o) {
  requireBuild(o.root);
  const machine = { ...machineInfo(o.root), busyCoresBeforeStart: await busyCores() };
  if (machine.busyCoresBeforeStart > 0.3)
    log(
      `WARNING: other processes keep ${machine.busyCoresBeforeStart} cores busy; numbers will be worse than on a quiet machine`,
    );
  const services = await prepareServices({ root: here, database: DATABASE, redisDb: REDIS_DB, log });
  const [apiPort] = /** @type {[number]} */ (await freePorts(1));
  const env = commonEnv(services, {
    QUEUE_PREFIX: 'bench-mesh-burst',
    PORT: String(apiPort),
    ...(o.pool === undefined ? {} : { DATABASE_POOL_SIZE: o.pool }),
  });
  const profileDir = join(here, 'bench', '.profiles');
  if (o.profile) mkdirSync(profileDir, { recursive: true });
  const nodeArgs = o.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const api = await startRole({ root: o.root, role: 'api', env, httpPort: apiPort, nodeArgs, log });
  const db = new pg.Client({ connectionString: services.databaseUrl });
  await db.connect();
  try {
    const tenant = await createTenant({ port: apiPort, adminToken: env.MESH_ADMIN_TOKEN, name: 'bench-mesh-burst' });
    const sdk = appMesh(apiPort, tenant);
    const svc = Array.from({ length: o.n }, (_, k) => ({
      name: `svc-${k}.burst.local`,
      router: `r-${k}`,
      route: k,
      targets: { [`t-${k}`]: 1 },
    }));
    await buildMesh(sdk, {
      meshName: MESH,
      services: svc,
      nodes: svc.map((_, k) => ({ name: `t-${k}`, backends: [] })),
      concurrency: 16,
      log,
    });
    const meshId = /** @type {string} */ (
      (await db.query('SELECT id FROM meshes WHERE name = $1', [MESH])).rows[0]?.id
    );

    const rounds = [];
    let seq = 0;
    for (let r = 0; r < o.rounds; r++) {
      await sleep(2000);
      const lastId = BigInt((await db.query('SELECT coalesce(max(id), 0) AS id FROM mesh_changes')).rows[0].id);
      const cpu0 = cpuSecondsOf(api.pid);
      const load0 = process.cpuUsage();
      /** @type {{ sent: number, answered: number, error?: string }[]} */
      const updates = [];
      const t0 = Date.now();
      // Open loop: every request is sent when it is due, whether or not earlier ones were answered.
      await pool(svc, o.n, async (s, i) => {
        const due = t0 + (i * o.windowMs) / o.n;
        const wait = due - Date.now();
        if (wait > 0) await sleep(wait);
        const u = { sent: Date.now(), answered: NaN, error: /** @type {string | undefined} */ (undefined) };
        updates.push(u);
        try {
          u.answered = await updateRoute(sdk, MESH, s, ++seq);
        } catch (err) {
          u.error = String(err);
          u.answered = Date.now();
        }
      });
      const cpuS = cpuSecondsOf(api.pid) - cpu0;
      const load = process.cpuUsage(load0);
      const ok = updates.filter((u) => !u.error);
      const first = Math.min(...updates.map((u) => u.sent));
      const last = Math.max(...ok.map((u) => u.answered));
      const spanMs = last - first;
      const log_ = await checkChangeLog(db, meshId, lastId);
      const result = {
        round: r + 1,
        updates: updates.length,
        failed: updates.length - ok.length,
        firstError: updates.find((u) => u.error)?.error,
        sentOverMs: Math.max(...updates.map((u) => u.sent)) - first,
        spanMs,
        commitsPerS: round((ok.length * 1000) / spanMs, 1),
        answerMs: percentiles(ok.map((u) => u.answered - u.sent)),
        apiCpuS: round(cpuS, 2),
        loadgenCpuS: round((load.user + load.system) / 1e6, 2),
        changeLog: log_,
      };
      rounds.push(result);
      log(
        `round ${r + 1}: ${ok.length}/${updates.length} ok in ${spanMs} ms → ${result.commitsPerS} commits/s; answer p50 ${result.answerMs.p50} ms, p99 ${result.answerMs.p99} ms; CPU s: api ${result.apiCpuS}, load generator ${result.loadgenCpuS}; change log ${log_.ok ? `ok, stamped over ${log_.stampedOverMs} ms` : `NOT ok: ${log_.problem}`}`,
      );
    }
    const rates = rounds.map((x) => x.commitsPerS).sort((a, b) => a - b);
    const summary = {
      bench: 'mesh-burst',
      machine,
      apiRoot: o.root,
      options: { n: o.n, windowMs: o.windowMs, rounds: o.rounds, pool: o.pool ?? 'default' },
      medianCommitsPerS: rates[Math.floor(rates.length / 2)],
      rounds,
    };
    process.stdout.write(
      `mesh-burst n=${o.n} window=${o.windowMs}ms: commits/s per round ${rounds.map((x) => x.commitsPerS).join(', ')} (median ${summary.medianCommitsPerS}); ` +
        `answer p99 ${rounds.map((x) => x.answerMs.p99).join(', ')} ms; failed ${rounds.map((x) => x.failed).join(', ')}; ` +
        `change log ${rounds.every((x) => x.changeLog.ok) ? 'consistent' : 'INCONSISTENT'}\n`,
    );
    if (o.out) writeFileSync(o.out, `${JSON.stringify(summary, null, 2)}\n`);
  } finally {
    await db.end();
    await api.stop();
  }
}

/**
 * The burst's change-log rows (those after id `afterId`): one per update, generations strictly
 * increasing with the row id (commit order, as each row is written under the mesh lock) and without
 * gaps, the last equal to the mesh's generation.
 * @param {pg.Client} db @param {string} meshId @param {bigint} afterId
 */
async function checkChangeLog(db, meshId, afterId) {
  const rows = (
    await db.query('SELECT id, generation, committed_at FROM mesh_changes WHERE mesh_id = $1 AND id > $2 ORDER BY id', [
      meshId,
      afterId.toString(),
    ])
  ).rows;
  const stamps = rows.map((x) => /** @type {Date} */ (x.committed_at).getTime());
  const generations = rows.map((x) => BigInt(x.generation));
  const mesh = BigInt((await db.query('SELECT generation FROM meshes WHERE id = $1', [meshId])).rows[0].generation);
  let problem = '';
  for (let i = 1; i < generations.length && !problem; i++) {
    const [a, b] = [/** @type {bigint} */ (generations[i - 1]), /** @type {bigint} */ (generations[i])];
    if (b !== a + 1n) problem = `generation ${b} follows ${a}`;
  }
  const last = generations[generations.length - 1];
  if (!problem && last !== undefined && last !== mesh) problem = `last change at generation ${last}, mesh at ${mesh}`;
  // committed_at: the clock when the row was written under the mesh lock (ADR 0008); before
  // ADR 0008 it was the transaction's start, so this span says little for older builds.
  const stampedOverMs = stamps.length ? Math.max(...stamps) - Math.min(...stamps) : 0;
  return { rows: rows.length, ok: problem === '', stampedOverMs, ...(problem ? { problem } : {}) };
}
