// @ts-check
/**
 * Makes PostgreSQL and Redis reachable for `npm start` / `npm test` on a fresh Debian/Ubuntu machine.
 *
 * - DATABASE_URL set: check that server answers and create the requested databases on it.
 *   Otherwise run a project-local PostgreSQL: data in <root>/.data/postgres, 127.0.0.1 only,
 *   port 55432 (LOCAL_PG_PORT).
 * - REDIS_URL set: check it answers PING. Otherwise run a project-local Redis: data in
 *   <root>/.data/redis, 127.0.0.1 only, port 56379 (LOCAL_REDIS_PORT).
 * - Server binaries missing: installed with apt-get when running as root; otherwise the error says
 *   exactly what to install.
 *
 * Only Node built-ins (plus `pg`, loaded lazily): this runs before anything else. Never touches
 * system services or the default ports 5432/6379, and never logs a password.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';

const HOST = '127.0.0.1';
const PG_SUPERUSER = 'meshplane';
const PG_SYSTEM_USER = 'postgres';
const DEFAULT_PG_PORT = 55432;
const DEFAULT_REDIS_PORT = 56379;
const CONNECT_TIMEOUT_MS = 5000;
const PG_LIB_DIR = '/usr/lib/postgresql';
const FALLBACK_DATA_ROOT = '/var/lib/meshplane';

/** @typedef {(msg: string) => void} Log */

/**
 * @typedef {object} EnsureServicesOptions
 * @property {string} root Repository root.
 * @property {string[]} databases Databases that must exist, e.g. `['meshplane']`.
 * @property {Log} [log] Progress lines (default: `console.error`).
 */

/**
 * @typedef {object} EnsuredServices
 * @property {Record<string, string>} databaseUrls Database name → `postgres://` URL.
 * @property {string} redisUrl
 * @property {{ postgres: boolean, redis: boolean }} local Whether the project-local instances are used.
 */

/**
 * @typedef {object} LocalServiceStatus
 * @property {boolean} running
 * @property {number} [pid]
 * @property {string} [address] `host:port` it listens on, when known.
 * @property {string} [dataDir] Where its data lives (absent if never started).
 */

/**
 * @typedef {object} ServicesStatus
 * @property {LocalServiceStatus} postgres
 * @property {LocalServiceStatus} redis
 * @property {string | undefined} databaseUrl DATABASE_URL with the password masked, if set.
 * @property {string | undefined} redisUrl REDIS_URL with the password masked, if set.
 */

/** @typedef {{ root: string, log: Log, asRoot: boolean }} Ctx */
/** @typedef {{ base: string, dataDir: string, runDir: string, logFile: string }} PgLayout */
/** @typedef {{ binDir: string, major: string }} PgInstallation */
/** @typedef {{ pid: number, port: number, status: string }} PostmasterInfo */
/** @typedef {{ type: string, value: string | null }} RedisReply */
/** @typedef {{ host: string, port: number, tls?: boolean }} RedisTarget */
/** @typedef {{ code: number, stdout: string, stderr: string }} RunResult */
/** @typedef {import('pg').Client} PgClient */
/** @typedef {import('pg').ClientConfig} PgClientConfig */

/** A failure the user can act on: callers print `message`, then `hint`, and exit with code 1. */
export class ServiceError extends Error {
  /**
   * @param {string} message
   * @param {string} [hint]
   */
  constructor(message, hint = '') {
    super(message);
    this.name = 'ServiceError';
    /** @type {string} */
    this.hint = hint;
  }
}

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

/**
 * Makes sure PostgreSQL (with `opts.databases` created) and Redis are reachable, starting
 * project-local instances when DATABASE_URL / REDIS_URL are not set. Idempotent.
 *
 * @param {EnsureServicesOptions} opts
 * @returns {Promise<EnsuredServices>}
 */
export async function ensureServices(opts) {
  return serialized(() => ensureServicesNow(opts));
}

/**
 * Stops the project-local instances (`pg_ctl stop -m fast`, Redis `SHUTDOWN NOSAVE`).
 * Data is kept. Never touches servers given by DATABASE_URL / REDIS_URL.
 *
 * @param {{ root: string, log?: Log }} opts
 * @returns {Promise<{ postgres: boolean, redis: boolean }>} Which ones were running and got stopped.
 */
export async function stopServices(opts) {
  return serialized(async () => {
    const ctx = makeCtx(opts.root, opts.log);
    if (!fs.existsSync(path.join(ctx.root, '.data'))) {
      ctx.log('postgres: no project-local instance');
      ctx.log('redis: no project-local instance');
      return { postgres: false, redis: false };
    }
    const release = await acquireLock(ctx);
    try {
      const [postgres, redis] = await settleBoth(stopLocalPostgres(ctx), stopLocalRedis(ctx));
      return { postgres, redis };
    } finally {
      release();
    }
  });
}

/**
 * Reports whether the project-local instances are running. Starts nothing.
 *
 * @param {{ root: string }} opts
 * @returns {Promise<ServicesStatus>}
 */
export async function statusServices(opts) {
  const root = path.resolve(opts.root);
  const databaseUrl = envValue('DATABASE_URL');
  const redisUrl = envValue('REDIS_URL');

  /** @type {LocalServiceStatus} */
  let postgres = { running: false };
  const layout = existingPgLayout(root);
  if (layout) {
    postgres = { running: false, dataDir: layout.dataDir };
    const pm = readPostmasterPid(layout.dataDir);
    if (pm && isOurProcess(pm.pid, layout.dataDir, 'postgres')) {
      postgres = { running: true, pid: pm.pid, address: `${HOST}:${pm.port}`, dataDir: layout.dataDir };
    }
  }

  const dir = redisDir(root);
  /** @type {LocalServiceStatus} */
  let redis = { running: false };
  if (fs.existsSync(dir)) {
    redis = { running: false, dataDir: dir };
    const pid = runningRedisPid(dir);
    if (pid) {
      redis = { running: true, pid, dataDir: dir };
      const info = await redisInfo(localRedisPort(), 1000).catch(() => null);
      if (info && info.pid === pid) redis.address = `${HOST}:${info.port}`;
    }
  }

  return {
    postgres,
    redis,
    databaseUrl: databaseUrl && maskUrl(databaseUrl),
    redisUrl: redisUrl && maskUrl(redisUrl),
  };
}

// ---------------------------------------------------------------------------------------------
// Orchestration
// ---------------------------------------------------------------------------------------------

/** @type {Promise<unknown>} */
let queue = Promise.resolve();

/**
 * Runs `fn` after every earlier call in this process has finished (the file lock below handles
 * other processes).
 *
 * @template T
 * @param {() => Promise<T>} fn
 * @returns {Promise<T>}
 */
