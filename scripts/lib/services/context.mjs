// @ts-check
// What every service module shares: the loopback address the project-local instances listen on,
// the caller's context (root, log, whether we are root), settings read from the environment, and
// the git-ignored <root>/.data folder they keep their files in.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ServiceError, errCode, notOursError } from './errors.mjs';
import { isRoot } from './processes.mjs';

/** @typedef {(msg: string) => void} Log */
/** @typedef {{ root: string, log: Log, asRoot: boolean }} Ctx */

/**
 * @typedef {object} LocalServiceStatus
 * @property {boolean} running
 * @property {number} [pid]
 * @property {string} [address] `host:port` it listens on, when known.
 * @property {string} [dataDir] Where its data lives (absent if never started).
 */

export const HOST = '127.0.0.1';

export const CONNECT_TIMEOUT_MS = 5000;

/**
 * @param {string} root
 * @param {Log | undefined} log
 * @returns {Ctx}
 */
export function makeCtx(root, log) {
  return { root: path.resolve(root), log: log ?? ((msg) => console.error(msg)), asRoot: isRoot() };
}

/** @param {string} name */
export function envValue(name) {
  const v = process.env[name]?.trim();
  return v ? v : undefined;
}

/**
 * @param {string} name
 * @param {number} fallback
 */
export function portFromEnv(name, fallback) {
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
export function portBusyError(service, port, portVar, urlVar, product) {
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
export function ensureDataDir(ctx) {
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
export function mkdirMode(dir, mode) {
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
export function writeSecret(file, content) {
  const tmp = `${file}.tmp-${randomBytes(4).toString('hex')}`;
  fs.writeFileSync(tmp, content, { mode: 0o600 });
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
}

/**
 * @param {string} root
 * @param {string} p
 */
export function displayPath(root, p) {
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
