// @ts-check
// `npm test`: the same preparation as `npm start`, against a fresh test database, then every
// test. Ends with the line `N passed, N failed`. Extra arguments go to Vitest
// (e.g. `npm test -- test/integration/auth-sigv4.test.ts`).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDependencies } from './lib/deps.mjs';
import { recreateDatabase } from './lib/database.mjs';
import { run } from './lib/run.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
/** @param {string} msg */
const log = (msg) => process.stderr.write(`[test] ${msg}\n`);
/** Another name lets two test runs share the machine's PostgreSQL without recreating each other's database. */
const TEST_DB = process.env.MESHPLANE_TEST_DB || 'meshplane_test';

let failedChecks = 0;
try {
  process.exitCode = await main();
} catch (err) {
  const e = /** @type {Error & { hint?: string }} */ (err);
  log(`failed: ${e.message}`);
  if (e.hint) log(e.hint);
  process.stdout.write('0 passed, 1 failed\n');
  process.exitCode = 1;
}

async function main() {
  await ensureDependencies(root, log);
  const { ensureServices } = await import('./lib/services.mjs');
  const { applyMigrations } = await import('./lib/migrations.mjs');
  const { build } = await import('./lib/build.mjs');

  const services = await ensureServices({ root, databases: [TEST_DB], log });
  const databaseUrl = services.databaseUrls[TEST_DB];
  if (!databaseUrl) throw new Error(`no URL for ${TEST_DB}`);
  // Tests use their own Redis database number so they never see `npm start`'s queues.
  const redisUrl = process.env.REDIS_URL ? process.env.REDIS_URL : `${services.redisUrl.replace(/\/\d*$/, '')}/1`;

  const { ensureAwsCli, ensureChromium, ensureEnvoy, ensureMoto } = await import('./lib/peers.mjs');
  const awsCli = await ensureAwsCli(root, log);
  const envoy = await ensureEnvoy(root, log);
  const chromium = await ensureChromium(root, log);
  const moto = await ensureMoto(root, log);
  await recreateDatabase(databaseUrl);
  log('building and type-checking...');
  await build(root);
  // The server, tests and scripts; then the console (browser code: its own tsconfig, DOM types).
  for (const tsconfig of ['tsconfig.json', 'console/tsconfig.json']) {
    try {
      await run(join(root, 'node_modules', '.bin', 'tsc'), ['-p', tsconfig, '--noEmit'], { cwd: root });
    } catch {
      log(`type-check of ${tsconfig} failed (see above)`);
      failedChecks++;
    }
  }
  await applyMigrations(databaseUrl, { migrationsDir: join(root, 'prisma', 'migrations'), log, summary: true });

  const reportDir = join(root, 'test-results');
  mkdirSync(reportDir, { recursive: true });
  const report = join(reportDir, 'vitest.json');
  rmSync(report, { force: true });
  const env = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    MESHPLANE_TEST_PREPARED: '1',
    // How tests run the real AWS CLI: a JSON command line plus the environment it needs.
    MESHPLANE_AWS_CLI: JSON.stringify(awsCli),
    // The real Envoy binary that test/support/envoy.ts runs.
    MESHPLANE_ENVOY: envoy,
    // Debian's Chromium, which the console's browser tests drive (test/support/browser.ts).
    MESHPLANE_CHROMIUM: chromium,
    // How test/support/moto.ts runs the EC2 API emulator: a JSON command line plus its environment.
    MESHPLANE_MOTO: JSON.stringify(moto),
    NODE_OPTIONS: [process.env.NODE_OPTIONS, '--enable-source-maps'].filter(Boolean).join(' '),
  };
  const code = await exitCodeOf(
    join(root, 'node_modules', '.bin', 'vitest'),
    ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)],
    env,
  );
  const { passed, failed } = summarise(report);
  process.stdout.write(`${passed} passed, ${failed + failedChecks} failed\n`);
  return code !== 0 || failed + failedChecks > 0 ? 1 : 0;
}

/**
 * Counts tests from Vitest's JSON report. In a file that failed, every test that did not pass
 * counts as failed (a failing beforeAll skips them), and a file that failed before declaring
 * any test (an import error) counts as one failure: nothing can vanish silently.
 * @param {string} report
 */
function summarise(report) {
  if (!existsSync(report)) return { passed: 0, failed: 1 };
  const data = JSON.parse(readFileSync(report, 'utf8'));
  let passed = 0;
  let failed = 0;
  for (const file of data.testResults ?? []) {
    /** @type {{ status: string }[]} */
    const tests = file.assertionResults ?? [];
    const ok = tests.filter((t) => t.status === 'passed').length;
    passed += ok;
    if (file.status === 'failed') failed += Math.max(1, tests.length - ok);
    else failed += tests.filter((t) => t.status === 'failed').length;
  }
  return { passed, failed };
}

/**
 * @param {string} command
 * @param {string[]} args
 * @param {NodeJS.ProcessEnv} env
 * @returns {Promise<number>}
 */
function exitCodeOf(command, args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, env, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code ?? 1));
  });
}