function serialized(fn) {
  const result = queue.then(fn, fn);
  queue = result.catch(() => undefined);
  return result;
}

/**
 * @param {string} root
 * @param {Log | undefined} log
 * @returns {Ctx}
 */
function makeCtx(root, log) {
  return { root: path.resolve(root), log: log ?? ((msg) => console.error(msg)), asRoot: isRoot() };
}

/**
 * @param {EnsureServicesOptions} opts
 * @returns {Promise<EnsuredServices>}
 */
async function ensureServicesNow(opts) {
  const ctx = makeCtx(opts.root, opts.log);
  const databases = checkDatabaseNames(opts.databases);
  const databaseUrl = envValue('DATABASE_URL');
  const redisUrl = envValue('REDIS_URL');
  const need = { postgres: !databaseUrl, redis: !redisUrl };

  const release = need.postgres || need.redis ? await acquireLock(ctx) : () => undefined;
  try {
    const bins = await ensureBinaries(ctx, need);
    const [databaseUrls, finalRedisUrl] = await settleBoth(
      databaseUrl
        ? externalPostgres(ctx, databaseUrl, databases)
        : localPostgres(ctx, databases, /** @type {PgInstallation} */ (bins.postgres)),
      redisUrl ? externalRedis(ctx, redisUrl) : localRedis(ctx, /** @type {string} */ (bins.redis)),
    );
    return { databaseUrls, redisUrl: finalRedisUrl, local: need };
  } finally {
    release();
  }
}

/**
 * Waits for both (so nothing keeps running unobserved), then rethrows the first failure.
 *
 * @template A, B
 * @param {Promise<A>} a
 * @param {Promise<B>} b
 * @returns {Promise<[A, B]>}
 */
async function settleBoth(a, b) {
  const [ra, rb] = await Promise.allSettled([a, b]);
  if (ra.status === 'rejected') throw ra.reason;
  if (rb.status === 'rejected') throw rb.reason;
  return [ra.value, rb.value];
}

/**
 * @param {unknown} names
 * @returns {string[]}
 */
function checkDatabaseNames(names) {
  if (!Array.isArray(names)) throw new ServiceError('ensureServices: `databases` must be an array of names');
  for (const name of names) {
    if (typeof name !== 'string' || name.length === 0 || Buffer.byteLength(name) > 63 || name.includes('\0')) {
      throw new ServiceError(`ensureServices: invalid database name ${JSON.stringify(name)} (1-63 bytes)`);
    }
  }
  return [...new Set(/** @type {string[]} */ (names))];
}

// ---------------------------------------------------------------------------------------------
// Server binaries (and installing them)
// ---------------------------------------------------------------------------------------------

let aptUpdated = false;

/**
 * Finds the server binaries the local instances need; installs the missing ones with apt-get when
 * root, or fails telling exactly what to install.
 *
 * @param {Ctx} ctx
 * @param {{ postgres: boolean, redis: boolean }} need
 * @returns {Promise<{ postgres: PgInstallation | null, redis: string | null }>}
 */
async function ensureBinaries(ctx, need) {
  const find = async () => ({
    postgres: need.postgres ? await findPgInstallation(ctx.root) : null,
    redis: need.redis ? findExecutable('redis-server') : null,
  });
  let found = await find();
  /** @type {string[]} */
  const missing = [];
  if (need.postgres && !found.postgres) missing.push('postgresql');
  if (need.redis && !found.redis) missing.push('redis-server');
  if (missing.length === 0) return found;

  const hasApt = findExecutable('apt-get') !== null;
  if (!ctx.asRoot || !hasApt) throw missingPackagesError(missing, ctx.asRoot, hasApt);

  await aptInstall(ctx, missing);
  found = await find();
  const still = missing.filter((p) => (p === 'postgresql' ? !found.postgres : !found.redis));
  if (still.length > 0) {
    throw new ServiceError(
      `apt-get installed ${still.join(' ')}, but the server binaries are still not found`,
      'Looked for initdb/pg_ctl/postgres under /usr/lib/postgresql/<version>/bin or `pg_config --bindir`, and redis-server on PATH.',
    );
  }
  return found;
}

/**
 * @param {string[]} packages Debian package names.
 * @param {boolean} asRoot
 * @param {boolean} hasApt
 * @returns {ServiceError}
 */
function missingPackagesError(packages, asRoot, hasApt) {
  const what = packages
    .map((p) => (p === 'postgresql' ? 'the PostgreSQL server (initdb, pg_ctl)' : 'the Redis server (redis-server)'))
    .join(' and ');
  const alternatives = packages.map((p) => (p === 'postgresql' ? 'DATABASE_URL' : 'REDIS_URL')).join(' / ');
  const install = hasApt
    ? `Install ${packages.length > 1 ? 'them' : 'it'} with:\n\n    ${asRoot ? '' : 'sudo '}apt-get install -y ${packages.join(' ')}\n\nthen run the command again.`
    : `Install ${packages.length > 1 ? 'them' : 'it'} with your system's package manager, then run the command again.`;
  return new ServiceError(
    `${what} ${packages.length > 1 ? 'are' : 'is'} not installed`,
    `${install}\nAlternatively, set ${alternatives} to use ${packages.length > 1 ? 'servers' : 'a server'} you already run.`,
  );
}

/**
 * @param {Ctx} ctx
 * @param {string[]} packages
 */
async function aptInstall(ctx, packages) {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    ctx.log('apt: apt-get update');
    const r = await run('apt-get', ['update'], { env, show: true });
    if (r.code !== 0) throw new ServiceError(`apt-get update failed (exit ${r.code})`, 'See the output above.');
    aptUpdated = true;
  }
  ctx.log(`apt: apt-get install -y ${packages.join(' ')}`);
  const r = await run('apt-get', ['install', '-y', ...packages], { env, show: true });
  if (r.code !== 0) {
    throw new ServiceError(
      `apt-get install -y ${packages.join(' ')} failed (exit ${r.code})`,
      'See the output above. Alternatively, set DATABASE_URL / REDIS_URL to point at servers you already run.',
    );
  }
}

/**
 * PostgreSQL installations with server binaries, newest first.
 *
 * @returns {Promise<PgInstallation[]>}
 */
