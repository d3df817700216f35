// @ts-check
// `npm run bench:console`: how long the web console takes to show a page's content on loopback,
// from navigation start, over N fresh page loads (a new browser profile each: no HTTP cache, no
// sessionStorage but the token) of three pages — the sign-in page, the meshes list, and a mesh's
// topology graph on a mesh of realistic size — with Debian's Chromium driven by playwright-core,
// plus the bundle sizes (raw and gzip). Prepares like `npm test` (dependencies, PostgreSQL/Redis,
// a fresh `meshplane_bench_console` database, build with the console, migrations), runs the api
// role in this process (it serves /console, /graphql and the App Mesh API), builds the mesh
// through the App Mesh API, and writes bench/results/console.{json,md}. A benchmark, not a test:
// it exits 0 whether or not the target is met, non-zero only when it could not measure.
//
// "Content visible" is the console's own mark (console/src/content-mark.ts), set by an effect after
// the render that showed the content (Preact runs effects after the browser painted that frame):
//   sign-in   the sign-in form;
//   meshes    the meshes list with the tenant's meshes;
//   topology  the topology's SVG with a link per resource of the mesh (the benchmark also checks
//             that the SVG holds every node the API's Mesh.topology has).
// Its `startTime` is milliseconds from the navigation's start (the Performance API's time origin).
//
// Options (all optional):
//   --loads=30     measured page loads per page (after --warmup)
//   --warmup=3     unmeasured loads per page first
//   --nodes=50     virtual nodes in the mesh (a multiple of 10; services as many, routers a tenth)
//   --out=PATH     results path without extension (default bench/results/console)
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { ensureDependencies } from '../../scripts/lib/deps.mjs';
import { intFlag, parseFlags, runBench } from '../lib/cli.mjs';
import { describeMachine } from '../lib/machine.mjs';
import { recreateDatabase } from '../../scripts/lib/database.mjs';
import { buildMesh } from '../graphql/rest.mjs';

const root = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const BENCH_DB = 'meshplane_bench_console';
const MESH = 'shop';
/** The issue's target: first render under a second on loopback (p95, ms). */
const TARGET_MS = 1000;

/** The pages measured: where they are, and the mark that says their content is on screen. */
const PAGES = /** @type {const} */ ([
  { name: 'sign-in', hash: '', signedIn: false },
  { name: 'meshes', hash: '#/meshes', signedIn: true },
  { name: 'topology', hash: `#/meshes/${MESH}/topology`, signedIn: true },
]);

/** @param {string} msg */
const log = (msg) => process.stderr.write(`[bench] ${msg}\n`);

await runBench({ log, options: () => parseArgs(process.argv.slice(2)), main });

/** @param {string[]} argv */
function parseArgs(argv) {
  const given = parseFlags(argv, ['loads', 'warmup', 'nodes', 'out'], 'bench/console/run.mjs');
  const nodes = intFlag(given, 'nodes', 50, 1);
  if (nodes % 10 !== 0) throw new Error('--nodes must be a multiple of 10');
  return {
    loads: intFlag(given, 'loads', 30, 1),
    warmup: intFlag(given, 'warmup', 3, 0),
    nodes,
    out: given.get('out') ?? join(root, 'bench', 'results', 'console'),
  };
}

