// @ts-check
// Summarises a V8 .cpuprofile (from `node --cpu-prof`): the functions with the most self time,
// the functions with the most inclusive time, and self time grouped by package / source area.
// Frames in dist/ are mapped back to src/*.ts through the build's source maps.
//
//   node bench/app-mesh-api/profile-summary.mjs bench/.profiles/CPU.<...>.cpuprofile [--top=25] [--skip=S] [--json]
//
// --skip=S leaves out the first S seconds of the profile (start-up, set-up, warm-up).
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(dirname(fileURLToPath(import.meta.url))));

/**
 * @typedef {{ functionName: string, url: string, lineNumber: number, columnNumber: number }} CallFrame
 * @typedef {{ id: number, callFrame: CallFrame, children?: number[] }} ProfileNode
 * @typedef {{ nodes: ProfileNode[], samples: number[], timeDeltas: number[], startTime: number, endTime: number }} Profile
 * @typedef {{ key: string, name: string, where: string, area: string, selfMs: number, totalMs: number }} Row
 */

/** @type {Map<string, SourceMap | null>} parsed source maps of dist/ files */
const maps = new Map();

if (process.argv[1] === fileURLToPath(import.meta.url)) main(process.argv.slice(2));

/** @param {string[]} args */
function main(args) {
  const file = args.find((a) => !a.startsWith('--'));
  if (!file) {
    process.stderr.write(
      'usage: node bench/app-mesh-api/profile-summary.mjs <file.cpuprofile> [--top=25] [--skip=S] [--json]\n',
    );
    process.exit(2);
  }
  const top = Number(args.find((a) => a.startsWith('--top='))?.slice(6) ?? 25);
  const skipS = Number(args.find((a) => a.startsWith('--skip='))?.slice(7) ?? 0);
  const summary = summariseProfile(JSON.parse(readFileSync(file, 'utf8')), top, skipS);
  if (args.includes('--json')) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  else process.stdout.write(renderText(summary));
}

/**
 * @param {Profile} profile
 * @param {number} top
 * @param {number} [skipS] seconds at the start to leave out
 */
export function summariseProfile(profile, top, skipS = 0) {
  /** @type {Map<number, ProfileNode>} */
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  /** @type {Map<number, number>} */
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  /** @type {Map<number, number>} self microseconds per node */
  const selfUs = new Map();
  let totalUs = 0;
  let clock = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    clock += dt;
    if (clock < skipS * 1e6) return;
    selfUs.set(id, (selfUs.get(id) ?? 0) + dt);
    totalUs += dt;
  });

  /** @type {Map<string, Row>} */
  const rows = new Map();
  /** @param {ProfileNode} n */
  const rowOf = (n) => {
    const frame = describeFrame(n.callFrame);
    let row = rows.get(frame.key);
    if (!row) {
      row = { ...frame, selfMs: 0, totalMs: 0 };
      rows.set(frame.key, row);
    }
    return row;
  };
  /** @type {Map<string, number>} inclusive ms per area: samples with that area anywhere on the stack */
  const areaTotals = new Map();
  // Self time, and inclusive time counted once per distinct function (and area) on each sampled stack.
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    rowOf(node).selfMs += us / 1000;
    /** @type {Set<Row>} */
    const seen = new Set();
    for (let cur = /** @type {number | undefined} */ (id); cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur);
      if (!n) break;
      seen.add(rowOf(n));
    }
    for (const row of seen) row.totalMs += us / 1000;
    for (const area of new Set([...seen].map((r) => r.area)))
      areaTotals.set(area, (areaTotals.get(area) ?? 0) + us / 1000);
  }
  const all = [...rows.values()];
  const totalMs = totalUs / 1000;
  const idleMs = all.filter((r) => r.name === '(idle)').reduce((s, r) => s + r.selfMs, 0);
  /** @type {Map<string, number>} */
  const areas = new Map();
  for (const r of all) areas.set(r.area, (areas.get(r.area) ?? 0) + r.selfMs);
  const pct = (/** @type {number} */ ms) => Math.round((ms / totalMs) * 1000) / 10;
  const busyPct = (/** @type {number} */ ms) => Math.round((ms / Math.max(1, totalMs - idleMs)) * 1000) / 10;
  const shape = (/** @type {Row} */ r) => ({
    function: r.name,
    where: r.where,
    area: r.area,
    selfMs: Math.round(r.selfMs),
    selfPctOfBusy: busyPct(r.selfMs),
    totalMs: Math.round(r.totalMs),
    totalPctOfBusy: busyPct(r.totalMs),
  });
  return {
    profiledMs: Math.round(totalMs),
    idleMs: Math.round(idleMs),
    busyPct: pct(totalMs - idleMs),
    topSelf: all
      .filter((r) => r.name !== '(idle)')
      .sort((a, b) => b.selfMs - a.selfMs)
      .slice(0, top)
      .map(shape),
    topInclusive: all
      .filter((r) => !['(root)', '(idle)', '(program)'].includes(r.name))
      .sort((a, b) => b.totalMs - a.totalMs)
      .slice(0, top)
      .map(shape),
    selfByArea: [...areas.entries()]
      .filter(([area]) => area !== '(idle)')
      .sort((a, b) => b[1] - a[1])
      .map(([area, ms]) => ({ area, selfMs: Math.round(ms), selfPctOfBusy: busyPct(ms) })),
    inclusiveByArea: [...areaTotals.entries()]
      .filter(([area]) => !['(idle)', '(root)', '(program)', 'node (internals)'].includes(area))
      .sort((a, b) => b[1] - a[1])
      .map(([area, ms]) => ({ area, totalMs: Math.round(ms), totalPctOfBusy: busyPct(ms) })),
  };
}