async function listPgInstallations() {
  /** @type {PgInstallation[]} */
  const found = [];
  /** @type {string[]} */
  let versions = [];
  try {
    versions = fs.readdirSync(PG_LIB_DIR).filter((v) => /^\d+(\.\d+)?$/.test(v));
  } catch {
    // not a Debian-style layout
  }
  for (const major of versions) {
    const binDir = path.join(PG_LIB_DIR, major, 'bin');
    if (hasPgServerBinaries(binDir)) found.push({ binDir, major });
  }
  found.sort((a, b) => Number(b.major) - Number(a.major));
  if (found.length > 0) return found;

  const r = await run('pg_config', ['--bindir', '--version']).catch(() => null);
  if (r && r.code === 0) {
    const [binDir = '', version = ''] = r.stdout.trim().split('\n');
    const m = /PostgreSQL (\d+)(?:\.(\d+))?/.exec(version);
    if (m && hasPgServerBinaries(binDir)) {
      found.push({ binDir, major: Number(m[1]) >= 10 ? String(m[1]) : `${m[1]}.${m[2] ?? '0'}` });
    }
  }
  return found;
}

/**
 * The installation to use: the one matching an existing data directory, else the newest.
 *
 * @param {string} root
 * @returns {Promise<PgInstallation | null>}
 */
async function findPgInstallation(root) {
  const installs = await listPgInstallations();
  if (installs.length === 0) return null;
  const layout = existingPgLayout(root);
  const wanted = layout ? readPgVersion(layout.dataDir) : null;
  if (!wanted) return installs[0] ?? null;
  const match = installs.find((i) => i.major === wanted);
  if (match) return match;
  throw new ServiceError(
    `postgres: the project-local data (${displayPath(root, layout?.dataDir ?? '')}) was created by PostgreSQL ${wanted}, but only ${installs.map((i) => i.major).join(', ')} is installed`,
    `Install PostgreSQL ${wanted} (apt-get install -y postgresql-${wanted}), or run \`node scripts/services.mjs down\` and delete that folder to start over with an empty database.`,
  );
}

/** @param {string} binDir */
function hasPgServerBinaries(binDir) {
  return ['initdb', 'pg_ctl', 'postgres'].every((b) => isExecutable(path.join(binDir, b)));
}

/** @param {string} file */
function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * @param {string} name
 * @returns {string | null}
 */
