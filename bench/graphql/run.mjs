// @ts-check
// `npm run bench:graphql`: latency of the GraphQL API's two heaviest reads on a 500-node mesh —
// `Mesh.topology` and a page of 100 virtual nodes with their specs — and the SQL statements each
// issues, next to the App Mesh REST calls a client needs for the same data (AWS SDK style:
// ListVirtualNodes + DescribeVirtualNode each, and so on, SigV4-signed). Prepares like
// `npm test` (dependencies, PostgreSQL/Redis, a fresh `meshplane_bench_graphql` database, build,
// migrations), runs the api role in this process (so statements are counted at the `pg` driver,
// as test/integration/graphql-batching.test.ts counts them), builds the mesh through the App Mesh
// API, and writes bench/results/graphql.{json,md}. A benchmark, not a test: it exits 0 whether or
// not the targets are met, non-zero only when it could not measure.
//
// Options (all optional):
//   --runs=200        measured requests per GraphQL query (sequential, after --warmup)
//   --warmup=30       unmeasured requests first
//   --rest-runs=3     measured passes of the REST equivalents
//   --nodes=500       virtual nodes in the mesh (a multiple of 10)
//   --out=PATH        results path without extension (default bench/results/graphql)
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ensureDependencies } from '../../scripts/lib/deps.mjs';
import { intFlag, parseFlags, runBench } from '../lib/cli.mjs';
import { describeMachine, postgresVersion } from '../lib/machine.mjs';
import { recreateDatabase } from '../../scripts/lib/database.mjs';
import { buildMesh, restPass } from './rest.mjs';
import { QUERIES } from './queries.mjs';

const root = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const BENCH_DB = 'meshplane_bench_graphql';
/** The issue's targets, p95 in ms. */
const TARGETS = /** @type {const} */ ({ topology: 150, page: 30 });

/** @param {string} msg */
const log = (msg) => process.stderr.write(`[bench] ${msg}\n`);

await runBench({ log, options: () => parseArgs(process.argv.slice(2)), main });

/** @param {string[]} argv */
function parseArgs(argv) {
  const given = parseFlags(argv, ['runs', 'warmup', 'rest-runs', 'nodes', 'out'], 'bench/graphql/run.mjs');
  const nodes = intFlag(given, 'nodes', 500, 1);
  if (nodes % 10 !== 0) throw new Error('--nodes must be a multiple of 10');
  return {
    runs: intFlag(given, 'runs', 200, 1),
    warmup: intFlag(given, 'warmup', 30, 1),
    restRuns: intFlag(given, 'rest-runs', 3, 1),
    nodes,
    out: given.get('out') ?? join(root, 'bench', 'results', 'graphql'),
  };
}

