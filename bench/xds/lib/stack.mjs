// @ts-check
// The parts of the platform an xDS benchmark runs, each as its own process as production runs
// them: the api role, the worker role and xds shards (`node dist/main.<role>.js`), on the
// project-local PostgreSQL and Redis (scripts/lib/services.mjs), with a dedicated, recreated and
// migrated database and a Redis database number of its own. Every process started here is killed
// when the benchmark ends, fails or is interrupted.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** @type {Set<import('node:child_process').ChildProcess>} */
const running = new Set();
/** @type {(() => void)[]} */
const cleanups = [];

/** Registers something to undo when the benchmark ends (processes are killed anyway). */
export function onCleanup(/** @type {() => void} */ fn) {
  cleanups.push(fn);
}

function killAll() {
  for (const fn of cleanups.splice(0)) {
    try {
      fn();
    } catch {
      // best effort
    }
  }
  for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
process.once('exit', killAll);
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) {
  process.once(signal, () => {
    killAll();
    process.exit(130);
  });
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort() {
  return /** @type {Promise<number>} */ (
    new Promise((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() =>
          typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port')),
        );
      });
    })
  );
}

/** @param {number} n distinct free ports */
export async function freePorts(n) {
  const ports = new Set();
  while (ports.size < n) ports.add(await freePort());
  return /** @type {number[]} */ ([...ports]);
}

/**
 * The benchmark runs the built code; it builds nothing itself.
 * @param {string} root
 */
export function requireBuild(root) {
  for (const entry of ['main.api.js', 'main.worker.js', 'main.xds.js']) {
    if (!existsSync(join(root, 'dist', entry)))
      throw Object.assign(new Error(`dist/${entry} is missing`), { hint: 'Run `npm run build` first.' });
  }
}

/**
 * PostgreSQL and Redis as `npm test` prepares them, with `database` dropped, recreated and
 * migrated, and Redis database number `redisDb` flushed.
 * @param {{ root: string, database: string, redisDb: number, log: (msg: string) => void }} o
 */
export async function prepareServices({ root, database, redisDb, log }) {
  const { ensureServices } = await import('../../../scripts/lib/services.mjs');
  const { applyMigrations } = await import('../../../scripts/lib/migrations.mjs');
  const { recreateDatabase } = await import('../../../scripts/lib/database.mjs');
  const services = await ensureServices({ root, databases: [database], log });
  const databaseUrl = services.databaseUrls[database];
  if (!databaseUrl) throw new Error(`no URL for ${database}`);
  const redisUrl = `${services.redisUrl.replace(/\/\d*$/, '')}/${redisDb}`;
  await recreateDatabase(databaseUrl);
  await applyMigrations(databaseUrl, { migrationsDir: join(root, 'prisma', 'migrations'), log });
  const { Redis } = await import('ioredis');
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  await redis.flushdb();
  await redis.quit();
  return { databaseUrl, redisUrl };
}

/**
 * @typedef {object} RoleProcess
 * @property {string} role
 * @property {number} pid
 * @property {number} httpPort
 * @property {import('node:child_process').ChildProcess} child
 * @property {() => string} output the last lines it wrote
 * @property {Promise<number | string>} exited
 * @property {(signal?: NodeJS.Signals) => Promise<number | string>} stop SIGTERM (or the given signal), SIGKILL after 15 s
 */

/**
 * Runs one role as its own process and waits for its /readyz.
 * @param {{ root: string, role: 'api' | 'worker' | 'xds', env: Record<string, string>, httpPort: number, nodeArgs?: string[], log: (msg: string) => void, readyTimeoutMs?: number }} o
 * @returns {Promise<RoleProcess>}
 */
export async function startRole({ root, role, env, httpPort, nodeArgs = [], log, readyTimeoutMs = 60_000 }) {
  const child = spawn(process.execPath, [...nodeArgs, join(root, 'dist', `main.${role}.js`)], {
    cwd: root,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  /** @type {string[]} */
  const lines = [];
  let partial = '';
  /** @param {Buffer} chunk */
  const collect = (chunk) => {
    const parts = (partial + chunk.toString('utf8')).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      if (line.trim() === '') continue;
      lines.push(line);
      if (lines.length > 300) lines.shift();
    }
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  /** @type {Promise<number | string>} */
  const exited = new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      running.delete(child);
      resolve(code ?? signal ?? 'unknown');
    }),
  );
  const output = () => [...lines, partial].join('\n');
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the ${role} role exited early (${child.exitCode}):\n${output()}`);
    try {
      const res = await fetch(`http://127.0.0.1:${httpPort}/readyz`);
      await res.text();
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the ${role} role was not ready within ${readyTimeoutMs} ms:\n${output()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  log(`${role} ready (pid ${child.pid}, http ${httpPort})`);
  return {
    role,
    pid: child.pid ?? 0,
    httpPort,
    child,
    output,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill(signal);
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        const code = await exited;
        clearTimeout(timer);
        return code;
      }
      return exited;
    },
  };
}

/**
 * The environment every role of one benchmark shares.
 * @param {{ databaseUrl: string, redisUrl: string }} services
 * @param {Record<string, string>} [extra]
 */
export function commonEnv(services, extra = {}) {
  return {
    DATABASE_URL: services.databaseUrl,
    REDIS_URL: services.redisUrl,
    HOST: '127.0.0.1',
    XDS_HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    MESH_ADMIN_TOKEN: `bench-admin-${randomBytes(16).toString('hex')}`,
    MESH_MASTER_KEY: randomBytes(32).toString('base64'),
    ...extra,
  };
}

/** RSS and its peak (VmHWM) of a process, in MB, from /proc. */
export function memoryOf(/** @type {number} */ pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (/** @type {string} */ name) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
  } catch {
    return { rssMb: NaN, peakMb: NaN };
  }
}