function findExecutable(name) {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  for (const extra of ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin']) {
    if (!dirs.includes(extra)) dirs.push(extra);
  }
  for (const dir of dirs) {
    const file = path.join(dir, name);
    if (isExecutable(file)) return file;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL
// ---------------------------------------------------------------------------------------------

/**
 * @param {string} base
 * @returns {PgLayout}
 */
function pgLayoutAt(base) {
  return {
    base,
    dataDir: path.join(base, 'postgres'),
    runDir: path.join(base, 'run'),
    logFile: path.join(base, 'postgres.log'),
  };
}

/** @param {string} root */
function fallbackPgBase(root) {
  return path.join(FALLBACK_DATA_ROOT, createHash('sha1').update(root).digest('hex').slice(0, 8));
}

/**
 * The layout of an initialised cluster (in the repo, or the fallback location), if any.
 *
 * @param {string} root
 * @returns {PgLayout | null}
 */
function existingPgLayout(root) {
  for (const base of [path.join(root, '.data'), fallbackPgBase(root)]) {
    const layout = pgLayoutAt(base);
    if (readPgVersion(layout.dataDir)) return layout;
  }
  return null;
}

/**
 * @param {string} dataDir
 * @returns {string | null}
 */
function readPgVersion(dataDir) {
  try {
    return fs.readFileSync(path.join(dataDir, 'PG_VERSION'), 'utf8').trim() || null;
  } catch (e) {
    if (errCode(e) === 'EACCES') throw notOursError(dataDir);
    return null;
  }
}

/** @param {string} root */
function pgPasswordFile(root) {
  return path.join(root, '.data', 'postgres.password');
}

/**
 * @param {Ctx} ctx
 * @param {string[]} databases
 * @param {PgInstallation} install
 * @returns {Promise<Record<string, string>>}
 */
async function localPostgres(ctx, databases, install) {
  const port = portFromEnv('LOCAL_PG_PORT', DEFAULT_PG_PORT);
  const existing = existingPgLayout(ctx.root);
  const existingPassword = existing ? readPgPassword(ctx.root) : null;
  const pm = existing ? await runningPostmaster(existing) : null;
  const reused = pm !== null && pm.port === port;
  if (!reused) {
    if (await isPortOpen(HOST, port))
      throw portBusyError('postgres', port, 'LOCAL_PG_PORT', 'DATABASE_URL', 'PostgreSQL');
    if (existing && pm) {
      ctx.log(
        `postgres: project-local instance is running on port ${pm.port}; restarting it on ${port} (LOCAL_PG_PORT)`,
      );
      const r = await runAsPg(ctx, path.join(install.binDir, 'pg_ctl'), [
        'stop',
        '-D',
        existing.dataDir,
        '-m',
        'fast',
        '-w',
      ]);
      if (r.code !== 0) throw new ServiceError(`postgres: pg_ctl stop failed (exit ${r.code})`, outputOf(r));
    }
  }
  const layout = existing ?? (await choosePgLayout(ctx));
  const password = existingPassword ?? (await initPgCluster(ctx, install, layout));
  if (!reused) await startPostgres(ctx, install, layout, port);

  const pg = await loadPg();
  /** @type {PgClientConfig} */
  const config = {
    host: HOST,
    port,
    user: PG_SUPERUSER,
    password,
    database: 'postgres',
    ssl: false,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  };
  /** @type {PgClient} */
  let client;
  try {
    client = await openPgClient(pg.Client, config, reused ? 1 : 20);
  } catch (e) {
    const code = errCode(e);
    if (code === '28P01' || code === '28000') {
      throw new ServiceError(
        `postgres: the project-local instance rejects the password in ${displayPath(ctx.root, pgPasswordFile(ctx.root))}`,
        `Start over with an empty database: \`node scripts/services.mjs down\`, then delete ${displayPath(ctx.root, layout.dataDir)} and ${displayPath(ctx.root, pgPasswordFile(ctx.root))}.`,
      );
    }
    throw new ServiceError(
      `postgres: cannot connect to the project-local instance on ${HOST}:${port}: ${errMessage(e)}`,
      `Its log is ${layout.logFile}. Try \`node scripts/services.mjs down\` and run the command again.`,
    );
  }

  const where = displayPath(ctx.root, layout.dataDir);
  if (reused) ctx.log(`postgres: reusing project-local instance on ${HOST}:${port} (data: ${where})`);
  else ctx.log(`postgres: started project-local instance on ${HOST}:${port} (data: ${where})`);

  try {
    const created = await ensureDatabases(client, databases, 'the project-local instance');
    for (const db of created) ctx.log(`postgres: created database ${db}`);
  } finally {
    await client.end().catch(() => undefined);
  }

  const auth = `${encodeURIComponent(PG_SUPERUSER)}:${encodeURIComponent(password)}`;
  return Object.fromEntries(
    databases.map((db) => [db, `postgres://${auth}@${HOST}:${port}/${encodeURIComponent(db)}`]),
  );
}

/**
 * @param {string} root
 * @returns {string}
 */
function readPgPassword(root) {
  const file = pgPasswordFile(root);
  try {
    const pw = fs.readFileSync(file, 'utf8').trim();
    if (pw) return pw;
  } catch (e) {
    if (errCode(e) === 'EACCES') throw notOursError(file);
    if (errCode(e) !== 'ENOENT') throw e;
  }
  throw new ServiceError(
    `postgres: the project-local database exists but its password file ${displayPath(root, file)} is missing`,
    'Start over with an empty database: `node scripts/services.mjs down`, then delete .data/postgres (and /var/lib/meshplane/* if it was used).',
  );
}

/**
 * Where to create a new cluster: `<root>/.data`, unless the server (running as the `postgres`
 * system user when we are root) cannot reach it.
 *
 * @param {Ctx} ctx
 * @returns {Promise<PgLayout>}
 */
async function choosePgLayout(ctx) {
  const primary = pgLayoutAt(ensureDataDir(ctx));
  if (!ctx.asRoot) return primary;
  await systemUserIds(PG_SYSTEM_USER); // clear message if it does not exist
  const probe = await run('runuser', ['-u', PG_SYSTEM_USER, '--', 'test', '-x', primary.base]).catch(() => null);
  if (probe && probe.code === 0) return primary;
  const fallback = pgLayoutAt(fallbackPgBase(ctx.root));
  ctx.log(
    `postgres: the '${PG_SYSTEM_USER}' system user cannot reach ${primary.base} (a parent folder is not traversable); keeping the data in ${fallback.dataDir} instead`,
  );
  return fallback;
}

/**
 * Creates a fresh cluster (superuser `meshplane`, random password saved in .data/postgres.password).
 *
 * @param {Ctx} ctx
 * @param {PgInstallation} install
 * @param {PgLayout} layout
 * @returns {Promise<string>} The superuser password.
 */
async function initPgCluster(ctx, install, layout) {
  const owner = ctx.asRoot ? await systemUserIds(PG_SYSTEM_USER) : null;
  mkdirMode(layout.base, 0o755);
  // No PG_VERSION here (else the layout would have been found): leftovers of a failed initdb.
  fs.rmSync(layout.dataDir, { recursive: true, force: true });
  mkdirMode(layout.dataDir, 0o700);
  if (owner) fs.chownSync(layout.dataDir, owner.uid, owner.gid);

  const password = randomBytes(24).toString('base64url');
  writeSecret(pgPasswordFile(ctx.root), `${password}\n`);
  const pwFile = path.join(layout.base, `.initdb-pw-${randomBytes(6).toString('hex')}`);
  fs.writeFileSync(pwFile, `${password}\n`, { mode: 0o600 });
  if (owner) fs.chownSync(pwFile, owner.uid, owner.gid);

  ctx.log(
    `postgres: initialising project-local cluster (PostgreSQL ${install.major}, data: ${displayPath(ctx.root, layout.dataDir)})`,
  );
  try {
    for (const locale of ['C.UTF-8', 'C']) {
      const r = await runAsPg(ctx, path.join(install.binDir, 'initdb'), [
        '-D',
        layout.dataDir,
        '-U',
        PG_SUPERUSER,
        `--pwfile=${pwFile}`,
        '--auth-host=scram-sha-256',
        '--auth-local=peer',
        '-E',
        'UTF8',
        `--locale=${locale}`,
      ]);
      if (r.code === 0) return password;
      if (locale !== 'C' && /locale/i.test(r.stdout + r.stderr)) {
        ctx.log('postgres: locale C.UTF-8 is not available here; using C');
        continue;
      }
      throw new ServiceError(`postgres: initdb failed (exit ${r.code})`, outputOf(r));
    }
    throw new ServiceError('postgres: initdb failed'); // not reached: the 'C' attempt returns or throws
  } finally {
    fs.rmSync(pwFile, { force: true });
  }
}

/**
 * @param {Ctx} ctx
 * @param {PgInstallation} install
 * @param {PgLayout} layout
 * @param {number} port
 */
async function startPostgres(ctx, install, layout, port) {
  const owner = ctx.asRoot ? await systemUserIds(PG_SYSTEM_USER) : null;
  mkdirMode(layout.runDir, 0o700);
  // Nothing of ours is running (checked by the caller): socket lock files left by a crashed
  // server would block the start ("lock file ... already exists"), as its pid may live on.
  for (const name of fs.readdirSync(layout.runDir)) {
    if (name.startsWith('.s.PGSQL.')) fs.rmSync(path.join(layout.runDir, name), { force: true });
  }
  if (!fs.existsSync(layout.logFile)) fs.writeFileSync(layout.logFile, '', { mode: 0o600 });
  if (owner) {
    fs.chownSync(layout.runDir, owner.uid, owner.gid);
    fs.chownSync(layout.logFile, owner.uid, owner.gid);
  }
  // Unix socket paths are limited to ~107 bytes; deep checkouts just go without one (TCP only).
  const socketDir = Buffer.byteLength(path.join(layout.runDir, `.s.PGSQL.${port}`)) <= 100 ? layout.runDir : '';
  const serverOptions = `-h ${HOST} -p ${port} -k ${shellQuote(socketDir)}`;

  const r = await runAsPg(ctx, path.join(install.binDir, 'pg_ctl'), [
    'start',
    '-w',
    '-t',
    '60',
    '-D',
    layout.dataDir,
    '-l',
    layout.logFile,
    '-o',
    serverOptions,
  ]);
  if (r.code !== 0) {
    throw new ServiceError(
      `postgres: could not start the project-local instance on ${HOST}:${port} (pg_ctl exit ${r.code})`,
      `${tailFile(layout.logFile) || outputOf(r)}\n(full log: ${layout.logFile})`,
    );
  }
}

/**
 * Our postmaster, once it is ready; null when none is running (stale pid files are cleared).
 *
 * @param {PgLayout} layout
 * @returns {Promise<PostmasterInfo | null>}
 */
async function runningPostmaster(layout) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const pm = readPostmasterPid(layout.dataDir);
    if (!pm) return null;
    if (!isOurProcess(pm.pid, layout.dataDir, 'postgres')) {
      // Left behind by a crash or reboot. If its pid is now a zombie or another live process, the
      // server would refuse to start ("lock file already exists"), so remove it. (PostgreSQL's
      // shared-memory interlock still protects the data should this judgement ever be wrong.)
      fs.rmSync(path.join(layout.dataDir, 'postmaster.pid'), { force: true });
      return null;
    }
    if (pm.status === 'ready' || pm.status === 'standby') return pm;
    if (Date.now() > deadline) {
      throw new ServiceError(
        `postgres: the project-local instance (pid ${pm.pid}) has been "${pm.status || 'starting'}" for a minute`,
        `See ${layout.logFile}.`,
      );
    }
    await sleep(100); // starting or stopping
  }
}

