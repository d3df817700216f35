// @ts-check
// An open-loop run with evenly spaced arrivals: request k is due at start + k / rate, whether or
// not earlier ones have answered, and its latency counts from when it was due (so time spent
// waiting for a free connection counts too: no coordinated omission). It complements autocannon's
// `overallRate`, which sends each second's budget in bursts. Uses node:http with a keep-alive
// agent of up to `maxConnections` sockets.
import http from 'node:http';
import { cpuBetween, sampleCpu } from './cpu.mjs';
import { round, summarise } from './load.mjs';

/** @typedef {import('./load.mjs').LoadResult} LoadResult */
/** @typedef {import('./load.mjs').RequestSource} RequestSource */
/** @typedef {import('./signing.mjs').WireRequest} WireRequest */

/**
 * @param {object} options
 * @param {number} options.port
 * @param {number | null} options.serverPid
 * @param {string} options.scenario
 * @param {RequestSource} options.source
 * @param {number} options.rate requests/s
 * @param {number} options.durationS
 * @param {number} options.maxConnections
 * @returns {Promise<LoadResult>}
 */
export async function drivePaced({ port, serverPid, scenario, source, rate, durationS, maxConnections }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: maxConnections, maxFreeSockets: maxConnections });
  const total = Math.floor(rate * durationS);
  const poolSize = source.kind === 'once' ? source.requests.length : null;
  const planned = poolSize === null ? total : Math.min(total, poolSize);
  const interval = 1000 / rate;
  const latencies = new Float64Array(planned);
  /** @type {Record<string, number>} */
  const statusCodes = {};
  /** @type {{ status: number, body: string }[]} */
  const samples = [];
  let ok2xx = 0;
  let non2xx = 0;
  let errors = 0;
  let timeouts = 0;
  let done = 0;
  let sent = 0;

  /** @param {number} k */
  const requestFor = (k) =>
    /** @type {WireRequest} */ (
      source.kind === 'fixed'
        ? source.request
        : source.requests[source.kind === 'once' ? k : k % source.requests.length]
    );

  const before = sampleCpu(serverPid);
  const start = performance.now();
  const finished = new Uint8Array(planned);
  await new Promise((resolve) => {
    /** @param {number} k */
    const finishOne = (k) => {
      if (finished[k]) return;
      finished[k] = 1;
      done++;
      if (done === planned) resolve(undefined);
    };
    /** @param {number} k @param {number} due */
    const send = (k, due) => {
      const req = requestFor(k);
      const headers = { ...req.headers };
      if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
      const r = http.request({ host: '127.0.0.1', port, method: req.method, path: req.path, headers, agent }, (res) => {
        /** @type {Buffer[]} */
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('error', () => {});
        res.on('end', () => {
          if (finished[k]) return;
          latencies[k] = performance.now() - due;
          const status = res.statusCode ?? 0;
          statusCodes[status] = (statusCodes[status] ?? 0) + 1;
          if (status >= 200 && status <= 299) ok2xx++;
          else {
            non2xx++;
            if (samples.length < 5)
              samples.push({ status, body: Buffer.concat(chunks).toString('utf8').slice(0, 400) });
          }
          finishOne(k);
        });
      });
      r.setTimeout(10_000, () => {
        timeouts++;
        r.destroy(new Error('timeout'));
      });
      r.on('error', () => {
        if (finished[k]) return;
        errors++;
        latencies[k] = NaN;
        finishOne(k);
      });
      r.end(req.body);
    };
    const tick = () => {
      const now = performance.now();
      while (sent < planned && start + sent * interval <= now) {
        send(sent, start + sent * interval);
        sent++;
      }
      if (sent >= planned) clearInterval(timer);
    };
    const timer = setInterval(tick, 1);
    tick();
  });
  const elapsed = (performance.now() - start) / 1000;
  const cpu = cpuBetween(before, sampleCpu(serverPid));
  agent.destroy();
  const measured = latencies.filter((x) => !Number.isNaN(x));
  const completed = ok2xx + non2xx;
  return {
    scenario,
    mode: 'paced',
    connections: maxConnections,
    targetRate: rate,
    durationS: round(elapsed),
    rpsMean: round(completed / elapsed),
    rpsStddev: 0,
    completedPerS: round(completed / elapsed),
    ok2xxPerS: round(ok2xx / elapsed),
    completed,
    ok2xx,
    non2xx,
    statusCodes,
    errors,
    timeouts,
    latencyMs: summarise(measured),
    non2xxSamples: samples,
    poolSize,
    taken: sent,
    poolExhausted: poolSize !== null && planned < total,
    cpu,
  };
}