/**
 * Names a frame: function, src-relative location (through source maps for dist/), and an area
 * (an npm package, a src/ folder, node internals, or V8's pseudo-frames).
 * @param {CallFrame} f
 */
function describeFrame(f) {
  const name = f.functionName || '(anonymous)';
  if (!f.url) return { key: name, name, where: '', area: name.startsWith('(') ? name : '(native)' };
  let path = f.url.startsWith('file://') ? fileURLToPath(f.url) : f.url;
  let line = f.lineNumber + 1;
  if (path.startsWith(join(root, 'dist') + '/')) {
    const mapped = mapToSource(path, f.lineNumber, f.columnNumber);
    if (mapped) ({ path, line } = mapped);
  }
  const rel = path.startsWith(root) ? relative(root, path) : path;
  const where = `${rel}:${line}`;
  return { key: `${name}@${where}`, name, where, area: areaOf(rel) };
}

/**
 * @param {string} jsPath
 * @param {number} line 0-based
 * @param {number} column 0-based
 */
function mapToSource(jsPath, line, column) {
  let map = maps.get(jsPath);
  if (map === undefined) {
    map = null;
    const mapFile = `${jsPath}.map`;
    if (existsSync(mapFile)) {
      try {
        map = new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8')));
      } catch {
        map = null;
      }
    }
    maps.set(jsPath, map);
  }
  if (!map) return null;
  const entry = /** @type {{ originalSource?: string, originalLine?: number }} */ (map.findEntry(line, column));
  if (!entry.originalSource || entry.originalLine === undefined) return null;
  const source = entry.originalSource.startsWith('file://')
    ? fileURLToPath(entry.originalSource)
    : resolve(dirname(jsPath), entry.originalSource);
  return { path: source, line: entry.originalLine + 1 };
}

/** @param {string} rel */
function areaOf(rel) {
  const pkg = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(rel);
  if (pkg?.[1]) return pkg[1];
  if (rel.startsWith('node:')) return 'node (internals)';
  const src = /^src\/([^/]+(?:\/[^/]+)?)\//.exec(rel);
  if (src?.[1]) return `src/${src[1]}`;
  if (rel.startsWith('src/')) return 'src';
  return rel;
}

/** @param {ReturnType<typeof summariseProfile>} s */
function renderText(s) {
  const lines = [
    `profiled ${s.profiledMs} ms, busy ${s.busyPct}% (idle ${s.idleMs} ms)`,
    '',
    'top self time (% of busy time):',
  ];
  for (const r of s.topSelf)
    lines.push(`  ${String(r.selfPctOfBusy).padStart(5)}%  ${r.function}  ${r.where}  [${r.area}]`);
  lines.push('', 'top inclusive time (% of busy time):');
  for (const r of s.topInclusive)
    lines.push(`  ${String(r.totalPctOfBusy).padStart(5)}%  ${r.function}  ${r.where}  [${r.area}]`);
  lines.push('', 'self time by area (% of busy time):');
  for (const a of s.selfByArea.slice(0, 30)) lines.push(`  ${String(a.selfPctOfBusy).padStart(5)}%  ${a.area}`);
  lines.push('', 'inclusive time by area: samples with the area anywhere on the stack (% of busy time):');
  for (const a of s.inclusiveByArea.slice(0, 30)) lines.push(`  ${String(a.totalPctOfBusy).padStart(5)}%  ${a.area}`);
  return `${lines.join('\n')}\n`;
}
