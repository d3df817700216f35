// @ts-check
/**
 * Makes PostgreSQL and Redis reachable for `npm start` / `npm test` on a fresh Debian/Ubuntu machine.
 *
 * - DATABASE_URL set: check that server answers and create the requested databases on it.
 *   Otherwise run a project-local PostgreSQL: data in <root>/.data/postgres, 127.0.0.1 only,
 *   port 55432 (LOCAL_PG_PORT).
 * - REDIS_URL set: check it answers PING. Otherwise run a project-local Redis: data in
 *   <root>/.data/redis, 127.0.0.1 only, port 56379 (LOCAL_REDIS_PORT).
 * - Server binaries missing: installed with apt-get when running as root, without starting or
 *   enabling the system services they ship (services/apt.mjs); otherwise the error says exactly
 *   what to install.
 *
 * One module per concern under services/: postgres, redis, apt (system packages), lock (one
 * process at a time sets the instances up), with context, processes and errors beneath them.
 *
 * Only Node built-ins (plus `pg`, loaded lazily): this runs before anything else. Never touches
 * system services or the default ports 5432/6379, and never logs a password.
 */
import fs from 'node:fs';
import path from 'node:path';
import { aptInstall, missingPackagesError } from './services/apt.mjs';
import { envValue, makeCtx, maskUrl } from './services/context.mjs';
import { ServiceError } from './services/errors.mjs';
import { acquireLock, serialized } from './services/lock.mjs';
import {
  externalPostgres,
  findPgInstallation,
  localPostgres,
  statusLocalPostgres,
  stopLocalPostgres,
} from './services/postgres.mjs';
import { findExecutable } from './services/processes.mjs';
import { externalRedis, localRedis, statusLocalRedis, stopLocalRedis } from './services/redis.mjs';

export { ServiceError, maskUrl };

/** @typedef {import('./services/context.mjs').Log} Log */
/** @typedef {import('./services/context.mjs').Ctx} Ctx */
/** @typedef {import('./services/postgres.mjs').PgInstallation} PgInstallation */

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

/** @typedef {import('./services/context.mjs').LocalServiceStatus} LocalServiceStatus */

/**
 * @typedef {object} ServicesStatus
 * @property {LocalServiceStatus} postgres
 * @property {LocalServiceStatus} redis
 * @property {string | undefined} databaseUrl DATABASE_URL with the password masked, if set.
 * @property {string | undefined} redisUrl REDIS_URL with the password masked, if set.
 */

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

  const [postgres, redis] = await Promise.all([statusLocalPostgres(root), statusLocalRedis(root)]);
  return {
    postgres,
    redis,
    databaseUrl: databaseUrl && maskUrl(databaseUrl),
    redisUrl: redisUrl && maskUrl(redisUrl),
  };
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