/** @param {ReturnType<typeof parseArgs>} options */
async function main(options) {
  await ensureDependencies(root, log);
  const { ensureServices } = await import('../../scripts/lib/services.mjs');
  const { applyMigrations } = await import('../../scripts/lib/migrations.mjs');
  const { build } = await import('../../scripts/lib/build.mjs');
  const { ensureChromium } = await import('../../scripts/lib/peers.mjs');
  const { RequestSigner } = await import('../app-mesh-api/signing.mjs');
  const { chromium } = await import('playwright-core');

  const chromiumPath = await ensureChromium(root, log);
  const services = await ensureServices({ root, databases: [BENCH_DB], log });
  const databaseUrl = services.databaseUrls[BENCH_DB];
  if (!databaseUrl) throw new Error(`no URL for ${BENCH_DB}`);
  await recreateDatabase(databaseUrl);
  log('building (server and console)...');
  await build(root);
  await applyMigrations(databaseUrl, { migrationsDir: join(root, 'prisma', 'migrations'), log });

  const adminToken = randomBytes(24).toString('base64url');
  const dist = (/** @type {string} */ path) => import(pathToFileURL(join(root, 'dist', path)).href);
  const { loadConfig } = await dist('config/load-config.js');
  const { AppModule } = await dist('app.module.js');
  const { createHttpApp } = await dist('platform/http/create-http-app.js');
  const config = loadConfig(
    {
      DATABASE_URL: databaseUrl,
      REDIS_URL: services.redisUrl,
      QUEUE_PREFIX: `bench-console-${randomBytes(4).toString('hex')}`,
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

  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    // As the browser tests run it (test/support/browser.ts): as root on CI, no sandbox; no GPU.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
  try {
    const created = await fetch(`${base}/admin/v1/tenants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bench', plan: 'enterprise' }),
    });
    const tenant = /** @type {any} */ (await created.json());
    if (created.status !== 201)
      throw new Error(`creating the tenant: HTTP ${created.status} ${JSON.stringify(tenant)}`);
    const token = tenant.apiToken.token;
    log(`building mesh ${MESH} of ${options.nodes} virtual nodes through the App Mesh API...`);
    const mesh = await buildMesh(new RequestSigner(tenant.accessKey, port), MESH, options.nodes);
    const topologyNodes = await countTopologyNodes(base, token);
    log(`built: ${JSON.stringify(mesh)}; ${topologyNodes} topology nodes`);

    const pages = [];
    for (const page of PAGES) {
      const samples = [];
      for (let i = 0; i < options.warmup + options.loads; i++) {
        const sample = await loadOnce(browser, `${base}/console/${page.hash}`, page, token, topologyNodes);
        if (i >= options.warmup) samples.push(sample);
      }
      const content = percentiles(samples.map((s) => s.contentMs));
      const result = {
        name: page.name,
        url: `/console/${page.hash}`,
        loads: samples.length,
        contentMs: content,
        firstContentfulPaintMs: percentiles(samples.map((s) => s.fcpMs)),
        domContentLoadedMs: percentiles(samples.map((s) => s.domContentLoadedMs)),
        requests: samples[0]?.requests ?? 0,
        transferredBytes: samples[0]?.transferredBytes ?? 0,
        targetP95Ms: TARGET_MS,
        met: content.p95 < TARGET_MS,
      };
      pages.push(result);
      log(
        `${page.name}: content p50 ${content.p50} ms, p95 ${content.p95} ms (target < ${TARGET_MS}); ` +
          `first contentful paint p50 ${result.firstContentfulPaintMs.p50} ms; ${result.requests} requests`,
      );
    }

    const bundle = bundleSizes();
    log(`bundle: ${bundle.map((b) => `${b.file} ${b.gzipBytes} B gzip`).join(', ')}`);
    const result = {
      benchmark: 'console',
      command: `npm run bench:console${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
      machine: describeMachine(root, { chromium: browser.version() }),
      options: { ...options, out: relative(root, options.out) },
      mesh: { ...mesh, topologyNodes },
      pages,
      bundle,
    };
    writeFileSync(`${options.out}.json`, `${JSON.stringify(result, null, 2)}\n`);
    writeFileSync(`${options.out}.md`, report(result));
    log(`wrote ${relative(root, options.out)}.{json,md}`);
  } finally {
    await browser.close();
    await app.close();
  }
}

/**
 * One fresh page load: a new browser profile (nothing cached; the token put in sessionStorage
 * before the page's scripts run, as a signed-in tab has it), the page loaded, the console's mark
 * awaited, and the content checked to be what the mark claims.
 * @param {import('playwright-core').Browser} browser
 * @param {string} url
 * @param {(typeof PAGES)[number]} page
 * @param {string} token
 * @param {number} topologyNodes
 */
async function loadOnce(browser, url, page, token, topologyNodes) {
  const context = await browser.newContext({ viewport: { width: 1366, height: 820 } });
  try {
    if (page.signedIn) {
      // Runs in the page (browser globals, typed loosely here: this file is checked against Node's types).
      await context.addInitScript(
        (t) => /** @type {any} */ (globalThis).sessionStorage.setItem('meshplane.token', t),
        token,
      );
    }
    const tab = await context.newPage();
    await tab.goto(url, { waitUntil: 'commit' });
    const mark = `meshplane:content:${page.name}`;
    await tab.waitForFunction((m) => performance.getEntriesByName(m, 'mark').length > 0, mark, { timeout: 30_000 });
    const shown =
      page.name === 'topology'
        ? await tab.locator('svg.topology a.node').count()
        : page.name === 'meshes'
          ? await tab.locator('table tbody tr').count()
          : await tab.getByLabel('API token').count();
    const expected = page.name === 'topology' ? topologyNodes : 1;
    if (shown !== expected) throw new Error(`${page.name}: the page marked its content with ${shown} of ${expected}`);
    const timings = await tab.evaluate((m) => {
      const perf = /** @type {any} */ (globalThis).performance;
      const nav = perf.getEntriesByType('navigation')[0];
      /** @type {{ transferSize: number }[]} */
      const resources = perf.getEntriesByType('resource');
      return {
        /** @type {number} */
        contentMs: perf.getEntriesByName(m, 'mark')[0]?.startTime ?? NaN,
        /** @type {number} */
        fcpMs: perf.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN,
        /** @type {number} */
        domContentLoadedMs: nav?.domContentLoadedEventEnd ?? NaN,
        requests: resources.length + 1,
        /** @type {number} */
        transferredBytes: (nav?.transferSize ?? 0) + resources.reduce((sum, r) => sum + r.transferSize, 0),
      };
    }, mark);
    return timings;
  } finally {
    await context.close();
  }
}

/** @param {string} base @param {string} token */
async function countTopologyNodes(base, token) {
  const res = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query: `{ mesh(name: "${MESH}") { topology { nodes { id } } } }` }),
  });
  const body = /** @type {any} */ (await res.json());
  if (body.errors) throw new Error(`Mesh.topology: ${JSON.stringify(body.errors)}`);
  return body.data.mesh.topology.nodes.length;
}

