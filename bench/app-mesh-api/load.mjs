// @ts-check
// Drives pre-signed requests at the API with autocannon and summarises what came back. Latency
// percentiles are computed here from every response time autocannon reports (float ms), not from
// autocannon's own histogram: that one keeps whole milliseconds, and in rate-limited runs its
// coordinated-omission correction uses an expected interval of ceil(1 / per-connection rate) = 1 ms,
// which adds phantom samples. Rate-limited runs therefore set ignoreCoordinatedOmission.
import autocannon from 'autocannon';
import { cpuBetween, sampleCpu } from './cpu.mjs';

/** @typedef {import('./signing.mjs').WireRequest} WireRequest */

/**
 * @typedef {object} LatencySummary
 * @property {number} count
 * @property {number} mean
 * @property {number} p50
 * @property {number} p90
 * @property {number} p97_5
 * @property {number} p99
 * @property {number} p99_9
 * @property {number} max
 */

/**
 * @typedef {object} LoadResult
 * @property {string} scenario
 * @property {'closed' | 'rate' | 'paced'} mode closed loop at a fixed number of connections, autocannon
 *   rate-limited (per-second budget), or open loop with evenly spaced arrivals (paced.mjs)
 * @property {number} connections (paced: the most sockets it may open)
 * @property {number | null} targetRate requests/s asked of autocannon (`overallRate`), rate mode only
 * @property {number} durationS measured duration (s)
 * @property {number} rpsMean autocannon's mean of per-second request counts
 * @property {number} rpsStddev
 * @property {number} completedPerS all completed responses / duration
 * @property {number} ok2xxPerS 2xx responses / duration
 * @property {number} completed
 * @property {number} ok2xx
 * @property {number} non2xx responses that were not 2xx (never counted as successes)
 * @property {Record<string, number>} statusCodes
 * @property {number} errors connection errors and timeouts
 * @property {number} timeouts
 * @property {LatencySummary} latencyMs over all responses, 2xx or not
 * @property {{ status: number, body: string }[]} non2xxSamples the first few non-2xx bodies
 * @property {number | null} poolSize distinct pre-signed requests available (one-shot pools only)
 * @property {number} taken pre-signed requests autocannon took from a pool (sent, or in flight at the end)
 * @property {boolean} poolExhausted the run ended early because every pre-signed request was sent
 * @property {import('./cpu.mjs').CpuUsage} cpu where the CPU went during the run
 * @property {number} [discardedAttempts] earlier attempts measured again because other work disturbed them
 */

/**
 * A source of requests: either one request replayed, a pool cycled round-robin (replayable
 * requests), or a one-shot pool where each request is sent at most once (Creates).
 * @typedef {{ kind: 'fixed', request: WireRequest }
 *   | { kind: 'cycle', requests: WireRequest[] }
 *   | { kind: 'once', requests: WireRequest[] }} RequestSource
 */

/**
 * @param {object} options
 * @param {number} options.port
 * @param {number | null} options.serverPid for CPU accounting
 * @param {string} options.scenario
 * @param {RequestSource} options.source
 * @param {number} options.connections
 * @param {number} [options.durationS] closed or rate run length
 * @param {number} [options.amount] stop after this many responses instead of after a duration
 * @param {number} [options.overallRate] rate-limited run: requests/s over all connections
 * @returns {Promise<LoadResult>}
 */
