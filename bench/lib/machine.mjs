// @ts-check
// What the API, GraphQL and console benchmarks record about the machine and the code they
// measured, in one shape (the xDS benchmarks keep their own, bench/xds/lib/measure.mjs).
import { execFileSync } from 'node:child_process';
import os from 'node:os';

/**
 * @template {Record<string, string>} V
 * @param {string} measured the checkout whose commit is reported
 * @param {V} versions of what else the run used (PostgreSQL, Chromium), by name
 */
export function describeMachine(measured, versions) {
  const cpus = os.cpus();
  /** @param {string[]} args */
  const git = (args) => {
    try {
      return execFileSync('git', args, { cwd: measured, encoding: 'utf8' }).trim();
    } catch {
      return null;
    }
  };
  // Changes under bench/ do not change what is measured.
  const status = git(['status', '--porcelain', '--', '.', ':(exclude)bench']);
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    ...versions,
    date: new Date().toISOString(),
    gitCommit: git(['rev-parse', '--short', 'HEAD']),
    gitDirtyOutsideBench: status === null ? null : status.length > 0,
    loadAverageAtStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

/** The PostgreSQL server's version, as the benchmarks report it. @param {{ query: (sql: string) => Promise<{ rows: any[] }> }} db */
export async function postgresVersion(db) {
  return (await db.query('SHOW server_version')).rows[0]?.server_version ?? 'unknown';
}
