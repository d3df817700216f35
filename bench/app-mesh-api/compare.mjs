// @ts-check
// `npm run bench:api:compare -- --before=<git ref> [run.mjs options]`: the App Mesh API benchmark
// of an earlier commit and of this checkout, one after the other in one invocation on the same
// machine, and a table of the two side by side (bench/results/app-mesh-api-compare.md).
//
// The earlier commit is checked out as a detached git worktree under bench/.compare/ and measured
// with `run.mjs --server-root` (it is built and migrated with its own scripts and dependencies);
// the load generator, the baseline and the report are this checkout's for both. Results:
// bench/results/app-mesh-api-before.{json,md}, bench/results/app-mesh-api.{json,md} and the
// comparison. Options other than --before go to both runs; --report-only writes the comparison
// again from the results already there, without measuring.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const log = (/** @type {string} */ msg) => process.stderr.write(`[bench:compare] ${msg}\n`);
const git = (/** @type {string[]} */ args) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();

const args = process.argv.slice(2);
const before = args.find((a) => a.startsWith('--before='))?.slice('--before='.length);
/** Re-render the comparison from the results already written, without measuring. */
const reportOnly = args.includes('--report-only');
if (!before) {
  log('usage: npm run bench:api:compare -- --before=<git ref> [options of bench/app-mesh-api/run.mjs]');
  process.exit(2);
}
const passOn = args.filter(
  (a) =>
    !a.startsWith('--before=') && !a.startsWith('--out=') && !a.startsWith('--server-root=') && a !== '--report-only',
);
const sha = git(['rev-parse', '--verify', `${before}^{commit}`]);
const dir = join(root, 'bench', '.compare', sha.slice(0, 12));
if (!reportOnly && !existsSync(dir)) {
  mkdirSync(dirname(dir), { recursive: true });
  git(['worktree', 'add', '--detach', dir, sha]);
}
const results = join(root, 'bench', 'results');
const outBefore = join(results, 'app-mesh-api-before');
const outAfter = join(results, 'app-mesh-api');

/** @type {[label: 'before' | 'after', extra: string[]][]} */
const runs = [
  ['before', [`--server-root=${dir}`, `--out=${outBefore}`]],
  ['after', [`--out=${outAfter}`]],
];
for (const [label, extra] of reportOnly ? [] : runs) {
  log(`=== ${label}: ${label === 'before' ? `${sha.slice(0, 12)} (${before})` : 'this checkout'}`);
  const run = spawnSync(process.execPath, [join(root, 'bench', 'app-mesh-api', 'run.mjs'), ...extra, ...passOn], {
    cwd: root,
    stdio: 'inherit',
  });
  if (run.status !== 0) {
    log(`the ${label} run failed (exit ${run.status})`);
    process.exit(1);
  }
}

/** @param {string} path */
const read = (path) => JSON.parse(readFileSync(`${path}.json`, 'utf8'));
const a = read(outBefore);
const b = read(outAfter);
/** @param {any} r @param {string} op */
const target = (r, op) => r.targets.find((/** @type {any} */ t) => t.operation === op);
/** @param {number | undefined} x */
const fmt = (x) => (x === undefined || x === null ? 'n/a' : String(Math.round(x * 1000) / 1000));
/** API ÷ minimal baseline at the closed-loop concurrency with the most throughput; "how many times slower" is its inverse. @param {any} t */
const best = (t) => {
  const ratios = /** @type {any[]} */ (t?.ratios ?? []);
  return ratios.reduce((m, r) => (m && m.apiRps >= r.apiRps ? m : r), undefined);
};
const lines = [
  '# App Mesh API: before and after, one invocation',
  '',
  `Before: \`${a.machine.gitCommit}\` (${before}); after: \`${b.machine.gitCommit}\`${b.machine.gitDirtyOutsideBench ? ' (uncommitted changes)' : ''}. Measured ${a.machine.date.slice(0, 16).replace('T', ' ')} and ${b.machine.date.slice(0, 16).replace('T', ' ')} UTC on ${b.machine.cpus} × ${b.machine.cpuModel}, Node ${b.machine.node}, PostgreSQL ${b.machine.postgres}; load average at the starts ${a.machine.loadAverageAtStart.join(' ')} / ${b.machine.loadAverageAtStart.join(' ')}.`,
  '',
  `Command: \`npm run bench:api:compare -- ${args.filter((a) => a !== '--report-only').join(' ')}\`. Each run is \`bench/app-mesh-api/run.mjs\` (method in [bench/README.md](../README.md)); full results in [app-mesh-api-before.md](app-mesh-api-before.md) and [app-mesh-api.md](app-mesh-api.md).`,
  '',
  '"API ÷ baseline" is the API\'s closed-loop 2xx/s over the same operation\'s minimal SQL through `pg` alone at the same concurrency (the concurrency where the API did best); the goal is ≥ 0.5 (at most 2× slower than the driver). "… prepared" divides by the same statements sent as prepared statements, as the api role now sends its own (ADR 0029); runs from before that variant existed show n/a.',
  '',
  '"Server CPU per request" is the api process\'s CPU time (user and kernel) per 2xx answer in that same closed-loop run: what the Node side spends on one request, whatever else limited the throughput.',
  '',
  '| operation | best closed-loop 2xx/s before | after | API ÷ baseline before | after | times slower than the driver, after | API ÷ prepared baseline, before → after | server CPU per request, ms, before → after |',
  '| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |',
];
for (const op of ['describe', 'create', 'update']) {
  const ta = target(a, op);
  const tb = target(b, op);
  if (!ta || !tb) continue;
  const ra = best(ta);
  const rb = best(tb);
  /** The server's CPU ms per 2xx answer in the closed-loop run at the ratio's concurrency. @param {any} r @param {any} ratio */
  const cpuMs = (r, ratio) => {
    const run = r.api[op]?.find((/** @type {any} */ x) => x.mode === 'closed' && x.connections === ratio?.connections);
    return run && run.ok2xxPerS > 0 ? fmt((run.cpu.serverCores / run.ok2xxPerS) * 1000) : 'n/a';
  };
  lines.push(
    `| ${op} | ${fmt(ta.bestClosedLoopRps)} | ${fmt(tb.bestClosedLoopRps)} | ${fmt(ra?.apiOverBaseline)} | ${fmt(rb?.apiOverBaseline)} | ${rb ? fmt(1 / rb.apiOverBaseline) : 'n/a'}× | ${fmt(ra?.apiOverPrepared)} → ${fmt(rb?.apiOverPrepared)} | ${cpuMs(a, ra)} → ${cpuMs(b, rb)} |`,
  );
}
lines.push('');
const out = join(results, 'app-mesh-api-compare.md');
writeFileSync(out, lines.join('\n'));
process.stdout.write(lines.join('\n'));
log(`wrote ${relative(root, out)}`);
