// @ts-check
// Runs the api role alone (`node dist/main.api.js`) for a benchmark: 127.0.0.1 only, fresh
// secrets, warn-level logs kept in memory so a failure can show them.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';

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

/**
 * @typedef {object} ApiServer
 * @property {number} port
 * @property {string} adminToken
 * @property {number} pid
 * @property {() => string} output the last lines the server wrote
 * @property {() => number} warnings how many log lines at level warn or above it wrote
 * @property {() => Promise<number | string>} stop SIGTERM, then the exit code (or signal)
 */

/**
 * @param {object} options
 * @param {string} options.root
 * @param {string} options.databaseUrl
 * @param {string} options.redisUrl
 * @param {number} options.poolSize DATABASE_POOL_SIZE
 * @param {string[]} [options.nodeArgs] e.g. ['--cpu-prof', '--cpu-prof-dir=...']
 * @param {(msg: string) => void} options.log
 * @returns {Promise<ApiServer>}
 */
export async function startApi({ root, databaseUrl, redisUrl, poolSize, nodeArgs = [], log }) {
  const port = await freePort();
  let xdsPort = await freePort();
  if (xdsPort === port) xdsPort = await freePort();
  const adminToken = randomBytes(24).toString('base64url');
  const env = {
    PATH: process.env['PATH'],
    HOME: process.env['HOME'],
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    XDS_HOST: '127.0.0.1',
    XDS_PORT: String(xdsPort),
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_SIZE: String(poolSize),
    REDIS_URL: redisUrl,
    MESH_ADMIN_TOKEN: adminToken,
    MESH_MASTER_KEY: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'warn',
  };
  const child = spawn(process.execPath, [...nodeArgs, join(root, 'dist', 'main.api.js')], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  /** @type {string[]} */
  const lines = [];
  let warnings = 0;
  let partial = '';
  /** @param {Buffer} chunk */
  const collect = (chunk) => {
    const text = partial + chunk.toString('utf8');
    const parts = text.split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      if (line.trim() === '') continue;
      // pino levels: 40 warn, 50 error, 60 fatal.
      if (/"level":\s*(4|5|6)0/.test(line)) warnings++;
      lines.push(line);
      if (lines.length > 200) lines.shift();
    }
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  /** @type {Promise<number | string>} */
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  const output = () => [...lines, partial].join('\n');

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the api role exited early (${child.exitCode}):\n${output()}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new Error(`http://127.0.0.1:${port}/readyz did not answer 200 within 60 s:\n${output()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  log(`api role ready on 127.0.0.1:${port} (pid ${child.pid})`);

  return {
    port,
    adminToken,
    pid: child.pid ?? 0,
    output,
    warnings: () => warnings,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
        const code = await exited;
        clearTimeout(timer);
        return code;
      }
      return exited;
    },
  };
}