/**
 * @param {string} dataDir
 * @returns {PostmasterInfo | null}
 */
function readPostmasterPid(dataDir) {
  let text;
  try {
    text = fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8');
  } catch (e) {
    if (errCode(e) === 'EACCES') throw notOursError(dataDir);
    return null;
  }
  const lines = text.split('\n');
  const pid = Number(lines[0]);
  if (!Number.isInteger(pid) || pid <= 0) return null;
  return { pid, port: Number(lines[3]), status: (lines[7] ?? '').trim() };
}

/**
 * @param {PgClient} client
 * @param {string[]} databases
 * @param {string} where For messages.
 * @returns {Promise<string[]>} The databases created.
 */
async function ensureDatabases(client, databases, where) {
  if (databases.length === 0) return [];
  const { rows } = await client.query('SELECT datname FROM pg_database WHERE datname = ANY($1::text[])', [databases]);
  const existing = new Set(rows.map((r) => String(r.datname)));
  /** @type {string[]} */
  const created = [];
  for (const db of databases) {
    if (existing.has(db)) continue;
    try {
      await client.query(`CREATE DATABASE ${quoteIdent(db)}`);
      created.push(db);
    } catch (e) {
      const code = errCode(e);
      if (code === '42P04' || code === '23505') continue; // created concurrently by someone else
      if (code === '42501') {
        throw new ServiceError(
          `postgres: database "${db}" does not exist on ${where}, and this user may not create it: ${errMessage(e)}`,
          `Create it as an administrator (CREATE DATABASE ${quoteIdent(db)} OWNER <user>;) or grant the user CREATEDB, then run the command again.`,
        );
      }
      throw new ServiceError(`postgres: could not create database "${db}" on ${where}: ${errMessage(e)}`);
    }
  }
  return created;
}

/**
 * @param {Ctx} ctx
 * @param {string} rawUrl
 * @param {string[]} databases
 * @returns {Promise<Record<string, string>>}
 */
async function externalPostgres(ctx, rawUrl, databases) {
  const masked = maskUrl(rawUrl);
  /** @type {URL} */
  let url;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new ServiceError(
      `DATABASE_URL is not a valid URL: ${masked}`,
      'Expected postgres://user:password@host:5432/dbname',
    );
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ServiceError(`DATABASE_URL must start with postgres:// or postgresql:// (got ${masked})`);
  }
  const urlDb = decodeURIComponent(url.pathname.replace(/^\//, ''));
  const pg = await loadPg();
  /** @type {(e: unknown) => ServiceError} */
  const unreachable = (e) => {
    const code = errCode(e);
    const hint =
      code === '28P01' || code === '28000'
        ? 'Check the user name and password in DATABASE_URL.'
        : `Make sure that server is running and reachable from here, or unset DATABASE_URL to let this project run its own PostgreSQL on ${HOST}:${DEFAULT_PG_PORT}.`;
    return new ServiceError(`postgres: cannot connect to DATABASE_URL (${masked}): ${errMessage(e)}`, hint);
  };

  /** @type {PgClient | undefined} */
  let client;
  try {
    client = await openPgClient(
      pg.Client,
      { connectionString: rawUrl, connectionTimeoutMillis: CONNECT_TIMEOUT_MS },
      1,
    );
  } catch (e) {
    if (errCode(e) !== '3D000') throw unreachable(e);
    // The URL's own database does not exist yet: manage databases from a maintenance database.
    for (const admin of ['postgres', 'template1']) {
      try {
        client = await openPgClient(
          pg.Client,
          { connectionString: withDatabase(rawUrl, admin), connectionTimeoutMillis: CONNECT_TIMEOUT_MS },
          1,
        );
        break;
      } catch (e2) {
        if (errCode(e2) !== '3D000') throw unreachable(e2);
      }
    }
    if (!client) throw unreachable(e);
  }

  ctx.log(`postgres: using DATABASE_URL (${masked})`);
  try {
    const created = await ensureDatabases(client, databases, `the DATABASE_URL server (${masked})`);
    for (const db of created) ctx.log(`postgres: created database ${db} on the DATABASE_URL server`);
  } finally {
    await client.end().catch(() => undefined);
  }
  return Object.fromEntries(databases.map((db) => [db, db === urlDb ? rawUrl : withDatabase(rawUrl, db)]));
}

/**
 * @param {Ctx} ctx
 */
async function stopLocalPostgres(ctx) {
  const layout = existingPgLayout(ctx.root);
  const pm = layout && readPostmasterPid(layout.dataDir);
  if (!layout || !pm || !isOurProcess(pm.pid, layout.dataDir, 'postgres')) {
    ctx.log('postgres: project-local instance is not running');
    return false;
  }
  const version = readPgVersion(layout.dataDir);
  const install = (await listPgInstallations()).find((i) => i.major === version);
  if (install) {
    const r = await runAsPg(ctx, path.join(install.binDir, 'pg_ctl'), [
      'stop',
      '-D',
      layout.dataDir,
      '-m',
      'fast',
      '-w',
      '-t',
      '60',
    ]);
    if (r.code !== 0) throw new ServiceError(`postgres: pg_ctl stop failed (exit ${r.code})`, outputOf(r));
  } else {
    process.kill(pm.pid, 'SIGINT'); // what `pg_ctl stop -m fast` sends
    if (!(await waitGone(pm.pid, 60_000))) throw new ServiceError(`postgres: pid ${pm.pid} did not stop within 60 s`);
  }
  ctx.log(`postgres: stopped project-local instance (data kept in ${displayPath(ctx.root, layout.dataDir)})`);
  return true;
}

/**
 * Connects, retrying while the server is still coming up.
 *
 * @param {typeof import('pg').Client} Client
 * @param {PgClientConfig} config
 * @param {number} attempts
 * @returns {Promise<PgClient>}
 */
async function openPgClient(Client, config, attempts) {
  for (let i = 1; ; i++) {
    const client = new Client(config);
    client.on('error', () => undefined); // a dropped idle connection must not crash the caller
    try {
      await client.connect();
      return client;
    } catch (e) {
      await client.end().catch(() => undefined);
      const code = errCode(e);
      const transient = code === 'ECONNREFUSED' || code === '57P03' || code === 'ECONNRESET';
      if (i >= attempts || !transient) throw e;
      await sleep(250);
    }
  }
}

/** @returns {Promise<typeof import('pg').default>} */
async function loadPg() {
  return (await import('pg')).default;
}

/**
 * Runs a PostgreSQL server program: as the `postgres` system user when we are root (the server
 * refuses to run as root), else as ourselves.
 *
 * @param {Ctx} ctx
 * @param {string} program
 * @param {string[]} args
 */
async function runAsPg(ctx, program, args) {
  if (!ctx.asRoot) return run(program, args);
  try {
    return await run('runuser', ['-u', PG_SYSTEM_USER, '--', program, ...args]);
  } catch (e) {
    throw new ServiceError(
      `cannot run ${path.basename(program)} as the '${PG_SYSTEM_USER}' user: ${errMessage(e)}`,
      'runuser (util-linux) is needed when running as root.',
    );
  }
}

/**
 * @param {string} name
 * @returns {Promise<{ uid: number, gid: number }>}
 */
async function systemUserIds(name) {
  const [u, g] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])]);
  const uid = Number(u.stdout.trim());
  const gid = Number(g.stdout.trim());
  if (u.code !== 0 || g.code !== 0 || !Number.isInteger(uid) || !Number.isInteger(gid)) {
    throw new ServiceError(
      `the '${name}' system user does not exist (PostgreSQL refuses to run as root and runs as that user)`,
      'It is created by the Debian/Ubuntu package: apt-get install -y postgresql',
    );
  }
  return { uid, gid };
}

