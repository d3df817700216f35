// @ts-check
// `npm start`: everything a newcomer needs, in one command. Installs dependencies, makes sure
// PostgreSQL and Redis are reachable (project-local instances unless DATABASE_URL/REDIS_URL are
// set), applies migrations, creates a demo tenant on first run, starts all roles in one process
// and prints how to use them. Only Node built-ins are imported statically: nothing is installed yet.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bannerLines } from './lib/banner.mjs';
import { ensureDependencies } from './lib/deps.mjs';
import { ensureLocalSecrets, readLocalEnv, writeLocalEnv } from './lib/local-env.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
/** @param {string} msg */
const log = (msg) => process.stderr.write(`[start] ${msg}\n`);

try {
  await main();
} catch (err) {
  const e = /** @type {Error & { hint?: string }} */ (err);
  log(`failed: ${e.message}`);
  if (e.hint) log(e.hint);
  process.exit(1);
}

async function main() {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 19))
    throw new Error(`Node >= 20.19 is required (this is ${process.versions.node})`);

  await ensureDependencies(root, log);
  const { ensureServices } = await import('./lib/services.mjs');
  const { applyMigrations } = await import('./lib/migrations.mjs');
  const { build } = await import('./lib/build.mjs');

  const services = await ensureServices({ root, databases: ['meshplane'], log });
  const databaseUrl = process.env.DATABASE_URL || services.databaseUrls['meshplane'];
  const redisUrl = process.env.REDIS_URL || services.redisUrl;
  if (!databaseUrl) throw new Error('no database URL');
  const { adminToken, masterKey } = ensureLocalSecrets(root, log);
  writeLocalEnv(root, { ...readLocalEnv(root), DATABASE_URL: databaseUrl, REDIS_URL: redisUrl });

  log('building...');
  await build(root);
  await applyMigrations(databaseUrl, { migrationsDir: join(root, 'prisma', 'migrations'), log, summary: true });

  /** @type {NodeJS.ProcessEnv} */
  const env = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    MESH_ADMIN_TOKEN: adminToken,
    MESH_MASTER_KEY: masterKey,
    // A development instance: the GraphQL explorer at /graphiql, unless set otherwise.
    GRAPHQL_EXPLORER: process.env.GRAPHQL_EXPLORER ?? 'true',
  };
  const demo = await ensureDemoTenant(env);

  const port = Number(env.PORT ?? 8080);
  const xdsPort = Number(env.XDS_PORT ?? 18000);
  const child = spawn(process.execPath, ['--enable-source-maps', join(root, 'dist', 'main.js')], {
    env,
    stdio: 'inherit',
  });
  for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

  await waitReady(`http://127.0.0.1:${port}/readyz`, child);
  // Last: everything start-up prints comes before it, and the banner is what stays on screen.
  process.stderr.write(
    bannerLines({
      port,
      xdsPort,
      adminToken,
      demo,
      region: env.MESH_REGION ?? 'us-east-1',
      explorer: env.GRAPHQL_EXPLORER === 'true',
    }).join('\n') + '\n',
  );
}

/**
 * Creates a tenant named "demo" the first time the database has no tenant, and keeps its
 * one-time credentials in .data/demo-tenant.json so later starts can print them again.
 * @param {NodeJS.ProcessEnv} env
 * @returns {Promise<import('./lib/banner.mjs').DemoTenant | undefined>}
 */
async function ensureDemoTenant(env) {
  const file = join(root, '.data', 'demo-tenant.json');
  const cli = (/** @type {string[]} */ args) => capture(process.execPath, [join(root, 'dist', 'cli.js'), ...args], env);
  const list = JSON.parse(await cli(['tenant', 'list', '--limit', '1']));
  if (list.tenants.length === 0) {
    const created = await cli(['tenant', 'create', '--name', 'demo']);
    writeFileSync(file, created, { mode: 0o600 });
    log('created the demo tenant (credentials saved in .data/demo-tenant.json)');
  }
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
}

/**
 * @param {string} command
 * @param {string[]} args
 * @param {NodeJS.ProcessEnv} env
 * @returns {Promise<string>}
 */
function capture(command, args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${args.slice(1).join(' ')} failed (exit ${code})`)),
    );
  });
}

/**
 * @param {string} url
 * @param {import('node:child_process').ChildProcess} child
 */
async function waitReady(url, child) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error('the server exited during start-up (see its log above)');
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not report ready within 60 s`);
}
