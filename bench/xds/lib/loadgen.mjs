// @ts-check
// The load generator's parent side: forks load-generator processes (loadgen-worker.mjs), gives
// each a share of the simulated proxies, and gathers their events (a proxy became ready; a proxy
// ACKed a route configuration with a new marker) with timestamps from the same clock.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const WORKER = fileURLToPath(new URL('./loadgen-worker.mjs', import.meta.url));

/**
 * @typedef {object} LoadgenStats
 * @property {number} proxies
 * @property {number} ready
 * @property {number} connected
 * @property {number} cpuS
 * @property {number} wallS
 * @property {number} loopDelayP99Ms
 * @property {number} loopDelayMaxMs
 * @property {number} rssMb
 * @property {number} responses
 * @property {number} acks
 * @property {number} bytes
 * @property {number} streamsStarted
 * @property {Record<string, number>} errors
 */

export class Loadgen {
  /**
   * @param {{ processes: number, log: (msg: string) => void }} options
   */
  constructor({ processes, log }) {
    this.log = log;
    /** @type {import('node:child_process').ChildProcess[]} */
    this.children = [];
    this.processes = processes;
    /** @type {Map<number, (v: any) => void>} */
    this.pending = new Map();
    this.nextId = 1;
    /** Per proxy index: the last time it became ready (0: not since the last reset). */
    /** @type {Float64Array} */
    this.readyAt = new Float64Array(0);
    /** Marker events: [proxy, route, seq, ackTime]. */
    /** @type {[number, number, number, number][]} */
    this.markers = [];
    /** @type {((e: [number, number, number, number]) => void) | undefined} */
    this.onMarker = undefined;
    /** @type {number[]} */
    this.indices = [];
  }

  /** @returns {number[]} the children's pids */
  get pids() {
    return this.children.flatMap((c) => (c.pid ? [c.pid] : []));
  }

  /**
   * Starts the processes and their proxies (connections are spread at `ratePerS` in all).
   * @param {{ port: number, protocol: 'sotw' | 'delta', transport: 'grpc-js' | 'http2', clients: import('./loadgen-worker.mjs').ClientSpec[], ratePerS?: number }} run
   */
  async start(run) {
    // Indexed by the proxies' own (global) index: several load generators can share one numbering.
    this.readyAt = new Float64Array(run.clients.reduce((m, c) => Math.max(m, c.index + 1), 0));
    this.indices = run.clients.map((c) => c.index);
    const n = Math.max(1, Math.min(this.processes, run.clients.length));
    for (let i = 0; i < n; i++) {
      const child = fork(WORKER, [], {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        execArgv: ['--max-old-space-size=4096'],
      });
      child.on('message', (/** @type {any} */ msg) => this.onMessage(msg));
      await new Promise((resolve, reject) => {
        child.once('message', resolve);
        child.once('exit', (code) => reject(new Error(`load generator exited (${code}) before starting`)));
      });
      this.children.push(child);
    }
    await Promise.all(
      this.children.map((child, i) =>
        this.ask(child, {
          cmd: 'start',
          port: run.port,
          protocol: run.protocol,
          transport: run.transport,
          clients: run.clients.filter((_, k) => k % n === i),
          ratePerS: run.ratePerS ? run.ratePerS / n : 0,
        }),
      ),
    );
  }

  /** @param {any} msg */
  onMessage(msg) {
    if (msg.ev === 'events') {
      for (const [proxy, t] of msg.ready) this.readyAt[proxy] = t;
      for (const e of msg.markers) {
        this.markers.push(e);
        this.onMarker?.(e);
      }
    } else if (msg.ev === 'ok') {
      const resolve = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      resolve?.(msg);
    }
  }

  /** @param {import('node:child_process').ChildProcess} child @param {object} msg */
  ask(child, msg) {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      child.send({ ...msg, id });
    });
  }

  /**
   * Every process's counters (CPU and event-loop delay since the last reset).
   * @param {boolean} [reset]
   * @returns {Promise<LoadgenStats[]>}
   */
  async stats(reset = false) {
    const answers = await Promise.all(this.children.map((c) => this.ask(c, { cmd: 'stats', reset })));
    return answers.map((a) => /** @type {any} */ (a).stats);
  }

  /** How many proxies are ready (every subscribed type ACKed on their current stream). */
  async ready() {
    return (await this.stats()).reduce((sum, s) => sum + s.ready, 0);
  }

  /** Closes every proxy's connection at once and reconnects it at once: a reconnect storm. */
  async drop() {
    this.readyAt.fill(0);
    const answers = /** @type {any[]} */ (await Promise.all(this.children.map((c) => this.ask(c, { cmd: 'drop' }))));
    // When the first process had closed its connections, and how long closing them took at most.
    return {
      closedAt: Math.min(...answers.map((a) => a.closed)),
      closingMs: Math.max(...answers.map((a) => a.closed - a.started)),
    };
  }

  /** Forgets when proxies became ready (before provoking reconnections). */
  resetReady() {
    this.readyAt.fill(0);
  }

  async stop() {
    await Promise.race([
      Promise.all(this.children.map((c) => (c.connected ? this.ask(c, { cmd: 'stop' }) : undefined))),
      new Promise((r) => setTimeout(r, 5_000)),
    ]);
    this.kill();
  }

  kill() {
    for (const c of this.children) if (c.exitCode === null) c.kill('SIGKILL');
    this.children = [];
  }
}

/**
 * Polls until `check` returns true, or the timeout passes; returns whether it did.
 * @param {() => Promise<boolean>} check @param {number} timeoutMs @param {number} [everyMs]
 */
export async function until(check, timeoutMs, everyMs = 100) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