/** @param {ReturnType<typeof parseArgs>} options */
async function main(options) {
  await ensureDependencies(root, log);
  const { ensureServices } = await import('../../scripts/lib/services.mjs');
  const { applyMigrations } = await import('../../scripts/lib/migrations.mjs');
  const { build } = await import('../../scripts/lib/build.mjs');
  const { RequestSigner } = await import('../app-mesh-api/signing.mjs');
  const { default: pg } = await import('pg');

  const services = await ensureServices({ root, databases: [BENCH_DB], log });
  const databaseUrl = services.databaseUrls[BENCH_DB];
  if (!databaseUrl) throw new Error(`no URL for ${BENCH_DB}`);
  await recreateDatabase(databaseUrl);
  log('building...');
  await build(root);
  await applyMigrations(databaseUrl, { migrationsDir: join(root, 'prisma', 'migrations'), log });

  // The api role in this process: statements are counted at the driver both use.
  const counter = countStatements(pg);
  const adminToken = randomBytes(24).toString('base64url');
  const dist = (/** @type {string} */ path) => import(pathToFileURL(join(root, 'dist', path)).href);
  const { loadConfig } = await dist('config/load-config.js');
  const { AppModule } = await dist('app.module.js');
  const { createHttpApp } = await dist('platform/http/create-http-app.js');
  const config = loadConfig(
    {
      DATABASE_URL: databaseUrl,
      REDIS_URL: services.redisUrl,
      // Its own namespace in Redis: never sees another installation's keys.
      QUEUE_PREFIX: `bench-graphql-${randomBytes(4).toString('hex')}`,
      MESH_ADMIN_TOKEN: adminToken,
      MESH_MASTER_KEY: randomBytes(32).toString('base64'),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
    },
    ['api'],
  );
  const app = await createHttpApp(AppModule.forRoles(config), { ...config, port: 0 });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = /** @type {{ port: number }} */ (app.getHttpServer().address()).port;
  const base = `http://127.0.0.1:${port}`;
  log(`api role listening on ${base}`);

  try {
    const created = await fetch(`${base}/admin/v1/tenants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bench', plan: 'enterprise' }),
    });
    const tenant = /** @type {any} */ (await created.json());
    if (created.status !== 201)
      throw new Error(`creating the tenant: HTTP ${created.status} ${JSON.stringify(tenant)}`);
    const signer = new RequestSigner(tenant.accessKey, port);
    const token = tenant.apiToken.token;

    log(`building a mesh of ${options.nodes} virtual nodes through the App Mesh API...`);
    const started = performance.now();
    const shape = await buildMesh(signer, 'big', options.nodes);
    log(`built in ${Math.round((performance.now() - started) / 1000)} s: ${JSON.stringify(shape)}`);

    /** @param {string} query */
    const gql = async (query) => {
      const res = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables: { m: 'big' } }),
      });
      const body = /** @type {any} */ (await res.json());
      if (res.status !== 200 || body.errors)
        throw new Error(`GraphQL: HTTP ${res.status} ${JSON.stringify(body).slice(0, 500)}`);
      return body;
    };

    const graphql = [];
    for (const [name, query] of Object.entries(QUERIES)) {
      for (let i = 0; i < options.warmup; i++) await gql(query);
      const before = counter.count;
      const body = await gql(query);
      const statements = counter.count - before;
      const samples = [];
      const cpuBefore = process.cpuUsage();
      for (let i = 0; i < options.runs; i++) {
        const t = performance.now();
        await gql(query);
        samples.push(performance.now() - t);
      }
      const cpu = process.cpuUsage(cpuBefore);
      // CPU time of this process (server and client) per request: on a loaded machine, wall time
      // includes waiting for a core; this does not (PostgreSQL's and Redis' work is not in it).
      const cpuMsPerRequest = round((cpu.user + cpu.system) / 1000 / options.runs);
      const target = TARGETS[/** @type {keyof typeof TARGETS} */ (name)];
      const stats = percentiles(samples);
      graphql.push({
        name,
        query,
        statements,
        responseBytes: JSON.stringify(body).length,
        runs: options.runs,
        ms: stats,
        cpuMsPerRequest,
        targetP95Ms: target,
        met: stats.p95 < target,
      });
      log(
        `${name}: p50 ${stats.p50} ms, p95 ${stats.p95} ms (target < ${target}), ${cpuMsPerRequest} ms CPU per request, ${statements} SQL statements`,
      );
    }

    /** @type {{ name: string, calls: string, requests: number, statements: number, msPerPass: { min: number, median: number }, passes: number }[]} */
    const rest = [];
    for (const name of Object.keys(QUERIES)) {
      const passes = [];
      for (let i = 0; i < options.restRuns + 1; i++) {
        const before = counter.count;
        const t = performance.now();
        const pass = await restPass(signer, port, 'big', /** @type {'topology' | 'page'} */ (name));
        passes.push({ ms: performance.now() - t, statements: counter.count - before, requests: pass.requests });
      }
      passes.shift(); // the first pass warms up
      const ms = passes.map((p) => p.ms).sort((a, b) => a - b);
      const result = {
        name,
        calls: restCalls(/** @type {'topology' | 'page'} */ (name)),
        requests: passes[0]?.requests ?? 0,
        statements: passes[0]?.statements ?? 0,
        msPerPass: { min: round(ms[0] ?? 0), median: round(ms[Math.floor(ms.length / 2)] ?? 0) },
        passes: passes.length,
      };
      rest.push(result);
      log(
        `REST ${name}: ${result.requests} requests, ${result.statements} SQL statements, median ${result.msPerPass.median} ms per pass`,
      );
    }

    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    const machine = describeMachine(root, { postgres: await postgresVersion(db) });
    await db.end();
    const comparison = graphql.map((g) => {
      const r = rest.find((x) => x.name === g.name);
      return {
        name: g.name,
        graphqlStatements: g.statements,
        restStatements: r?.statements ?? null,
        statementRatio: r ? round(r.statements / g.statements) : null,
        restRequests: r?.requests ?? null,
        graphqlP50Ms: g.ms.p50,
        restMedianMsPerPass: r?.msPerPass.median ?? null,
        timeRatio: r ? round(r.msPerPass.median / g.ms.p50) : null,
      };
    });
    const result = {
      benchmark: 'graphql',
      command: `npm run bench:graphql${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
      machine,
      options: { ...options, out: relative(root, options.out) },
      mesh: shape,
      graphql,
      rest,
      comparison,
    };
    writeFileSync(`${options.out}.json`, `${JSON.stringify(result, null, 2)}\n`);
    writeFileSync(`${options.out}.md`, report(result));
    log(`wrote ${relative(root, options.out)}.{json,md}`);
  } finally {
    await app.close();
  }
}

/** @param {'topology' | 'page'} name */
function restCalls(name) {
  return name === 'page'
    ? 'ListVirtualNodes (limit 100) + DescribeVirtualNode for each'
    : 'List + Describe of every virtual node, service, router (+ ListRoutes, DescribeRoute), gateway (+ ListGatewayRoutes, DescribeGatewayRoute), pages of 100';
}

/**
 * Counts every statement sent through `pg.Client#query` (Prisma's adapter and raw SQL alike).
 * @param {any} pg
 */
function countStatements(pg) {
  const counter = { count: 0 };
  const proto = pg.Client.prototype;
  const original = proto.query;
  proto.query = function (/** @type {unknown[]} */ ...args) {
    counter.count++;
    return original.apply(this, args);
  };
  return counter;
}

/** @param {number[]} samples */
function percentiles(samples) {
  const s = [...samples].sort((a, b) => a - b);
  /** @param {number} p */
  const at = (p) => round(s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? 0);
  return { p50: at(50), p90: at(90), p95: at(95), p99: at(99), max: at(100) };
}

/** @param {number} x */
function round(x) {
  return Math.round(x * 100) / 100;
}

/** @param {any} r */
function report(r) {
  const m = r.machine;
  const lines = [
    '# GraphQL API benchmark',
    '',
    `Measured ${m.date} at commit \`${m.gitCommit}\`${m.gitDirtyOutsideBench ? ' (with uncommitted changes outside bench/)' : ''} on ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, ${m.platform}, Node ${m.node}, PostgreSQL ${m.postgres} (load average at start ${m.loadAverageAtStart.join(' / ')}; the machine is shared).`,
    '',
    `Command: \`${r.command}\` (see [bench/graphql/run.mjs](../graphql/run.mjs) and [bench/README.md](../README.md#graphql-api-npm-run-benchgraphql)).`,
    '',
    `The mesh, built through the App Mesh API: ${Object.entries(r.mesh)
      .map(([k, v]) => `${v} ${k}`)
      .join(
        ', ',
      )}. The api role runs in the benchmark's process; requests are sequential (one at a time), ${r.options.runs} measured after ${r.options.warmup} warm-up requests; SQL statements are counted at the \`pg\` driver. *CPU ms per request* is this process's CPU time (the api role and the client, not PostgreSQL's or Redis') over the measured requests divided by their number: unlike the latencies it does not include waiting for a core on a loaded machine.`,
    '',
    '## GraphQL',
    '',
    '| query | p50 ms | p90 ms | p95 ms | p99 ms | max ms | target p95 | met | CPU ms per request | SQL statements | response bytes |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |',
    ...r.graphql.map(
      (/** @type {any} */ g) =>
        `| ${g.name} | ${g.ms.p50} | ${g.ms.p90} | ${g.ms.p95} | ${g.ms.p99} | ${g.ms.max} | < ${g.targetP95Ms} | ${g.met ? 'yes' : 'no'} | ${g.cpuMsPerRequest} | ${g.statements} | ${g.responseBytes} |`,
    ),
    '',
    '## Against the REST calls for the same data',
    '',
    '| data | REST calls | REST requests | REST SQL statements | GraphQL SQL statements | statements REST ÷ GraphQL | REST median ms per pass | GraphQL p50 ms | time REST ÷ GraphQL |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...r.comparison.map((/** @type {any} */ c) => {
      const rest = r.rest.find((/** @type {any} */ x) => x.name === c.name);
      return `| ${c.name} | ${rest.calls} | ${c.restRequests} | ${c.restStatements} | ${c.graphqlStatements} | ${c.statementRatio} | ${c.restMedianMsPerPass} | ${c.graphqlP50Ms} | ${c.timeRatio} |`;
    }),
    '',
    'REST requests are SigV4-signed and sent one at a time over fresh connections, as a script with the AWS SDK pages through them; a pass includes signing each request (about a millisecond), as the SDK does. Timings on a shared, loaded machine are upper bounds; the statement counts do not depend on load.',
    '',
    '## Queries',
    '',
    ...r.graphql.flatMap((/** @type {any} */ g) => [`${g.name}:`, '', '```graphql', g.query.trim(), '```', '']),
  ];
  return `${lines.join('\n')}\n`;
}