/**
 * @param {string} url
 * @param {string} db
 */
function withDatabase(url, db) {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(db)}`;
  return u.href;
}

/** @param {string} name */
function quoteIdent(name) {
  return `"${name.replaceAll('"', '""')}"`;
}

// ---------------------------------------------------------------------------------------------
// Redis
// ---------------------------------------------------------------------------------------------

/** @param {string} root */
function redisDir(root) {
  return path.join(root, '.data', 'redis');
}

function localRedisPort() {
  return portFromEnv('LOCAL_REDIS_PORT', DEFAULT_REDIS_PORT);
}

/**
 * @param {Ctx} ctx
 * @param {string} redisServer
 * @returns {Promise<string>}
 */
async function localRedis(ctx, redisServer) {
  const port = localRedisPort();
  const dir = redisDir(ctx.root);
  const pidFile = path.join(dir, 'redis.pid');
  const logFile = path.join(dir, 'redis.log');
  const url = `redis://${HOST}:${port}`;

  const pid = runningRedisPid(dir);
  if (pid) {
    const info = await redisInfo(port, 2000).catch(() => null);
    if (info && info.pid === pid) {
      ctx.log(`redis: reusing project-local instance on ${HOST}:${port} (data: ${displayPath(ctx.root, dir)})`);
      return url;
    }
  }
  if (await isPortOpen(HOST, port)) {
    // Ours after all if it runs in our folder (its pid file was lost): adopt it.
    const info = await redisInfo(port, 2000).catch(() => null);
    if (info && info.pid !== pid && isOurProcess(info.pid, dir, 'redis', true)) {
      writeSecret(pidFile, `${info.pid}\n`);
      ctx.log(`redis: reusing project-local instance on ${HOST}:${port} (data: ${displayPath(ctx.root, dir)})`);
      return url;
    }
    throw portBusyError('redis', port, 'LOCAL_REDIS_PORT', 'REDIS_URL', 'Redis');
  }
  if (pid) {
    ctx.log(`redis: project-local instance (pid ${pid}) is not serving ${HOST}:${port}; restarting it there`);
    process.kill(pid, 'SIGTERM');
    if (!(await waitGone(pid, 10_000))) throw new ServiceError(`redis: pid ${pid} did not stop within 10 s`);
  }

  ensureDataDir(ctx);
  mkdirMode(dir, 0o700);
  const r = await run(redisServer, [
    '--bind',
    HOST,
    '--port',
    String(port),
    '--protected-mode',
    'yes',
    '--daemonize',
    'yes',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
    '--pidfile',
    pidFile,
    '--logfile',
    logFile,
  ]);
  if (r.code !== 0) {
    throw new ServiceError(
      `redis: could not start ${redisServer} (exit ${r.code})`,
      [outputOf(r), tailFile(logFile)].filter(Boolean).join('\n'),
    );
  }
  const deadline = Date.now() + 10_000;
  while (!(await redisInfo(port, 1000).catch(() => null))) {
    if (Date.now() > deadline) {
      throw new ServiceError(
        `redis: the project-local instance did not answer on ${HOST}:${port} within 10 s`,
        `${tailFile(logFile)}\n(full log: ${logFile})`,
      );
    }
    await sleep(50);
  }
  ctx.log(`redis: started project-local instance on ${HOST}:${port} (data: ${displayPath(ctx.root, dir)})`);
  return url;
}

/**
 * Pid of our redis-server, if its pid file points at a live one.
 *
 * @param {string} dir
 * @returns {number | null}
 */
function runningRedisPid(dir) {
  let pid;
  try {
    pid = Number(fs.readFileSync(path.join(dir, 'redis.pid'), 'utf8').trim());
  } catch (e) {
    if (errCode(e) === 'EACCES') throw notOursError(dir);
    return null;
  }
  return Number.isInteger(pid) && pid > 0 && isOurProcess(pid, dir, 'redis') ? pid : null;
}

/**
 * @param {Ctx} ctx
 * @param {string} rawUrl
 * @returns {Promise<string>}
 */
async function externalRedis(ctx, rawUrl) {
  const masked = maskUrl(rawUrl);
  /** @type {URL} */
  let url;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new ServiceError(`REDIS_URL is not a valid URL: ${masked}`, 'Expected redis://[:password@]host:6379[/db]');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new ServiceError(`REDIS_URL must start with redis:// or rediss:// (got ${masked})`);
  }
  /** @type {RedisTarget} */
  const target = {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1') || 'localhost',
    port: Number(url.port || 6379),
    tls: url.protocol === 'rediss:',
  };
  const username = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  /** @type {string[][]} */
  const commands = [];
  if (password) commands.push(username ? ['AUTH', username, password] : ['AUTH', password]);
  commands.push(['PING']);

  /** @type {RedisReply[]} */
  let replies;
  try {
    replies = await redisCommands(target, commands);
  } catch (e) {
    throw new ServiceError(
      `redis: cannot reach REDIS_URL (${masked}): ${errMessage(e)}`,
      `Make sure that server is running and reachable from here, or unset REDIS_URL to let this project run its own Redis on ${HOST}:${DEFAULT_REDIS_PORT}.`,
    );
  }
  const auth = password ? replies[0] : undefined;
  if (auth && auth.type === '-' && !/without any password configured/i.test(auth.value ?? '')) {
    throw new ServiceError(
      `redis: REDIS_URL (${masked}) rejected the credentials: ${auth.value}`,
      'Check the password (and user name) in REDIS_URL.',
    );
  }
  const pong = replies[replies.length - 1];
  if (pong?.type === '-' && /^NOAUTH/.test(pong.value ?? '')) {
    ctx.log(`redis: REDIS_URL (${masked}) is reachable but asks for a password, which the URL does not contain`);
  } else if (!(pong?.type === '+' && pong.value === 'PONG')) {
    throw new ServiceError(
      `redis: unexpected answer to PING from REDIS_URL (${masked}): ${pong?.type ?? ''}${pong?.value ?? ''}`,
    );
  }
  ctx.log(`redis: using REDIS_URL (${masked})`);
  return rawUrl;
}

