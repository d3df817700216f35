// @ts-check
// PostgreSQL: the project-local cluster (data in <root>/.data/postgres, 127.0.0.1 only, port
// 55432 or LOCAL_PG_PORT) or the server DATABASE_URL names, with the requested databases created.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  CONNECT_TIMEOUT_MS,
  HOST,
  displayPath,
  ensureDataDir,
  maskUrl,
  mkdirMode,
  portBusyError,
  portFromEnv,
  writeSecret,
} from './context.mjs';
import { ServiceError, errCode, errMessage, notOursError } from './errors.mjs';
import {
  isExecutable,
  isOurProcess,
  isPortOpen,
  outputOf,
  run,
  shellQuote,
  sleep,
  tailFile,
  waitGone,
} from './processes.mjs';

/** @typedef {import('./context.mjs').Ctx} Ctx */
/** @typedef {import('./context.mjs').LocalServiceStatus} LocalServiceStatus */
/** @typedef {{ base: string, dataDir: string, runDir: string, logFile: string }} PgLayout */
/** @typedef {{ binDir: string, major: string }} PgInstallation */
/** @typedef {{ pid: number, port: number, status: string }} PostmasterInfo */
/** @typedef {import('pg').Client} PgClient */
/** @typedef {import('pg').ClientConfig} PgClientConfig */

const PG_SUPERUSER = 'meshplane';

const PG_SYSTEM_USER = 'postgres';

const DEFAULT_PG_PORT = 55432;

const PG_LIB_DIR = '/usr/lib/postgresql';

const FALLBACK_DATA_ROOT = '/var/lib/meshplane';

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
export async function findPgInstallation(root) {
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
export async function localPostgres(ctx, databases, install) {
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
export async function externalPostgres(ctx, rawUrl, databases) {
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
export async function stopLocalPostgres(ctx) {
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

/**
 * Whether the project-local cluster is running, and where its data is. Starts nothing.
 *
 * @param {string} root
 * @returns {Promise<LocalServiceStatus>}
 */
export async function statusLocalPostgres(root) {
  const layout = existingPgLayout(root);
  if (!layout) return { running: false };
  const pm = readPostmasterPid(layout.dataDir);
  if (pm && isOurProcess(pm.pid, layout.dataDir, 'postgres')) {
    return { running: true, pid: pm.pid, address: `${HOST}:${pm.port}`, dataDir: layout.dataDir };
  }
  return { running: false, dataDir: layout.dataDir };
}
