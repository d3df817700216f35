// @ts-check
// What the xDS benchmarks measure besides the proxies' own events: CPU time per process (from
// /proc), Prometheus metrics of the roles, percentiles, and the machine the numbers come from.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';

const TICK = 100; // USER_HZ on Linux

/** CPU seconds (user + system) a process has used; NaN once it is gone. */
export function cpuSecondsOf(/** @type {number} */ pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICK;
  } catch {
    return NaN;
  }
}

/** Pids of processes whose command name is `comm` (e.g. postgres, redis-server). */
export function pidsNamed(/** @type {string} */ comm) {
  /** @type {number[]} */
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === comm) pids.push(Number(entry));
    } catch {
      // gone
    }
  }
  return pids;
}

/** Busy CPU seconds of the whole machine (all cores) so far. */
export function machineCpuSeconds() {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  return (v.reduce((a, b) => a + b, 0) - idle) / TICK;
}

/**
 * Samples CPU seconds of named groups of processes, to report who used the CPU during a phase.
 * @param {Record<string, () => number[]>} groups name → current pids
 */
export function cpuSampler(groups) {
  /** The last CPU seconds seen per pid: a process that exited (e.g. a SIGKILLed shard) keeps what it used. */
  /** @type {Map<number, number>} */
  const last = new Map();
  /** @type {Map<string, Set<number>>} */
  const seen = new Map(Object.keys(groups).map((k) => [k, new Set()]));
  const cpuOf = (/** @type {number} */ pid) => {
    const v = cpuSecondsOf(pid);
    if (!Number.isNaN(v)) last.set(pid, v);
    return last.get(pid) ?? 0;
  };
  const take = () => {
    /** @type {Record<string, number>} */
    const out = { machine: machineCpuSeconds() };
    for (const [name, pids] of Object.entries(groups)) {
      const set = /** @type {Set<number>} */ (seen.get(name));
      for (const pid of pids()) set.add(pid);
      out[name] = [...set].reduce((sum, pid) => sum + cpuOf(pid), 0);
    }
    return out;
  };
  let mark = take();
  let markAt = Date.now();
  return {
    /** CPU cores used by each group since the last mark (and the mark moves to now). */
    since() {
      const now = take();
      const wallS = (Date.now() - markAt) / 1000;
      /** @type {Record<string, number>} */
      const out = { wallS: round(wallS, 2) };
      for (const k of Object.keys(now)) out[`${k}CpuS`] = round((now[k] ?? 0) - (mark[k] ?? 0), 2);
      const named = Object.keys(groups).reduce((s, k) => s + ((now[k] ?? 0) - (mark[k] ?? 0)), 0);
      out['otherCpuS'] = round((now['machine'] ?? 0) - (mark['machine'] ?? 0) - named, 2);
      mark = now;
      markAt = Date.now();
      return out;
    },
  };
}

// --- Prometheus ---------------------------------------------------------------------------------

/**
 * Parses the Prometheus text format into samples.
 * @param {string} text
 * @returns {{ name: string, labels: Record<string, string>, value: number }[]}
 */