/**
 * @param {Ctx} ctx
 */
async function stopLocalRedis(ctx) {
  const dir = redisDir(ctx.root);
  const pid = runningRedisPid(dir);
  if (!pid) {
    ctx.log('redis: project-local instance is not running');
    return false;
  }
  const port = localRedisPort();
  const info = await redisInfo(port, 2000).catch(() => null);
  if (info && info.pid === pid) {
    await redisCommands({ host: HOST, port }, [['SHUTDOWN', 'NOSAVE']], { closeOk: true }).catch(() => undefined);
  }
  if (!(await waitGone(pid, 5000))) {
    process.kill(pid, 'SIGTERM'); // not on the configured port (LOCAL_REDIS_PORT changed?) or refused
    if (!(await waitGone(pid, 10_000))) throw new ServiceError(`redis: pid ${pid} did not stop within 15 s`);
  }
  ctx.log(`redis: stopped project-local instance`);
  return true;
}

/**
 * `INFO server` of the Redis on 127.0.0.1:port (also proves it answers).
 *
 * @param {number} port
 * @param {number} timeoutMs
 * @returns {Promise<{ pid: number, port: number }>}
 */
async function redisInfo(port, timeoutMs) {
  const [reply] = await redisCommands({ host: HOST, port }, [['INFO', 'server']], { timeoutMs });
  if (!reply || reply.type !== '$' || reply.value === null)
    throw new Error(`unexpected reply ${reply?.type}${reply?.value}`);
  const field = (/** @type {string} */ name) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(reply.value ?? '')?.[1]);
  return { pid: field('process_id'), port: field('tcp_port') };
}

/**
 * Sends commands over one raw connection and returns one reply per command (simple strings,
 * errors, integers and bulk strings; enough for AUTH/PING/INFO/SHUTDOWN).
 *
 * @param {RedisTarget} target
 * @param {string[][]} commands
 * @param {{ timeoutMs?: number, closeOk?: boolean }} [options] closeOk: the server closing the
 *   connection early is fine (SHUTDOWN); resolves with the replies received so far.
 * @returns {Promise<RedisReply[]>}
 */
function redisCommands(target, commands, options = {}) {
  const timeoutMs = options.timeoutMs ?? CONNECT_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const payload = commands
      .map((args) => `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`)
      .join('');
    const onConnect = () => {
      socket.write(payload);
    };
    const socket = target.tls
      ? tls.connect(
          { host: target.host, port: target.port, ...(net.isIP(target.host) ? {} : { servername: target.host }) },
          onConnect,
        )
      : net.connect({ host: target.host, port: target.port }, onConnect);
    /** @type {RedisReply[]} */
    const replies = [];
    let buffer = Buffer.alloc(0);
    let settled = false;
    /** @param {Error | null} err */
    const finish = (err) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(replies);
    };
    const timer = setTimeout(() => finish(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      try {
        /** @type {{ reply: RedisReply, next: number } | null} */
        let parsed;
        while (replies.length < commands.length && (parsed = parseRedisReply(buffer))) {
          replies.push(parsed.reply);
          buffer = buffer.subarray(parsed.next);
        }
      } catch (e) {
        finish(e instanceof Error ? e : new Error(String(e)));
        return;
      }
      if (replies.length === commands.length) finish(null);
    });
    socket.on('error', (e) => finish(e));
    socket.on('close', () =>
      finish(options.closeOk ? null : new Error('connection closed before the server answered')),
    );
  });
}

/**
 * @param {Buffer} buf
 * @returns {{ reply: RedisReply, next: number } | null} null: incomplete.
 */
function parseRedisReply(buf) {
  const eol = buf.indexOf('\r\n');
  if (eol < 0) return null;
  const type = String.fromCharCode(buf[0] ?? 0);
  const line = buf.toString('utf8', 1, eol);
  if (type === '+' || type === '-' || type === ':') return { reply: { type, value: line }, next: eol + 2 };
  if (type === '$') {
    const len = Number(line);
    if (len < 0) return { reply: { type, value: null }, next: eol + 2 };
    if (buf.length < eol + 2 + len + 2) return null;
    return { reply: { type, value: buf.toString('utf8', eol + 2, eol + 2 + len) }, next: eol + 2 + len + 2 };
  }
  throw new Error(
    `unexpected reply from the server: ${JSON.stringify(buf.toString('utf8', 0, Math.min(buf.length, 40)))}`,
  );
}

// ---------------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------------

function isRoot() {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** @param {string} name */
function envValue(name) {
  const v = process.env[name]?.trim();
  return v ? v : undefined;
}

/**
 * @param {string} name
 * @param {number} fallback
 */
function portFromEnv(name, fallback) {
  const raw = envValue(name);
  if (raw === undefined) return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ServiceError(`${name} must be a TCP port number (1-65535), got ${JSON.stringify(raw)}`);
  }
  return port;
}

/**
 * @param {string} service
 * @param {number} port
 * @param {string} portVar
 * @param {string} urlVar
 * @param {string} product
 */
function portBusyError(service, port, portVar, urlVar, product) {
  return new ServiceError(
    `${service}: port ${port} on ${HOST} is already in use by another program, so the project-local ${product} cannot start there`,
    `Pick a free port, e.g. \`${portVar}=${port + 1} npm start\`, or set ${urlVar} to use an existing ${product} server.`,
  );
}

/**
 * Creates `<root>/.data` (git-ignored); when root, makes sure it can be traversed by the
 * `postgres` system user (o+x only: contents stay private).
 *
 * @param {Ctx} ctx
 * @returns {string}
 */
function ensureDataDir(ctx) {
  const dir = path.join(ctx.root, '.data');
  try {
    if (!fs.existsSync(dir)) mkdirMode(dir, 0o755);
    if (ctx.asRoot) {
      const st = fs.statSync(dir);
      if (st.uid === 0 && (st.mode & 0o001) === 0) fs.chmodSync(dir, (st.mode & 0o7777) | 0o001);
    }
  } catch (e) {
    if (errCode(e) === 'EACCES' || errCode(e) === 'EPERM') throw notOursError(dir);
    throw e;
  }
  return dir;
}