/** The built console's files (dist/console-assets), raw and gzip-compressed (level 9), source maps aside. */
function bundleSizes() {
  const dir = join(root, 'dist', 'console-assets');
  const files = ['index.html', ...readdirSync(join(dir, 'assets')).map((f) => join('assets', f))].filter(
    (f) => !f.endsWith('.map'),
  );
  return files.map((file) => {
    const bytes = readFileSync(join(dir, file));
    return {
      file,
      // The form model (schema and validator) is loaded with the first form, not with a page.
      loadedAtFirstRender: !/form-model/.test(file),
      bytes: bytes.length,
      gzipBytes: gzipSync(bytes, { level: 9 }).length,
    };
  });
}

/** @param {number[]} samples */
function percentiles(samples) {
  const s = [...samples].sort((a, b) => a - b);
  /** @param {number} p */
  const at = (p) => round(s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN);
  return { p50: at(50), p95: at(95), max: at(100) };
}

/** @param {number} x */
function round(x) {
  return Math.round(x * 10) / 10;
}

/** @param {any} r */
function report(r) {
  const m = r.machine;
  const firstRender = r.bundle.filter((/** @type {any} */ b) => b.loadedAtFirstRender);
  const sum = (/** @type {any[]} */ list, /** @type {string} */ key) => list.reduce((s, b) => s + b[key], 0);
  const lines = [
    '# Web console first render',
    '',
    `Measured ${m.date} at commit \`${m.gitCommit}\`${m.gitDirtyOutsideBench ? ' (with uncommitted changes outside bench/)' : ''} on ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, ${m.platform}, Node ${m.node}, Chromium ${m.chromium} (load average at start ${m.loadAverageAtStart.join(' / ')}).`,
    '',
    `Command: \`${r.command}\` (see [bench/console/run.mjs](../console/run.mjs) and [bench/README.md](../README.md#web-console-npm-run-benchconsole)).`,
    '',
    `The mesh \`shop\`, built through the App Mesh API: ${Object.entries(r.mesh)
      .map(([k, v]) => `${v} ${k}`)
      .join(
        ', ',
      )}. Each page was loaded ${r.options.loads} times (after ${r.options.warmup} unmeasured loads), each time in a fresh browser profile (no HTTP cache), on loopback. *Content* is the time from navigation start to the console's mark that the page's content is on screen (\`console/src/content-mark.ts\`: the sign-in form; the meshes list with its meshes; the topology SVG with a link per resource).`,
    '',
    '| page | content p50 ms | content p95 ms | max ms | target p95 | met | first contentful paint p50 ms | DOMContentLoaded p50 ms | requests | bytes transferred |',
    '| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |',
    ...r.pages.map(
      (/** @type {any} */ p) =>
        `| ${p.name} | ${p.contentMs.p50} | ${p.contentMs.p95} | ${p.contentMs.max} | < ${p.targetP95Ms} | ${p.met ? 'yes' : 'no'} | ${p.firstContentfulPaintMs.p50} | ${p.domContentLoadedMs.p50} | ${p.requests} | ${p.transferredBytes} |`,
    ),
    '',
    '## Bundle',
    '',
    '| file | bytes | gzip bytes | loaded at first render |',
    '| --- | ---: | ---: | --- |',
    ...r.bundle.map(
      (/** @type {any} */ b) =>
        `| ${b.file} | ${b.bytes} | ${b.gzipBytes} | ${b.loadedAtFirstRender ? 'yes' : 'with the first form'} |`,
    ),
    `| first render, total | ${sum(firstRender, 'bytes')} | ${sum(firstRender, 'gzipBytes')} | |`,
    '',
    'Gzip sizes are the files compressed at level 9, for comparison; the api role sends them as built (loopback).',
  ];
  return `${lines.join('\n')}\n`;
}