export function parseMetrics(text) {
  const out = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    /** @type {Record<string, string>} */
    const labels = {};
    for (const l of (m[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[l[1] ?? ''] = l[2] ?? '';
    out.push({ name: m[1] ?? '', labels, value: Number(m[4]) });
  }
  return out;
}

/** @param {number} port */
export async function scrape(port) {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  return parseMetrics(await res.text());
}

/**
 * Sum of a metric's samples matching the label filter.
 * @param {ReturnType<typeof parseMetrics>} samples @param {string} name @param {Record<string, string>} [filter]
 */
export function sum(samples, name, filter = {}) {
  return samples
    .filter((s) => s.name === name && Object.entries(filter).every(([k, v]) => s.labels[k] === v))
    .reduce((a, s) => a + s.value, 0);
}

/**
 * A histogram's cumulative buckets (summed over other labels), as le → count.
 * @param {ReturnType<typeof parseMetrics>} samples @param {string} name
 */
export function histogram(samples, name) {
  /** @type {Map<number, number>} */
  const buckets = new Map();
  for (const s of samples) {
    if (s.name !== `${name}_bucket`) continue;
    const le = s.labels['le'] === '+Inf' ? Infinity : Number(s.labels['le']);
    buckets.set(le, (buckets.get(le) ?? 0) + s.value);
  }
  return {
    buckets,
    count: sum(samples, `${name}_count`),
    sum: sum(samples, `${name}_sum`),
  };
}

/**
 * The difference of two histogram readings (what happened between them), with estimated
 * quantiles (linear within a bucket, as Prometheus' histogram_quantile does).
 * @param {ReturnType<typeof histogram>} before @param {ReturnType<typeof histogram>} after
 */
export function histogramDelta(before, after) {
  const les = [...after.buckets.keys()].sort((a, b) => a - b);
  const counts = les.map((le) => (after.buckets.get(le) ?? 0) - (before.buckets.get(le) ?? 0));
  const count = after.count - before.count;
  const quantile = (/** @type {number} */ q) => {
    if (count === 0) return NaN;
    const rank = q * count;
    for (let i = 0; i < les.length; i++) {
      if ((counts[i] ?? 0) >= rank) {
        const lower = i === 0 ? 0 : (les[i - 1] ?? 0);
        const upper = les[i] ?? Infinity;
        if (upper === Infinity) return lower;
        const below = i === 0 ? 0 : (counts[i - 1] ?? 0);
        const inBucket = (counts[i] ?? 0) - below;
        return inBucket === 0 ? upper : lower + ((upper - lower) * (rank - below)) / inBucket;
      }
    }
    return NaN;
  };
  return {
    count,
    meanS: count ? (after.sum - before.sum) / count : NaN,
    p50S: quantile(0.5),
    p99S: quantile(0.99),
    buckets: Object.fromEntries(les.map((le, i) => [le === Infinity ? '+Inf' : String(le), counts[i]])),
  };
}

// --- statistics -------------------------------------------------------------------------------

/** @param {number} x @param {number} [digits] */
export function round(x, digits = 1) {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** @param {number[]} xs */
export function percentiles(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const at = (/** @type {number} */ q) =>
    s.length ? (s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] ?? NaN) : NaN;
  return { n: s.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: s.length ? (s[s.length - 1] ?? NaN) : NaN };
}

// --- the machine --------------------------------------------------------------------------------

/** @param {string} root */
export function machineInfo(root) {
  const git = (/** @type {string[]} */ args) => {
    try {
      return execFileSync('git', args, { cwd: root }).toString().trim();
    } catch {
      return '';
    }
  };
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    commit: git(['rev-parse', '--short', 'HEAD']),
    dirty: git(['status', '--porcelain', '--', 'src']) !== '',
    cpuModel: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGb: round(os.totalmem() / 2 ** 30, 1),
    node: process.version,
    kernel: os.release(),
    loadAvg: os.loadavg().map((x) => round(x, 2)),
  };
}

/** Load of the machine over ~2 s before a benchmark starts (cores busy), to flag a busy machine. */
export async function busyCores() {
  const a = machineCpuSeconds();
  await new Promise((r) => setTimeout(r, 2000));
  return round((machineCpuSeconds() - a) / 2, 2);
}

/** The kernel's TCP listen-queue counters (all sockets): SYNs dropped because an accept queue was full. */
export function listenDrops() {
  try {
    const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n');
    const i = lines.findIndex((l) => l.startsWith('TcpExt:'));
    const names = (lines[i] ?? '').trim().split(/\s+/);
    const values = (lines[i + 1] ?? '').trim().split(/\s+/);
    const get = (/** @type {string} */ n) => Number(values[names.indexOf(n)] ?? NaN);
    return { overflows: get('ListenOverflows'), drops: get('ListenDrops') };
  } catch {
    return { overflows: NaN, drops: NaN };
  }
}
