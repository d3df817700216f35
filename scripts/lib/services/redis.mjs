// @ts-check
// Redis: the project-local instance (data in <root>/.data/redis, 127.0.0.1 only, port 56379 or
// LOCAL_REDIS_PORT) or the server REDIS_URL names, spoken to over raw RESP (no client library:
// this runs before dependencies are installed).
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
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
import { isOurProcess, isPortOpen, outputOf, run, sleep, tailFile, waitGone } from './processes.mjs';

/** @typedef {import('./context.mjs').Ctx} Ctx */
/** @typedef {import('./context.mjs').LocalServiceStatus} LocalServiceStatus */
/** @typedef {{ type: string, value: string | null }} RedisReply */
/** @typedef {{ host: string, port: number, tls?: boolean }} RedisTarget */

const DEFAULT_REDIS_PORT = 56379;

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
export async function localRedis(ctx, redisServer) {
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
    // Blocking commands time out on Redis's timer (1000/hz ms): at the default hz of 10, a BullMQ
    // delayed job (a debounced compile or endpoints update) starts up to 100 ms after it is due.
    '--hz',
    '100',
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
export async function externalRedis(ctx, rawUrl) {
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
export async function stopLocalRedis(ctx) {
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

/**
 * Whether the project-local instance is running, and where its data is. Starts nothing.
 *
 * @param {string} root
 * @returns {Promise<LocalServiceStatus>}
 */
export async function statusLocalRedis(root) {
  const dir = redisDir(root);
  if (!fs.existsSync(dir)) return { running: false };
  const pid = runningRedisPid(dir);
  if (!pid) return { running: false, dataDir: dir };
  /** @type {LocalServiceStatus} */
  const status = { running: true, pid, dataDir: dir };
  const info = await redisInfo(localRedisPort(), 1000).catch(() => null);
  if (info && info.pid === pid) status.address = `${HOST}:${info.port}`;
  return status;
}
