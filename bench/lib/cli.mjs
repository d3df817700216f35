// @ts-check
// What the benchmarks' entry points share: a timestamped log, flag parsing (`--name=value`, read
// with intFlag, numberFlag and listFlag), and the run wrapper (exit codes, `--report-only=X.json`
// to render X.md again from a result's JSON).
import { readFileSync, writeFileSync } from 'node:fs';

/** @param {string} name e.g. `bench:xds` */
export function logger(name) {
  return (/** @type {string} */ msg) =>
    process.stderr.write(`[${name} ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

/**
 * `--name=value` / `--name` flags, each one of `known`; anything else is an error naming `script`.
 * @param {string[]} argv
 * @param {readonly string[]} known
 * @param {string} script
 * @returns {Map<string, string>}
 */
export function parseFlags(argv, known, script) {
  const given = new Map();
  for (const arg of argv) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m?.[1] || !known.includes(m[1])) throw new Error(`unknown argument ${arg} (see the top of ${script})`);
    given.set(m[1], m[2] ?? 'true');
  }
  return given;
}

/**
 * The flag `name` as an integer of at least `min`, or `fallback` when it is not given.
 * @param {Map<string, string>} given @param {string} name @param {number} fallback @param {number} [min]
 */
export function intFlag(given, name, fallback, min = 0) {
  const value = Number(given.get(name) ?? fallback);
  if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be an integer >= ${min}`);
  return value;
}

/**
 * The flag `name` as a number (not necessarily whole) of at least `min`, or `fallback`.
 * @param {Map<string, string>} given @param {string} name @param {number} fallback @param {number} [min]
 */
export function numberFlag(given, name, fallback, min = 0) {
  const value = Number(given.get(name) ?? fallback);
  if (!Number.isFinite(value) || value < min) throw new Error(`--${name} must be a number >= ${min}`);
  return value;
}

/**
 * The comma-separated flag `name` as its trimmed, non-empty items, or `fallback`'s.
 * @param {Map<string, string>} given @param {string} name @param {string} fallback
 */
export function listFlag(given, name, fallback) {
  return (given.get(name) ?? fallback)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * Runs a benchmark's `main(options())`, or only re-renders a report with `--report-only=X.json`;
 * exits 0 on success, 1 with the error logged.
 * @template T
 * @param {{ log: (msg: string) => void, options: () => T, main: (options: T) => Promise<void>, report?: (result: any) => string }} bench
 */
export async function runBench({ log, options, main, report }) {
  try {
    const reportOnly = process.argv.find((a) => a.startsWith('--report-only='));
    if (reportOnly) {
      if (!report) throw new Error('this benchmark has no --report-only');
      const json = reportOnly.slice('--report-only='.length);
      writeFileSync(json.replace(/\.json$/, '.md'), report(JSON.parse(readFileSync(json, 'utf8'))));
    } else await main(options());
    process.exit(0);
  } catch (err) {
    const e = /** @type {Error & { hint?: string }} */ (err);
    log(`failed: ${e.stack ?? e.message}`);
    if (e.hint) log(e.hint);
    process.exit(1);
  }
}
