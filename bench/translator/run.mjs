// @ts-check
// Translator benchmark: a mesh of 1,000 virtual nodes, 1,000 virtual services and 200 routers with
// 5 routes each, translated into every node's Envoy configuration. Reports full-translation time,
// heap, a one-route change, and the size of the output per resource type.
// Run: npm run bench:translator   (builds first; results in bench/results/translator.{json,md})
import { execFileSync } from 'node:child_process';
import { writeFileSync, mkdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from '../../scripts/lib/build.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
await build(root);
const { translate } = await import(join(root, 'dist/xds-fleet/translator/translate.js'));
const { encodeResourceAny } = await import(join(root, 'dist/xds-fleet/encoding/wire.js'));
const { TYPE_URLS } = await import(join(root, 'dist/xds-fleet/cache/compiled-mesh.js'));

const NODES = 1000;
const SERVICES = 1000;
const ROUTERS = 200;
const ROUTES_PER_ROUTER = 5;
const BACKENDS_PER_NODE = 10;
const RUNS = 7;

const arn = (/** @type {string} */ path) => `arn:aws:appmesh:us-east-1:111122223333:mesh/bench/${path}`;

/** @param {number} version the weight of one route, changed to simulate a one-route update */
function snapshot(version = 50) {
  const nodes = Array.from({ length: NODES }, (_, i) => ({
    name: `node-${i}`,
    arn: arn(`virtualNode/node-${i}`),
    version: 1,
    spec: {
      listeners: [{ portMapping: { port: 8080, protocol: 'http' } }],
      serviceDiscovery: { dns: { hostname: `node-${i}.bench.local` } },
      backends: Array.from({ length: BACKENDS_PER_NODE }, (_, b) => ({
        virtualService: { virtualServiceName: `svc-${(i * 7 + b * 13) % SERVICES}.bench.local` },
      })),
    },
  }));
  const routers = Array.from({ length: ROUTERS }, (_, r) => ({
    name: `router-${r}`,
    arn: arn(`virtualRouter/router-${r}`),
    version: 1,
    spec: { listeners: [{ portMapping: { port: 80, protocol: 'http' } }] },
    routes: Array.from({ length: ROUTES_PER_ROUTER }, (_, k) => ({
      name: `route-${k}`,
      arn: arn(`virtualRouter/router-${r}/route/route-${k}`),
      // Versions as the database keeps them: the changed route is one version ahead.
      version: r === 0 && k === 0 && version !== 50 ? 2 : 1,
      spec: {
        priority: k,
        httpRoute: {
          match:
            k === ROUTES_PER_ROUTER - 1
              ? { prefix: '/' }
              : { prefix: `/api/v${k}`, headers: [{ name: 'x-tier', match: { exact: `t${k}` } }] },
          action: {
            weightedTargets: [
              { virtualNode: `node-${(r * 5 + k) % NODES}`, weight: r === 0 && k === 0 ? version : 50 },
              { virtualNode: `node-${(r * 5 + k + 1) % NODES}`, weight: 50 },
            ],
          },
          retryPolicy: { maxRetries: 2, perRetryTimeout: { value: 1, unit: 's' }, httpRetryEvents: ['server-error'] },
        },
      },
    })),
  }));
  const services = Array.from({ length: SERVICES }, (_, s) => ({
    name: `svc-${s}.bench.local`,
    arn: arn(`virtualService/svc-${s}.bench.local`),
    version: 1,
    spec:
      s < ROUTERS
        ? { provider: { virtualRouter: { virtualRouterName: `router-${s}` } } }
        : { provider: { virtualNode: { virtualNodeName: `node-${s % NODES}` } } },
  }));
  return {
    accountId: '111122223333',
    region: 'us-east-1',
    meshName: 'bench',
    meshArn: arn('').replace(/\/$/, ''),
    generation: String(version),
    meshVersion: 1,
    spec: { egressFilter: { type: 'DROP_ALL' } },
    virtualNodes: nodes,
    virtualServices: services,
    virtualRouters: routers,
    virtualGateways: [],
    endpoints: {},
  };
}

const gc = /** @type {(() => void) | undefined} */ (globalThis.gc);
const median = (/** @type {number[]} */ xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

const input = snapshot();
translate(input); // warm-up (JIT)
const times = [];
for (let i = 0; i < RUNS; i++) {
  const t0 = performance.now();
  translate(input);
  times.push(performance.now() - t0);
}
// Heap: what the output keeps alive (after GC, result held), and the whole heap at that moment.
gc?.();
const heapBefore = process.memoryUsage().heapUsed;
const result = translate(input);
gc?.();
const heapAfter = process.memoryUsage().heapUsed;

// One route's weights change: re-translate with the previous result, so unchanged views are reused.
const changed = snapshot(90);
const changeTimes = [];
let rebuiltViews = 0;
for (let i = 0; i < RUNS; i++) {
  const t0 = performance.now();
  const next = translate(changed, undefined, { snapshot: input, result });
  changeTimes.push(performance.now() - t0);
  rebuiltViews = [...next.views].filter(([name, view]) => result.views.get(name) !== view).length;
}

// Output size and encode time per resource type, counting each distinct object once: JSON (the
// golden files) and protobuf (what the compiler stores and the xDS server sends: each resource's
// Any, encoded once per compile). Protobuf is timed on a second pass, after a warm-up pass.
/** @type {Record<string, { resources: number, bytes: number, encodeMs: number, protobufBytes: number, protobufMs: number }>} */
const perType = {};
for (const kind of ['listeners', 'routes', 'clusters', 'endpoints', 'secrets']) {
  const seen = new Set();
  for (const view of result.views.values()) for (const r of view[kind].values()) seen.add(r);
  const t0 = performance.now();
  let bytes = 0;
  for (const r of seen) bytes += Buffer.byteLength(JSON.stringify(r));
  const encodeMs = Math.round((performance.now() - t0) * 10) / 10;
  for (const r of seen) encodeResourceAny(TYPE_URLS[kind], r);
  const t1 = performance.now();
  let protobufBytes = 0;
  for (const r of seen) protobufBytes += encodeResourceAny(TYPE_URLS[kind], r).byteLength;
  const protobufMs = Math.round((performance.now() - t1) * 10) / 10;
  perType[kind] = { resources: seen.size, bytes, encodeMs, protobufBytes, protobufMs };
}

const out = {
  date: new Date().toISOString(),
  commit: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root }).toString().trim(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
  mesh: {
    nodes: NODES,
    services: SERVICES,
    routers: ROUTERS,
    routesPerRouter: ROUTES_PER_ROUTER,
    backendsPerNode: BACKENDS_PER_NODE,
    views: result.views.size,
  },
  fullTranslationMs: { median: Math.round(median(times) * 10) / 10, all: times.map((t) => Math.round(t * 10) / 10) },
  oneRouteChangeMs: {
    median: Math.round(median(changeTimes) * 10) / 10,
  },
  heapMb: {
    retainedByOutput: Math.round((heapAfter - heapBefore) / 1e5) / 10,
    totalHeapUsed: Math.round(heapAfter / 1e5) / 10,
    gcExposed: gc !== undefined,
  },
  perType,
  targets: { fullMs: 250, heapMb: 200, oneRouteChangeMs: 25 },
};
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, 'bench/results/translator.json'), `${JSON.stringify(out, null, 2)}\n`);
const met = (/** @type {boolean} */ ok) => (ok ? 'yes' : '**no**');
const md = `# Translator benchmark

Measured ${out.date.slice(0, 10)} at commit \`${out.commit}\`, ${out.machine.cpus} × ${out.machine.model}, Node ${out.machine.node}.
Mesh: ${NODES} virtual nodes (1 HTTP listener, ${BACKENDS_PER_NODE} backends each), ${SERVICES} virtual services (${ROUTERS} router-provided, the rest node-provided), ${ROUTERS} routers × ${ROUTES_PER_ROUTER} routes (weighted, header matches, retry policy). Output: ${out.mesh.views} proxy views. Median of ${RUNS} runs after one warm-up. Reproduce: \`npm run bench:translator\`.

| measure | result | target | met |
| --- | ---: | ---: | --- |
| full translation | ${out.fullTranslationMs.median} ms | < 250 ms | ${met(out.fullTranslationMs.median < 250)} |
| heap in use after translating (output held, after GC) | ${out.heapMb.totalHeapUsed} MB (output: ${out.heapMb.retainedByOutput} MB) | < 200 MB | ${met(out.heapMb.totalHeapUsed < 200)} |
| one route changed, re-translated | ${out.oneRouteChangeMs.median} ms | < 25 ms | ${met(out.oneRouteChangeMs.median < 25)} |

A one-route change is re-translated incrementally: resource versions show what changed, a reverse dependency walk finds the views it can affect (${rebuiltViews} of ${out.mesh.views} here: the nodes with that router's service as a backend, and that service's proxyless view), and every other view is reused as is.

| resource type | distinct resources | JSON bytes | JSON encode | protobuf (Any) bytes | protobuf encode |
| --- | ---: | ---: | ---: | ---: | ---: |
${Object.entries(perType)
  .map(
    ([k, v]) => `| ${k} | ${v.resources} | ${v.bytes} | ${v.encodeMs} ms | ${v.protobufBytes} | ${v.protobufMs} ms |`,
  )
  .join('\n')}

Protobuf is what the compiler stores in Redis and the xDS server sends: each distinct resource is encoded once per compile into its \`google.protobuf.Any\` (and not at all when the translator reused it from the previous compile); per-proxy responses only concatenate those bytes. JSON is what the golden files and the static bootstrap use.
`;
writeFileSync(join(root, 'bench/results/translator.md'), md);
process.stdout.write(md);