export async function drive({ port, serverPid, scenario, source, connections, durationS, amount, overallRate }) {
  /** @type {{ status: number, body: string }[]} */
  const samples = [];
  /** @type {(status: number, body: string) => void} */
  const onResponse = (status, body) => {
    if ((status < 200 || status > 299) && samples.length < 5) samples.push({ status, body: body.slice(0, 400) });
  };

  /** @type {import('autocannon').RequestSpec} */
  let spec;
  /** @type {number | undefined} */
  let maxOverallRequests;
  let next = 0;
  if (source.kind === 'fixed') {
    spec = { ...copy(source.request), onResponse };
  } else {
    const pool = source.requests;
    if (pool.length === 0) throw new Error(`${scenario}: no requests to send`);
    spec = {
      setupRequest: (req) => {
        const r = pool[next++ % pool.length];
        return { ...req, ...copy(/** @type {WireRequest} */ (r)) };
      },
      onResponse,
    };
    // A one-shot pool must never wrap around (a replayed Create is a 409, not a Create).
    if (source.kind === 'once') maxOverallRequests = pool.length;
  }

  /** @type {import('autocannon').Options} */
  const opts = {
    url: `http://127.0.0.1:${port}`,
    connections,
    pipelining: 1,
    timeout: 10,
    requests: [spec],
  };
  if (amount !== undefined) opts.amount = amount;
  else opts.duration = durationS ?? 10;
  if (overallRate !== undefined) {
    opts.overallRate = overallRate;
    opts.ignoreCoordinatedOmission = true;
  }
  if (maxOverallRequests !== undefined && amount === undefined) opts.maxOverallRequests = maxOverallRequests;

  let latencies = new Float64Array(65_536);
  let n = 0;
  const before = sampleCpu(serverPid);
  const instance = autocannon(opts);
  instance.on(
    'response',
    (
      /** @type {unknown} */ _client,
      /** @type {number} */ _status,
      /** @type {number} */ _bytes,
      /** @type {number} */ ms,
    ) => {
      if (n === latencies.length) {
        const bigger = new Float64Array(latencies.length * 2);
        bigger.set(latencies);
        latencies = bigger;
      }
      latencies[n++] = ms;
    },
  );
  const r = await instance;
  const cpu = cpuBetween(before, sampleCpu(serverPid));

  /** @type {Record<string, number>} */
  const statusCodes = {};
  for (const [code, { count }] of Object.entries(r.statusCodeStats)) statusCodes[code] = count;
  const completed = r.requests.total;
  const duration = r.duration > 0 ? r.duration : 1;
  const poolSize = source.kind === 'once' ? source.requests.length : null;
  return {
    scenario,
    mode: overallRate === undefined ? 'closed' : 'rate',
    connections,
    targetRate: overallRate ?? null,
    durationS: r.duration,
    rpsMean: r.requests.mean,
    rpsStddev: r.requests.stddev,
    completedPerS: round(completed / duration),
    ok2xxPerS: round(r['2xx'] / duration),
    completed,
    ok2xx: r['2xx'],
    non2xx: r.non2xx,
    statusCodes,
    errors: r.errors,
    timeouts: r.timeouts,
    latencyMs: summarise(latencies.subarray(0, n)),
    non2xxSamples: samples,
    poolSize,
    taken: next,
    // A one-shot pool that was all taken ended the run by running dry, not by the clock.
    poolExhausted: poolSize !== null && amount === undefined && next >= poolSize,
    cpu,
  };
}

/**
 * @param {WireRequest} r
 * @returns {import('autocannon').RequestSpec}
 */
function copy(r) {
  // autocannon adds Content-Length to the headers object it is given: hand it a copy.
  /** @type {import('autocannon').RequestSpec} */
  const spec = { method: r.method, path: r.path, headers: { ...r.headers } };
  if (r.body !== undefined) spec.body = r.body;
  return spec;
}

/**
 * Percentiles (nearest rank) of latencies in milliseconds.
 * @param {Float64Array} values
 * @returns {LatencySummary}
 */
export function summarise(values) {
  const sorted = Float64Array.from(values).sort();
  const count = sorted.length;
  /** @param {number} p */
  const at = (p) =>
    count === 0 ? 0 : round(sorted[Math.min(count - 1, Math.max(0, Math.ceil((p / 100) * count) - 1))] ?? 0);
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    count,
    mean: count === 0 ? 0 : round(sum / count),
    p50: at(50),
    p90: at(90),
    p97_5: at(97.5),
    p99: at(99),
    p99_9: at(99.9),
    max: count === 0 ? 0 : round(sorted[count - 1] ?? 0),
  };
}

/** @param {number} x */
export function round(x) {
  return Math.round(x * 100) / 100;
}