/**
 * mkdir -p, with `mode` applied to the final folder regardless of the umask.
 *
 * @param {string} dir
 * @param {number} mode
 */
function mkdirMode(dir, mode) {
  if (fs.existsSync(dir)) return;
  fs.mkdirSync(dir, { recursive: true, mode });
  fs.chmodSync(dir, mode);
}

/**
 * Writes a file readable only by its owner (atomically).
 *
 * @param {string} file
 * @param {string} content
 */
function writeSecret(file, content) {
  const tmp = `${file}.tmp-${randomBytes(4).toString('hex')}`;
  fs.writeFileSync(tmp, content, { mode: 0o600 });
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
}

/** @param {string} file */
function notOursError(file) {
  return new ServiceError(
    `no permission to use ${file}`,
    'It was probably set up by another user (e.g. root via sudo). Run the command as that user, or remove the .data folder (as that user) to start over.',
  );
}

/**
 * Cross-process lock around managing the local instances (`npm start` and `npm test`, or parallel
 * test workers, may start at the same moment).
 *
 * @param {Ctx} ctx
 * @returns {Promise<() => void>} Releases the lock.
 */
async function acquireLock(ctx) {
  const file = path.join(ensureDataDir(ctx), 'services.lock');
  const token = `${process.pid}:${randomBytes(6).toString('hex')}`;
  const deadline = Date.now() + 20 * 60_000;
  let announced = false;
  for (;;) {
    try {
      fs.writeFileSync(file, token, { flag: 'wx', mode: 0o644 });
      return () => {
        try {
          if (fs.readFileSync(file, 'utf8') === token) fs.unlinkSync(file);
        } catch {
          // already gone
        }
      };
    } catch (e) {
      const code = errCode(e);
      if (code === 'EACCES' || code === 'EPERM') throw notOursError(file);
      if (code !== 'EEXIST') throw e;
    }
    /** @type {{ pid: number, mtimeMs: number } | null} */
    let holder = null;
    try {
      holder = { pid: Number(fs.readFileSync(file, 'utf8').split(':')[0]), mtimeMs: fs.statSync(file).mtimeMs };
    } catch {
      continue; // released meanwhile
    }
    const bootTime = Date.now() - os.uptime() * 1000;
    const stale =
      holder.mtimeMs < bootTime || (holder.pid > 0 ? !processAlive(holder.pid) : Date.now() - holder.mtimeMs > 5000);
    if (stale) {
      fs.rmSync(file, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new ServiceError(
        `another process (pid ${holder.pid}) has been setting up the services for 20 minutes`,
        `If it is stuck, stop it, or delete ${file}.`,
      );
    }
    if (!announced) {
      ctx.log(`services: waiting for another process (pid ${holder.pid}) that is setting them up`);
      announced = true;
    }
    await sleep(100);
  }
}

/**
 * Whether `pid` is a live process (zombies waiting to be reaped by init do not count).
 *
 * @param {number} pid
 */
function processAlive(pid) {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if (errCode(e) !== 'EPERM') return false;
  }
  try {
    // "pid (comm) S ...": the state follows the last ')'.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    // Exited meanwhile, or no /proc (not Linux), where kill(0) is all we know.
    return !fs.existsSync('/proc/self/stat');
  }
}

/**
 * Whether `pid` is a live server of ours: both PostgreSQL and Redis chdir into their data folder,
 * so its working directory identifies it. Where /proc does not tell (no /proc, or no permission),
 * the process name decides, unless `strict`.
 *
 * @param {number} pid
 * @param {string} dir
 * @param {string} namePrefix
 * @param {boolean} [strict]
 */
function isOurProcess(pid, dir, namePrefix, strict = false) {
  if (!processAlive(pid)) return false;
  let cwd;
  try {
    cwd = fs.readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    if (strict) return false;
    try {
      return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim().startsWith(namePrefix);
    } catch {
      return true; // no /proc (not Linux): trust the pid file
    }
  }
  try {
    return cwd === fs.realpathSync(dir);
  } catch {
    return false;
  }
}

/**
 * @param {number} pid
 * @param {number} timeoutMs
 * @returns {Promise<boolean>} false if still alive.
 */
async function waitGone(pid, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (processAlive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

/**
 * @param {string} host
 * @param {number} port
 * @returns {Promise<boolean>}
 */
function isPortOpen(host, port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    /** @param {boolean} open */
    const done = (open) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Runs a program without a shell. `show` sends its output to our stderr (stdout may carry results).
 *
 * @param {string} cmd
 * @param {string[]} args
 * @param {{ env?: NodeJS.ProcessEnv, show?: boolean }} [options]
 * @returns {Promise<RunResult>}
 */
function run(cmd, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: '/', // the `postgres` user may not be able to enter the current folder
      env: options.env ?? process.env,
      stdio: options.show ? ['ignore', 2, 2] : ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.on('error', reject);
    /** @type {NodeJS.Timeout | undefined} */
    let grace;
    /** @param {number | null} code @param {NodeJS.Signals | null} signal */
    const done = (code, signal) => {
      clearTimeout(grace);
      child.stdout?.destroy();
      child.stderr?.destroy();
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    };
    child.on('close', done);
    // A daemon that inherited our pipes must not keep us waiting once its launcher has exited.
    child.on('exit', (code, signal) => {
      grace = setTimeout(() => done(code, signal), 1000);
    });
  });
}

/** @param {RunResult} r */
function outputOf(r) {
  return `${r.stdout}${r.stderr}`.trim();
}

/**
 * @param {string} file
 * @param {number} [lines]
 */
function tailFile(file, lines = 15) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** @param {string} s */
function shellQuote(s) {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/**
 * @param {string} root
 * @param {string} p
 */
function displayPath(root, p) {
  const rel = path.relative(root, p);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : p;
}

/**
 * The URL with its password replaced by ****, for messages.
 *
 * @param {string} raw
 */
export function maskUrl(raw) {
  try {
    const u = new URL(raw);
    if (u.password) u.password = '****';
    return u.href;
  } catch {
    return raw.replace(/\/\/([^/@:]*):[^/@]*@/, '//$1:****@');
  }
}

/** @param {unknown} e */
function errCode(e) {
  return e && typeof e === 'object' && 'code' in e ? String(e.code) : '';
}

/**
 * @param {unknown} e
 * @returns {string}
 */
function errMessage(e) {
  if (e instanceof AggregateError && !e.message) return e.errors.map(errMessage).join('; ');
  if (e instanceof Error) return e.message || errCode(e) || e.name;
  return String(e);
}

/** @param {number} ms */
function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
