// @ts-check
// Serialises managing the local instances: within this process (a promise queue) and across
// processes (`npm start` and `npm test`, or parallel test workers, may start at the same moment).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureDataDir } from './context.mjs';
import { ServiceError, errCode, notOursError } from './errors.mjs';
import { processAlive, sleep } from './processes.mjs';

/** @typedef {import('./context.mjs').Ctx} Ctx */

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
export function serialized(fn) {
  const result = queue.then(fn, fn);
  queue = result.catch(() => undefined);
  return result;
}

/**
 * Cross-process lock around managing the local instances (`npm start` and `npm test`, or parallel
 * test workers, may start at the same moment).
 *
 * @param {Ctx} ctx
 * @returns {Promise<() => void>} Releases the lock.
 */
export async function acquireLock(ctx) {
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
