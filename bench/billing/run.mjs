// @ts-check
// `npm run bench:rollup`: what metering costs (src/billing/metering, ADR 0023).
//
//   1. rollup: one hour for --tenants tenants with --sessions sessions (spread over virtual nodes,
//      Envoys and proxyless clients; inside the hour, across its start, across its end, still
//      open), plus every tenant's API counts in Redis and resource samples. Times the rollup as
//      the worker runs it (the built UsageRollup from dist/, on its own PostgreSQL pool and Redis
//      connection), checks every bucket against the seconds computed here independently, runs it
//      again (idempotent: nothing written) and reports both. Target: < 5 s.
//   2. cpu: two xds shards side by side in one run, the same load on each — metering on
//      (METERING_ENABLED=true) and off — with --proxies simulated proxies each (bench/xds's load
//      generator: real gRPC ADS streams, http2 transport): CPU seconds of each shard while the
//      fleet connects, during --steady seconds of heartbeats, and through a reconnect storm (every
//      stream dropped and reconnected: a close and a start for each). Target: on − off < 2 % of off.
//
// Requires `npm run build` first. Prepares PostgreSQL and Redis as bench:xds does, with its own
// database (meshplane_bench_billing, recreated and migrated) and Redis database 12, or the one
// REDIS_URL names (flushed).
// Writes bench/results/billing-rollup.{md,json}. Exits 0 whether or not the targets are met.
//
// Options:
//   --tenants=1000 --sessions=100000   the rollup's data
//   --proxies=1000                     simulated proxies per shard (2 shards)
//   --nodes=50                         virtual nodes the proxies spread over
//   --steady=60                        seconds of steady state measured (4 heartbeats at the defaults)
//   --only=rollup|cpu                  one part only
//   --out=PATH                         results path without extension
//   --report-only=X.json               only render X.md again from a result's JSON
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { logger, numberFlag, parseFlags, runBench } from '../lib/cli.mjs';
import { Loadgen, until } from '../xds/lib/loadgen.mjs';
import { busyCores, cpuSampler, machineInfo, pidsNamed, round, scrape } from '../xds/lib/measure.mjs';
import { appMesh, buildMesh, createTenant, issueProxies } from '../xds/lib/mesh.mjs';
import { commonEnv, freePorts, prepareServices, requireBuild, startRole } from '../xds/lib/stack.mjs';

const root = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const DATABASE = 'meshplane_bench_billing';
// REDIS_URL's database when it names one (a shared Redis: flush only our own), else 12.
const REDIS_DB = Number(/\/(\d+)$/.exec(process.env['REDIS_URL'] ?? '')?.[1] ?? 12);
const HOUR_MS = 3_600_000;
const TARGETS = { rollupS: 5, cpuOverheadPct: 2 };
const log = logger('bench:rollup');
const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));
const iso = (/** @type {number} */ ms) => new Date(ms).toISOString();

await runBench({ log, options: () => parseArgs(process.argv.slice(2)), main, report });

/** @param {string[]} argv */
function parseArgs(argv) {
  const flags = parseFlags(
    argv,
    ['tenants', 'sessions', 'proxies', 'nodes', 'steady', 'connect-rate', 'only', 'out'],
    'bench/billing/run.mjs',
  );
  const num = (/** @type {string} */ k, /** @type {number} */ d) => numberFlag(flags, k, d);
  return {
    tenants: num('tenants', 1000),
    sessions: num('sessions', 100_000),
    proxies: num('proxies', 1000),
    nodes: num('nodes', 50),
    steadyS: num('steady', 60),
    connectRate: num('connect-rate', 250),
    only: flags.get('only') ?? '',
    out: flags.get('out') ?? join(root, 'bench', 'results', 'billing-rollup'),
    command: ['npm run bench:rollup', ...(argv.length ? ['--', ...argv] : [])].join(' '),
  };
}

