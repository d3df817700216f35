// @ts-check
// Programs and processes on this machine: running commands without a shell, finding binaries,
// telling our server processes from others by their working directory, waiting for ports.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { errCode } from './errors.mjs';

/** @typedef {{ code: number, stdout: string, stderr: string }} RunResult */

export function isRoot() {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** @param {string} file */
export function isExecutable(file) {
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
export function findExecutable(name) {
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

/**
 * Runs a program without a shell. `show` sends its output to our stderr (stdout may carry results).
 *
 * @param {string} cmd
 * @param {string[]} args
 * @param {{ env?: NodeJS.ProcessEnv, show?: boolean }} [options]
 * @returns {Promise<RunResult>}
 */
export function run(cmd, args, options = {}) {
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
export function outputOf(r) {
  return `${r.stdout}${r.stderr}`.trim();
}

/**
 * @param {string} file
 * @param {number} [lines]
 */
export function tailFile(file, lines = 15) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** @param {string} s */
export function shellQuote(s) {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/**
 * Whether `pid` is a live process (zombies waiting to be reaped by init do not count).
 *
 * @param {number} pid
 */
export function processAlive(pid) {
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
export function isOurProcess(pid, dir, namePrefix, strict = false) {
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
export async function waitGone(pid, timeoutMs) {
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
export function isPortOpen(host, port) {
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

/** @param {number} ms */
export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