/** @param {ReturnType<typeof parseArgs>} o */
async function main(o) {
  requireBuild(root);
  const machine = { ...machineInfo(root), busyCoresBeforeStart: await busyCores() };
  const services = await prepareServices({ root, database: DATABASE, redisDb: REDIS_DB, log });
  const result = {
    machine,
    command: o.command,
    options: { ...o, out: relative(root, o.out) },
    targets: TARGETS,
    /** @type {any} */ rollup: undefined,
    /** @type {any} */ cpu: undefined,
  };
  if (o.only !== 'cpu') result.rollup = await rollupBench(o, services);
  // A run of one part keeps the other part's last result.
  else if (existsSync(`${o.out}.json`)) result.rollup = JSON.parse(readFileSync(`${o.out}.json`, 'utf8')).rollup;
  if (o.only !== 'rollup') result.cpu = await cpuBench(o, services);
  writeFileSync(`${o.out}.json`, `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(`${o.out}.md`, report(result));
  log(`wrote ${relative(root, o.out)}.{json,md}`);
}

// --- 1. the rollup --------------------------------------------------------------------------------

/** @param {ReturnType<typeof parseArgs>} o @param {{ databaseUrl: string, redisUrl: string }} services */
async function rollupBench(o, services) {
  const dist = (/** @type {string} */ p) => import(pathToFileURL(join(root, 'dist', p)).href);
  const { loadConfig } = await dist('config/load-config.js');
  const { PrismaService } = await dist('platform/prisma/prisma.service.js');
  const { RedisService } = await dist('platform/redis/redis.service.js');
  const { MetricsService } = await dist('platform/metrics/metrics.service.js');
  const { MeteringClock } = await dist('billing/metering/metering-clock.js');
  const { MeteringMetrics } = await dist('billing/metering/metering.metrics.js');
  const { ApiUsageStore } = await dist('billing/metering/api-usage-store.js');
  const { UsageRollupRepository } = await dist('billing/metering/usage-rollup.repository.js');
  const { UsageRollup } = await dist('billing/metering/usage-rollup.service.js');

  const config = loadConfig(commonEnv(services, { QUEUE_PREFIX: 'bench-billing' }), ['worker']);
  const prisma = new PrismaService(config);
  const redis = new RedisService(config);
  const clock = new MeteringClock();
  const repository = new UsageRollupRepository(prisma);
  const api = new ApiUsageStore(redis);
  const rollup = new UsageRollup(
    repository,
    api,
    clock,
    new MeteringMetrics(new MetricsService(), repository, clock),
    config,
  );

  // The hour: yesterday's 10:00 UTC; the rollup runs at 11:03, as the schedule would.
  const hour = Math.floor(Date.now() / (24 * HOUR_MS)) * 24 * HOUR_MS - 14 * HOUR_MS;
  const now = hour + HOUR_MS + 3 * 60_000;
  const seedStarted = Date.now();
  const tenants = Array.from({ length: o.tenants }, (_, i) => ({
    id: randomUUID(),
    accountId: String(100_000_000_000 + i),
  }));
  await prisma.$executeRaw`
    INSERT INTO tenants (id, account_id, name, plan, updated_at)
    SELECT t.id, t.account_id, 'bench-' || t.account_id, 'standard', now()
    FROM unnest(${tenants.map((t) => t.id)}::uuid[], ${tenants.map((t) => t.accountId)}::text[]) AS t(id, account_id)`;
  // One shard run, alive (heartbeat at `now`): its open sessions are metered to the hour's end.
  const run = randomUUID();
  await prisma.$executeRaw`INSERT INTO metering_shard_runs (id, shard, started_at, last_seen_at)
    VALUES (${run}::uuid, 'bench', ${iso(hour - HOUR_MS)}::timestamptz, ${iso(now)}::timestamptz)`;
  /** Expected seconds per bucket, computed here from the same intervals. */
  /** @type {Map<string, number>} */
  const expectedMs = new Map();
  /** @type {{ id: string[], tenant: string[], meter: string[], dimension: string[], connected: string[], closed: (string | null)[], created: string[], changed: string[] }} */
  const rows = { id: [], tenant: [], meter: [], dimension: [], connected: [], closed: [], created: [], changed: [] };
  const perTenant = Math.ceil(o.sessions / o.tenants);
  for (let i = 0; i < o.sessions; i++) {
    const t = /** @type {{ id: string, accountId: string }} */ (tenants[Math.floor(i / perTenant)]);
    const meter = i % 10 === 9 ? 'grpc_client_seconds' : 'proxy_seconds';
    const dimension = `arn:aws:appmesh:us-east-1:${t.accountId}:mesh/shop/virtualNode/n${i % 5}`;
    // Deterministic shapes: inside the hour, across its start, across its end, still open.
    const shape = i % 4;
    const offset = (i * 7919) % HOUR_MS;
    const length = 1 + ((i * 104_729) % (40 * 60_000));
    const connected = shape === 1 ? hour - length / 2 : hour + offset;
    const closed = shape === 3 ? null : shape === 2 ? hour + HOUR_MS + 1 + (i % 600_000) : connected + length;
    const from = Math.max(connected, hour);
    const to = Math.min(closed ?? hour + HOUR_MS, hour + HOUR_MS);
    if (to > from) {
      const key = `${t.id} ${meter} ${dimension}`;
      expectedMs.set(key, (expectedMs.get(key) ?? 0) + (to - from));
    }
    rows.id.push(randomUUID());
    rows.tenant.push(t.id);
    rows.meter.push(meter);
    rows.dimension.push(dimension);
    rows.connected.push(new Date(connected).toISOString());
    rows.closed.push(closed === null ? null : new Date(closed).toISOString());
    // Written as a shard writes them: a second after the connect, again a second after the close.
    rows.created.push(iso(connected + 1000));
    rows.changed.push(iso(closed === null || closed + 1000 > now ? connected + 1000 : closed + 1000));
  }
  for (let i = 0; i < o.sessions; i += 10_000) {
    const s = (/** @type {unknown[]} */ a) => a.slice(i, i + 10_000);
    await prisma.$executeRaw`
      INSERT INTO metered_sessions (id, tenant_id, shard_run_id, meter, dimension, connected_at, closed_at, created_at, changed_at)
      SELECT id, tenant_id, ${run}::uuid, meter, dimension, connected_at, closed_at, created_at, changed_at
      FROM unnest(${s(rows.id)}::uuid[], ${s(rows.tenant)}::uuid[], ${s(rows.meter)}::text[], ${s(rows.dimension)}::text[],
                  ${s(rows.connected)}::timestamptz[], ${s(rows.closed)}::timestamptz[],
                  ${s(rows.created)}::timestamptz[], ${s(rows.changed)}::timestamptz[])
           AS x(id, tenant_id, meter, dimension, connected_at, closed_at, created_at, changed_at)`;
  }
  await prisma.$executeRaw`
    INSERT INTO metering_resource_samples (tenant_id, hour, kind, count)
    SELECT t.id, ${iso(hour)}::timestamptz, k.kind, k.n FROM tenants t
    CROSS JOIN (VALUES ('mesh', 2), ('virtualNode', 5), ('route', 12)) AS k(kind, n)
    WHERE t.name LIKE 'bench-%'`;
  await api.add(
    new Map([
      [
        hour,
        new Map(
          tenants.flatMap((t, i) => [
            [`${t.id}:read`, 100 + i],
            [`${t.id}:write`, 1 + (i % 7)],
          ]),
        ),
      ],
    ]),
  );
  // The previous run, at 10:03, rolled up 09:00 and looked at every change until then.
  await repository.advanceCursor('rollup', hour);
  await prisma.$executeRaw`INSERT INTO metering_cursors (name, at) VALUES ('corrections', ${iso(hour + 2 * 60_000)}::timestamptz)`;
  await prisma.$executeRaw`
    INSERT INTO metering_rolled_hours (hour, started_at)
    SELECT h, h + interval '63 minutes'
    FROM generate_series(${iso(hour - 72 * HOUR_MS)}::timestamptz, ${iso(hour - HOUR_MS)}::timestamptz, interval '1 hour') AS h`;
  await prisma.$executeRaw`ANALYZE metered_sessions`;
  log(`seeded ${o.tenants} tenants, ${o.sessions} sessions in ${round((Date.now() - seedStarted) / 1000)} s`);

  await prisma.$queryRaw`SELECT 1`; // a worker's pool is connected before its job runs
  const timed = async () => {
    const t0 = performance.now();
    const outcome = await rollup.run({ now });
    return { seconds: round((performance.now() - t0) / 1000, 2), outcome };
  };
  const first = await timed();
  log(`rollup: ${first.outcome.buckets} buckets in ${first.seconds} s`);
  const second = await timed();
  log(`rollup again: ${second.outcome.buckets} buckets in ${second.seconds} s`);

  // Every session bucket equals the seconds computed here, rounded per bucket.
  const stored = await prisma.usageHour.findMany({
    where: { hour: new Date(hour), meter: { in: ['proxy_seconds', 'grpc_client_seconds'] } },
  });
  const mismatches = stored.filter(
    (/** @type {any} */ b) =>
      Number(b.quantity) !== Math.round((expectedMs.get(`${b.tenantId} ${b.meter} ${b.dimension}`) ?? NaN) / 1000),
  ).length;
  const all = await prisma.usageHour.count({ where: { hour: new Date(hour) } });

  // What metering costs a shard, in the shard's own process: its write of 1,000 starts, then of
  // their 1,000 ends (the built SessionLedgerRepository), CPU time measured around it.
  const { SessionLedgerRepository } = await dist('billing/metering/session-ledger.repository.js');
  const ledger = new SessionLedgerRepository(prisma, config);
  const shardRun = { id: randomUUID(), shard: 'bench-ledger', startedAt: Date.now() };
  /** @type {number[]} */
  const ledgerCpuMs = [];
  for (let round_ = 0; round_ < 6; round_++) {
    const starts = Array.from({ length: 1000 }, (_, i) => ({
      id: randomUUID(),
      tenantId: /** @type {{ id: string }} */ (tenants[i % tenants.length]).id,
      meter: 'proxy_seconds',
      meshName: 'shop',
      kind: 'virtualNode',
      name: `n${i % 5}`,
      connectedAt: Date.now(),
    }));
    const before = process.cpuUsage();
    await ledger.writeAcrossAllTenants(shardRun, starts, new Map(), Date.now());
    await ledger.writeAcrossAllTenants(shardRun, [], new Map(starts.map((x) => [x.id, Date.now()])), Date.now());
    const used = process.cpuUsage(before);
    if (round_ > 0) ledgerCpuMs.push((used.user + used.system) / 1000); // the first warms up
  }
  ledgerCpuMs.sort((a, b) => a - b);
  await prisma.$disconnect();
  await redis.client.quit();
  return {
    hour: new Date(hour).toISOString(),
    tenants: o.tenants,
    sessions: o.sessions,
    firstRunS: first.seconds,
    secondRunS: second.seconds,
    bucketsWritten: first.outcome.buckets,
    bucketsWrittenAgain: second.outcome.buckets,
    bucketsStored: all,
    sessionBuckets: { stored: stored.length, expected: expectedMs.size, mismatches },
    ledgerCpuMsPer1000Sessions: round(ledgerCpuMs[Math.floor(ledgerCpuMs.length / 2)] ?? NaN, 1),
  };
}

// --- 2. metering on vs off, side by side ----------------------------------------------------------

/** @param {ReturnType<typeof parseArgs>} o @param {{ databaseUrl: string, redisUrl: string }} services */
async function cpuBench(o, services) {
  const [apiPort, workerHttp, onPort, onHttp, offPort, offHttp] =
    /** @type {[number, number, number, number, number, number]} */ (await freePorts(6));
  const env = commonEnv(services, { QUEUE_PREFIX: 'bench-billing' });
  const api = await startRole({ root, role: 'api', env: { ...env, PORT: String(apiPort) }, httpPort: apiPort, log });
  await startRole({
    root,
    role: 'worker',
    env: { ...env, WORKER_HTTP_PORT: String(workerHttp) },
    httpPort: workerHttp,
    log,
  });
  const shard = (/** @type {boolean} */ metering, /** @type {number} */ port, /** @type {number} */ http) =>
    startRole({
      root,
      role: 'xds',
      env: {
        ...env,
        XDS_PORT: String(port),
        XDS_HTTP_PORT: String(http),
        XDS_SHARD_ID: metering ? 'metering-on' : 'metering-off',
        METERING_ENABLED: String(metering),
      },
      httpPort: http,
      log,
    });
  const on = await shard(true, onPort, onHttp);
  const off = await shard(false, offPort, offHttp);

  const tenant = await createTenant({ port: apiPort, adminToken: env.MESH_ADMIN_TOKEN, name: 'bench-billing' });
  const nodes = Array.from({ length: o.nodes }, (_, i) => `n${i}`);
  await buildMesh(appMesh(apiPort, tenant), {
    meshName: 'bench',
    services: [{ name: 'shared.bench.local', router: 'shared', route: 0, targets: { n0: 1 } }],
    nodes: nodes.map((name) => ({ name, backends: ['shared.bench.local'] })),
    log,
  });
  const perNode = Math.ceil((2 * o.proxies) / o.nodes);
  const clients = await issueProxies({ port: apiPort, tenant, meshName: 'bench', nodes, perNode, log });
  const onClients = clients.filter((_, i) => i % 2 === 0).slice(0, o.proxies);
  const offClients = clients.filter((_, i) => i % 2 === 1).slice(0, o.proxies);
  const loadOn = new Loadgen({ processes: 1, log });
  const loadOff = new Loadgen({ processes: 1, log });
  const cpu = cpuSampler({
    on: () => [on.pid],
    off: () => [off.pid],
    postgres: () => pidsNamed('postgres'),
    redis: () => pidsNamed('redis-server'),
  });
  /** @type {Record<string, any>} */
  const phases = {};
  const allReady = async () =>
    (await loadOn.ready()) >= onClients.length && (await loadOff.ready()) >= offClients.length;

  /** Streams each generator has started so far, and per phase (read at each phase's end). */
  const started = async (/** @type {Loadgen} */ l) => (await l.stats()).reduce((n, x) => n + x.streamsStarted, 0);
  let streamsBefore = { on: 0, off: 0 };
  const streamsOf = async () => {
    const now = { on: await started(loadOn), off: await started(loadOff) };
    const delta = { on: now.on - streamsBefore.on, off: now.off - streamsBefore.off };
    streamsBefore = now;
    return delta;
  };
  cpu.since();
  await Promise.all([
    loadOn.start({ port: onPort, protocol: 'delta', transport: 'http2', clients: onClients, ratePerS: o.connectRate }),
    loadOff.start({
      port: offPort,
      protocol: 'delta',
      transport: 'http2',
      clients: offClients,
      ratePerS: o.connectRate,
    }),
  ]);
  if (!(await until(allReady, 180_000, 250))) throw new Error('the fleets did not connect within 180 s');
  phases.connect = { ...cpu.since(), streams: await streamsOf() };
  log(`connected: on ${phases.connect.onCpuS} CPU s, off ${phases.connect.offCpuS} CPU s`);

  await sleep(o.steadyS * 1000);
  phases.steady = { ...cpu.since(), streams: await streamsOf() };
  log(`steady ${o.steadyS} s: on ${phases.steady.onCpuS} CPU s, off ${phases.steady.offCpuS} CPU s`);

  await Promise.all([loadOn.drop(), loadOff.drop()]);
  const reconnected = await until(allReady, 180_000, 250);
  if (!reconnected) {
    // Measured anyway (the phase lasted 180 s on both shards); the report says who was not back.
    log(`not all reconnected within 180 s: on ${await loadOn.ready()}, off ${await loadOff.ready()}`);
    for (const p of [on, off]) log(`${p.role} ${p.pid} output:\n${p.output().split('\n').slice(-15).join('\n')}`);
  }
  await sleep(2_000); // the last ends and starts flushed
  phases.storm = {
    ...cpu.since(),
    streams: await streamsOf(),
    ready: { on: await loadOn.ready(), off: await loadOff.ready() },
  };
  log(`storm: on ${phases.storm.onCpuS} CPU s, off ${phases.storm.offCpuS} CPU s`);

  // What each shard refused, by reason, and what each generator saw.
  const reasons = async (/** @type {number} */ port) => {
    const samples = await scrape(port);
    /** @type {Record<string, number>} */
    const out = {};
    for (const x of samples)
      if (x.name === 'meshplane_xds_streams_rejected_total') out[x.labels['reason'] ?? ''] = x.value;
    return out;
  };
  const fleets = {
    on: { shard: await reasons(onHttp), generator: (await loadOn.stats()).map((x) => x.errors) },
    off: { shard: await reasons(offHttp), generator: (await loadOff.stats()).map((x) => x.errors) },
  };
  const { default: pg } = await import('pg');
  const db = new pg.Client({ connectionString: services.databaseUrl });
  await db.connect();
  const metered = (
    await db.query(
      `SELECT count(*)::int AS n, count(closed_at)::int AS closed FROM metered_sessions
       WHERE shard_run_id IN (SELECT id FROM metering_shard_runs WHERE shard = 'metering-on')`,
    )
  ).rows[0];
  await db.end();
  await Promise.all([loadOn.stop(), loadOff.stop()]);
  for (const p of [on, off, api]) await p.stop();

  const total = (/** @type {'on' | 'off'} */ k) =>
    round(
      Object.values(phases).reduce((s, p) => s + p[`${k}CpuS`], 0),
      2,
    );
  const overhead = (/** @type {number} */ a, /** @type {number} */ b) => round(((a - b) / b) * 100, 1);
  const streams = (/** @type {'on' | 'off'} */ k) => Object.values(phases).reduce((s, p) => s + p.streams[k], 0);
  // CPU per stream started: the fair comparison when the two fleets churned differently.
  const perStream = (/** @type {'on' | 'off'} */ k) => total(k) / Math.max(1, streams(k));
  return {
    proxiesPerShard: o.proxies,
    nodes: o.nodes,
    steadyS: o.steadyS,
    phases,
    totalCpuS: { on: total('on'), off: total('off') },
    overheadPct: {
      connect: overhead(phases.connect.onCpuS, phases.connect.offCpuS),
      steady: overhead(phases.steady.onCpuS, phases.steady.offCpuS),
      storm: overhead(phases.storm.onCpuS, phases.storm.offCpuS),
      total: overhead(total('on'), total('off')),
      totalPerStreamStarted: overhead(perStream('on'), perStream('off')),
    },
    cpuMsPerStreamStarted: { on: round(perStream('on') * 1000, 2), off: round(perStream('off') * 1000, 2) },
    meteredSessions: metered,
    fleets,
  };
}

// --- report ---------------------------------------------------------------------------------------

/** @param {any} r */
function report(r) {
  const m = r.machine;
  const lines = [
    '# Metering: rollup and CPU cost',
    '',
    `Measured ${m.date} at commit \`${m.commit}\`${m.dirty ? ' (with uncommitted changes in src/)' : ''} on ${m.cpuModel}, ${m.cores} cores, ${m.memoryGb} GB, Node ${m.node}, Linux ${m.kernel}; ${m.busyCoresBeforeStart} cores busy with other work before the start (a shared machine).`,
    '',
    `Command: \`${r.command}\` (after \`npm run build\`).`,
    '',
  ];
  if (r.rollup) {
    const x = r.rollup;
    lines.push(
      '## Rolling up one hour',
      '',
      `${x.tenants} tenants, ${x.sessions} sessions in PostgreSQL (a quarter each inside the hour, across its start, across its end, still open on a live shard run; 10 % proxyless, 5 virtual nodes per tenant), API counts of every tenant in Redis, 3 resource kinds sampled per tenant. The built \`UsageRollup\` runs as the worker's job does, at 11:03 for the 10:00 hour (dead-run check, the hour's buckets in transactions of 250 tenants, the corrections pass, pruning).`,
      '',
      '| run | seconds | buckets written | target |',
      '| --- | ---: | ---: | --- |',
      `| first | **${x.firstRunS}** | ${x.bucketsWritten} | < ${r.targets.rollupS} s: ${x.firstRunS < r.targets.rollupS ? 'met' : 'NOT met'} |`,
      `| again (idempotent) | ${x.secondRunS} | ${x.bucketsWrittenAgain} | nothing written |`,
      '',
      `Exactness: ${x.sessionBuckets.stored} session buckets stored, ${x.sessionBuckets.expected} expected from the same intervals computed by the benchmark, **${x.sessionBuckets.mismatches} mismatches**; ${x.bucketsStored} buckets in the hour in all.`,
      '',
      `What a shard spends on metering, measured in-process: writing 1,000 session starts and then their 1,000 ends (the built \`SessionLedgerRepository\`, two flushes) costs **${x.ledgerCpuMsPer1000Sessions} ms of CPU** (median of 5), i.e. ${round(x.ledgerCpuMsPer1000Sessions / 1000, 3)} ms per session over its whole life, plus one heartbeat statement per 15 s.`,
      '',
    );
  }
  if (r.cpu) {
    const c = r.cpu;
    const met = (/** @type {number} */ pct) => (pct < r.targets.cpuOverheadPct ? 'met' : 'NOT met');
    const row = (/** @type {string} */ name, /** @type {any} */ p, /** @type {number} */ pct) =>
      `| ${name} | ${p.wallS} | ${p.onCpuS} | ${p.offCpuS} | ${pct} % | ${p.streams.on} / ${p.streams.off} | ${p.postgresCpuS} |`;
    lines.push(
      '## Metering on vs off, side by side',
      '',
      `Two xds shards of the same build in one run (\`METERING_ENABLED=true\` and \`false\`), each with ${c.proxiesPerShard} simulated proxies (bench/xds's load generator, Delta, real gRPC streams over HTTP/2, ${c.nodes} virtual nodes, ${r.options.connectRate} new connections/s per fleet), with api, worker, PostgreSQL, Redis and the load generators on the same machine. Not the 10,000-proxy fleet of bench:xds: two shards of 10,000 plus their load generators do not fit on this shared 2-core machine; metering's cost is per session start and end and one heartbeat row per shard every 15 s, so the ratio does not depend on the fleet's size. CPU seconds of each shard process (from /proc):`,
      '',
      '| phase | wall s | on CPU s | off CPU s | on − off | streams started (on / off) | PostgreSQL CPU s (both) |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
      row('connect', c.phases.connect, c.overheadPct.connect),
      row(`steady (${c.steadyS} s)`, c.phases.steady, c.overheadPct.steady),
      row('reconnect storm', c.phases.storm, c.overheadPct.storm),
      `| **total** | | **${c.totalCpuS.on}** | **${c.totalCpuS.off}** | **${c.overheadPct.total} %** | | |`,
      `| **per stream started** | | ${c.cpuMsPerStreamStarted.on} ms | ${c.cpuMsPerStreamStarted.off} ms | **${c.overheadPct.totalPerStreamStarted} %** | | |`,
      '',
      `Target: metering adds < ${r.targets.cpuOverheadPct} % CPU — ${met(c.overheadPct.total)} in raw CPU over the whole run, ${met(c.overheadPct.totalPerStreamStarted)} per stream started. On a machine this busy a stream that gets no answer within the 5 s connect timeout is started again (as Envoy would), so the two fleets do not churn alike: the CPU per stream started is the fair comparison. Sessions recorded by the metering shard: ${c.meteredSessions.n} (${c.meteredSessions.closed} closed), every stream it admitted. Two processes of the same code differ by several percent from run to run on a shared machine; read a small difference either way as noise.`,
      '',
    );
    if (r.rollup?.ledgerCpuMsPer1000Sessions !== undefined)
      lines.push(
        `A steadier measure of the same ratio: the ledger's ${round(r.rollup.ledgerCpuMsPer1000Sessions / 1000, 3)} ms of CPU per session (its start and its end, measured in-process above) against the ${c.cpuMsPerStreamStarted.off} ms the shard without metering spent per stream started here: **${round((r.rollup.ledgerCpuMsPer1000Sessions / 1000 / c.cpuMsPerStreamStarted.off) * 100, 1)} %**, before counting the shard's steady-state work (pushes, ACKs, heartbeats), which metering does not add to.`,
        '',
      );
  }
  // Observations added to a result's JSON by hand (`notes`), e.g. about other runs on the same day.
  for (const note of r.notes ?? []) lines.push(note, '');
  return lines.join('\n');
}
