// @ts-check
// `npm run bench:registry`: how long one change of a service-registry instance takes to reach the
// proxies subscribed to it (API call → /v1/registry → EDS fast path in the worker → xds shard →
// Delta push received by raw ADS clients), and whether its cost follows what changed rather than
// the size of the registry. For each size (default 1,000 and 10,000 instances, 20 per service),
// in a tenant of its own:
//
//   - a mesh with one awsCloudMap virtual node per registry service (`t-k` selects `s-k`), a
//     virtual service for each, and client nodes with 10 backends each (every service is a backend
//     of one client node); two raw ADS clients (Delta) per client node subscribe to their
//     backends' ClusterLoadAssignments;
//   - the registry filled through the REST API;
//   - `--changes` single-instance registrations at `--rate` per second, each on another service,
//     each with an address that marks it: the time until every subscribed proxy received it.
//
// Cost per change comes from the worker's metrics (endpoint updates, assignments rebuilt, update
// duration) and from the clients (pushes received, by affected and unaffected proxies).
//
// Requires `npm run build` first. Its own database (meshplane_bench_registry, recreated and
// migrated) and Redis database 13 (flushed). Writes bench/results/registry.{md,json}.
//
// Options:
//   --sizes=1000,10000  total instances per run (services = instances / 20)
//   --changes=100       instance registrations measured per size
//   --rate=10           registrations per second
//   --out=PATH          results path without extension (default bench/results/registry)
//   --cpu-prof          run the worker and the xds shard under `node --cpu-prof`; profiles and
//                       results go to bench/.profiles/ (profiling slows them: not results)
//   --report-only=X.json  only render X.md again from a result's JSON
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CreateMeshCommand, CreateVirtualNodeCommand, CreateVirtualServiceCommand } from '@aws-sdk/client-app-mesh';
import * as grpc from '@grpc/grpc-js';
import { logger, parseFlags, runBench } from '../lib/cli.mjs';
import { until } from '../xds/lib/loadgen.mjs';
import { startBenchStack } from '../xds/lib/bench-stack.mjs';
import { histogram, histogramDelta, percentiles, round, scrape, sum } from '../xds/lib/measure.mjs';
import { appMesh, createTenant, issueProxies, pool } from '../xds/lib/mesh.mjs';
import { requireBuild, startRole } from '../xds/lib/stack.mjs';

const root = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const DATABASE = 'meshplane_bench_registry';
// A Redis database number no other script uses (npm start 0, tests 1, bench:api 2, bench:xds 11,
// bench:propagation 12, bench:peers 13, bench:registry 14, mesh-burst 15): they can run side by side.
const REDIS_DB = 14;
const MESH = 'reg';
const NAMESPACE = 'bench.local';
const PER_SERVICE = 20;
const BACKENDS = 10;
const PROXIES_PER_CLIENT = 2;
const LISTENER_PORT = 8080;
const TARGET_P99_MS = 200;
const DELTA = '/envoy.service.discovery.v3.AggregatedDiscoveryService/DeltaAggregatedResources';
const CLA_TYPE = 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment';
const CDS_TYPE = 'type.googleapis.com/envoy.config.cluster.v3.Cluster';

const log = logger('bench:registry');
const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));

/** The marker address of change m: 10.250.x.y, which no filled instance uses. */
const markerOf = (/** @type {number} */ m) => `10.250.${Math.floor(m / 250)}.${(m % 250) + 1}`;

await runBench({ log, options: () => parseArgs(process.argv.slice(2)), main, report });

/** @param {string[]} argv */
function parseArgs(argv) {
  const given = parseFlags(argv, ['sizes', 'changes', 'rate', 'out', 'cpu-prof'], 'bench/registry/run.mjs');
  const sizes = (given.get('sizes') ?? '1000,10000').split(',').map((s) => Math.max(PER_SERVICE * BACKENDS, Number(s)));
  if (sizes.some((s) => !Number.isInteger(s))) throw new Error('--sizes must be integers');
  return {
    sizes,
    changes: Math.max(1, Number(given.get('changes') ?? 100)),
    rate: Math.max(0.1, Number(given.get('rate') ?? 10)),
    profile: given.has('cpu-prof'),
    out: given.get('out') ?? join(root, 'bench', given.has('cpu-prof') ? '.profiles' : 'results', 'registry'),
    command: `npm run bench:registry${argv.length ? ` -- ${argv.join(' ')}` : ''}`,
  };
}

/** @param {ReturnType<typeof parseArgs>} o */
async function main(o) {
  requireBuild(root);
  const { encodeMessage, decodeMessage } = await import(
    pathToFileURL(join(root, 'dist/xds-fleet/encoding/protos.js')).href
  );
  const profileDir = join(root, 'bench', '.profiles');
  if (o.profile) mkdirSync(profileDir, { recursive: true });
  const nodeArgs = o.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const { machine, services, env, apiPort, workerHttp, ports, api, worker } = await startBenchStack({
    root,
    database: DATABASE,
    redisDb: REDIS_DB,
    env: { QUEUE_PREFIX: 'bench-registry' },
    extraPorts: 2,
    workerNodeArgs: nodeArgs,
    log,
  });
  const [xdsPort, xdsHttp] = /** @type {[number, number]} */ (ports);
  const xds = await startRole({
    root,
    role: 'xds',
    env: { ...env, XDS_PORT: String(xdsPort), XDS_HTTP_PORT: String(xdsHttp), XDS_SHARD_ID: 'bench-registry' },
    httpPort: xdsHttp,
    nodeArgs,
    log,
  });
  /** @type {any} */
  const result = { machine, command: o.command, options: { ...o, out: relative(root, o.out) }, runs: [] };
  try {
    for (const size of o.sizes) result.runs.push(await runSize(size));
  } finally {
    await Promise.all([api, worker, xds].map((p) => p.stop()));
  }
  writeFileSync(`${o.out}.json`, `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(`${o.out}.md`, report(result));
  log(`wrote ${relative(root, o.out)}.{md,json}`);

  /** @param {number} size */
  async function runSize(size) {
    const serviceCount = Math.floor(size / PER_SERVICE);
    const clientNodes = Math.ceil(serviceCount / BACKENDS);
    log(
      `size ${size}: ${serviceCount} services, ${clientNodes} client nodes, ${clientNodes * PROXIES_PER_CLIENT} proxies`,
    );
    const tenant = await createTenant({
      port: apiPort,
      adminToken: env.MESH_ADMIN_TOKEN,
      name: `bench-registry-${size}`,
    });
    const sdk = appMesh(apiPort, tenant);
    /** @param {string} method @param {string} path @param {unknown} [body] */
    const rest = async (method, path, body) => {
      const res = await fetch(`http://127.0.0.1:${apiPort}/v1/registry/namespaces${path}`, {
        method,
        headers: { authorization: `Bearer ${tenant.apiToken.token}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (res.status >= 300) throw new Error(`${method} ${path}: HTTP ${res.status} ${text.slice(0, 300)}`);
      return JSON.parse(text);
    };

    // --- the registry, then the mesh (whose first compile reads the registry) ---------------------------
    // Filled in one transaction of bulk INSERTs, as an EC2 sync applies a difference: what is measured
    // is the propagation of one change, and registering 10,000 instances one REST call at a time on a
    // shared machine would take most of the run. Stamped an hour ago, so the sweep's repair (which
    // applies stamped services again half a minute later) does not replay the fill meanwhile.
    const started = Date.now();
    const fillStart = Date.now();
    await fillRegistry(services.databaseUrl, tenant.accountId, serviceCount);
    await sdk.send(new CreateMeshCommand({ meshName: MESH }));
    const fillS = (Date.now() - fillStart) / 1000;
    const ks = Array.from({ length: serviceCount }, (_, k) => k);
    await pool(ks, 16, async (k) => {
      await sdk.send(
        new CreateVirtualNodeCommand({
          meshName: MESH,
          virtualNodeName: `t-${k}`,
          spec: {
            listeners: [{ portMapping: { port: LISTENER_PORT, protocol: 'http' } }],
            serviceDiscovery: { awsCloudMap: { namespaceName: NAMESPACE, serviceName: `s-${k}` } },
          },
        }),
      );
      await sdk.send(
        new CreateVirtualServiceCommand({
          meshName: MESH,
          virtualServiceName: `v-${k}.bench.local`,
          spec: { provider: { virtualNode: { virtualNodeName: `t-${k}` } } },
        }),
      );
    });
    const backendsOf = (/** @type {number} */ j) => ks.slice(j * BACKENDS, (j + 1) * BACKENDS);
    await pool(
      Array.from({ length: clientNodes }, (_, j) => j),
      16,
      async (j) => {
        await sdk.send(
          new CreateVirtualNodeCommand({
            meshName: MESH,
            virtualNodeName: `c-${j}`,
            spec: {
              listeners: [{ portMapping: { port: 9080, protocol: 'http' } }],
              serviceDiscovery: { dns: { hostname: `c-${j}.bench.local` } },
              backends: backendsOf(j).map((k) => ({ virtualService: { virtualServiceName: `v-${k}.bench.local` } })),
            },
          }),
        );
      },
    );
    log(
      `size ${size}: mesh and registry ready in ${round((Date.now() - started) / 1000, 1)} s (registry fill ${round(fillS, 1)} s)`,
    );

    /** Until the mesh's last change is compiled and every connected proxy holds it. */
    const inSync = () =>
      until(
        async () => {
          const res = await fetch(`http://127.0.0.1:${apiPort}/v1/meshes/${MESH}/status`, {
            headers: { authorization: `Bearer ${tenant.apiToken.token}` },
          });
          return /** @type {any} */ (await res.json()).inSync === true;
        },
        600_000,
        500,
      );
    // The proxies connect to a compiled mesh (building it compiled it many times over).
    await inSync();
    log(`size ${size}: mesh compiled ${round((Date.now() - started) / 1000, 1)} s after the start`);

    // --- the proxies ----------------------------------------------------------------------------------
    const specs = await issueProxies({
      port: apiPort,
      tenant,
      meshName: MESH,
      nodes: Array.from({ length: clientNodes }, (_, j) => `c-${j}`),
      perNode: PROXIES_PER_CLIENT,
      log,
    });
    /** Arrival times of marker addresses, per proxy. */
    /** @type {Map<number, Map<string, number>>} */
    const arrivals = new Map();
    const pushes = new Int32Array(specs.length);
    const client = new grpc.Client(`127.0.0.1:${xdsPort}`, grpc.credentials.createInsecure(), {
      'grpc.use_local_subchannel_pool': 1,
    });
    /** @type {grpc.ClientDuplexStream<any, any>[]} */
    const calls = [];
    let ready = 0;
    for (const spec of specs) {
      const j = Number(spec.node.slice(2));
      const names = backendsOf(j).map((k) => `cds_egress_${MESH}_t-${k}_http_${LISTENER_PORT}`);
      const metadata = new grpc.Metadata();
      metadata.set('authorization', `Bearer ${spec.token}`);
      const call = client.makeBidiStreamRequest(
        DELTA,
        (/** @type {any} */ v) => Buffer.from(encodeMessage('envoy.service.discovery.v3.DeltaDiscoveryRequest', v)),
        (/** @type {Buffer} */ b) => b,
        metadata,
      );
      calls.push(call);
      const seen = new Map();
      arrivals.set(spec.index, seen);
      let first = true;
      call.on('data', (/** @type {Buffer} */ bytes) => {
        const at = Date.now();
        const r = decodeMessage('envoy.service.discovery.v3.DeltaDiscoveryResponse', bytes);
        call.write({ type_url: r.type_url, response_nonce: r.nonce });
        if (r.type_url === CDS_TYPE && first) {
          first = false;
          call.write({ type_url: CLA_TYPE, resource_names_subscribe: names });
          return;
        }
        if (r.type_url !== CLA_TYPE) return;
        if (!seen.has('ready')) {
          seen.set('ready', at);
          ready++;
          return;
        }
        pushes[spec.index] = (pushes[spec.index] ?? 0) + 1;
        for (const res of r.resources ?? []) {
          const cla = decodeMessage('envoy.config.endpoint.v3.ClusterLoadAssignment', res.resource.value);
          for (const locality of cla.endpoints ?? [])
            for (const lb of locality.lb_endpoints ?? []) {
              const address = lb.endpoint?.address?.socket_address?.address;
              if (typeof address === 'string' && address.startsWith('10.250.') && !seen.has(address))
                seen.set(address, at);
            }
        }
      });
      call.on('error', () => undefined);
      call.write({ node: { id: spec.nodeId, cluster: spec.cluster }, type_url: CDS_TYPE });
    }
    const allReady = await until(async () => ready >= specs.length, 300_000, 200);
    log(`size ${size}: ${ready}/${specs.length} proxies subscribed`);
    await inSync();
    await sleep(3000);
    pushes.fill(0);

    // --- changes ----------------------------------------------------------------------------------------
    // Scraping resets each process's event-loop delay histogram: the next scrape's maximum covers the changes.
    const [m0] = await Promise.all([scrape(workerHttp), scrape(xdsHttp), scrape(apiPort)]);
    const h0 = histogram(m0, 'meshplane_endpoint_update_duration_seconds');
    /** @type {{ m: number, k: number, sent: number, answered: number }[]} */
    const changes = [];
    const t0 = Date.now() + 100;
    const inFlight = [];
    for (let m = 0; m < o.changes; m++) {
      const wait = t0 + (m * 1000) / o.rate - Date.now();
      if (wait > 0) await sleep(wait);
      const k = (m * 7) % serviceCount;
      const change = { m, k, sent: Date.now(), answered: NaN };
      changes.push(change);
      inFlight.push(
        rest('POST', `/${NAMESPACE}/services/s-${k}/instances`, {
          InstanceId: `mark-${m}`,
          Attributes: { AWS_INSTANCE_IPV4: markerOf(m), AWS_INSTANCE_PORT: '8080' },
        }).then(() => (change.answered = Date.now())),
      );
    }
    await Promise.all(inFlight);
    /** Subscribed proxies of service k. */
    const affected = (/** @type {number} */ k) =>
      specs.filter((s) => Number(s.node.slice(2)) === Math.floor(k / BACKENDS));
    const latencies = () => {
      /** @type {number[]} */
      const fromSend = [];
      /** @type {number[]} */
      const fromCommit = [];
      /** The slowest deliveries: when in the run the change was sent, its API call, and the whole. */
      /** @type {{ change: number, sentAtMs: number, apiMs: number, totalMs: number }[]} */
      const samples = [];
      let missing = 0;
      for (const c of changes)
        for (const s of affected(c.k)) {
          const at = arrivals.get(s.index)?.get(markerOf(c.m));
          if (at === undefined) missing++;
          else {
            fromSend.push(at - c.sent);
            fromCommit.push(at - c.answered);
            samples.push({ change: c.m, sentAtMs: c.sent - t0, apiMs: c.answered - c.sent, totalMs: at - c.sent });
          }
        }
      const slowest = samples.sort((a, b) => b.totalMs - a.totalMs).slice(0, 8);
      return { fromSend, fromCommit, missing, slowest };
    };
    await until(async () => latencies().missing === 0, 15_000, 100);
    await sleep(1000);
    const lat = latencies();
    const [m1, x1, a1] = await Promise.all([scrape(workerHttp), scrape(xdsHttp), scrape(apiPort)]);
    /** The longest the process's event loop was blocked during the changes (ms). @param {any} m */
    const stall = (m) => round(sum(m, 'meshplane_nodejs_eventloop_lag_max_seconds') * 1000, 1);
    const updates = sum(m1, 'meshplane_endpoint_updates_total') - sum(m0, 'meshplane_endpoint_updates_total');
    const rebuilt =
      sum(m1, 'meshplane_endpoint_assignments_rebuilt_total') - sum(m0, 'meshplane_endpoint_assignments_rebuilt_total');
    const compiles = sum(m1, 'meshplane_mesh_compiles_total') - sum(m0, 'meshplane_mesh_compiles_total');
    const duration = histogramDelta(h0, histogram(m1, 'meshplane_endpoint_update_duration_seconds'));
    const affectedProxies = new Set(changes.flatMap((c) => affected(c.k).map((s) => s.index)));
    let pushesAffected = 0;
    let pushesOthers = 0;
    pushes.forEach((n, i) => (affectedProxies.has(i) ? (pushesAffected += n) : (pushesOthers += n)));
    for (const c of calls) c.cancel();
    client.close();
    const p = percentiles(lat.fromSend);
    const pc = percentiles(lat.fromCommit);
    log(
      `size ${size}: p50 ${p.p50} ms, p99 ${p.p99} ms from the API call (${lat.missing} missing); ${rebuilt} assignments rebuilt by ${updates} updates`,
    );
    return {
      instances: serviceCount * PER_SERVICE,
      services: serviceCount,
      proxies: specs.length,
      allReady,
      registryFillS: round(fillS, 1),
      changes: changes.length,
      deliveries: p.n,
      missing: lat.missing,
      fromApiCallMs: p,
      fromApiAnswerMs: pc,
      slowest: lat.slowest,
      endpointUpdates: updates,
      assignmentsRebuilt: rebuilt,
      assignmentsRebuiltPerUpdate: updates ? round(rebuilt / updates, 2) : NaN,
      meshCompiles: compiles,
      updateDuration: duration,
      pushesToAffectedProxies: pushesAffected,
      pushesToOtherProxies: pushesOthers,
      eventLoopMaxDelayMs: { api: stall(a1), worker: stall(m1), xds: stall(x1) },
    };
  }
}

/** @param {any} r */
function report(r) {
  const m = r.machine;
  const rows = r.runs.map(
    (/** @type {any} */ x) =>
      `| ${x.instances.toLocaleString('en')} | ${x.services} | ${x.proxies} | ${x.changes} | ${x.fromApiCallMs.p50} / ${x.fromApiCallMs.p90} / **${x.fromApiCallMs.p99}** / ${x.fromApiCallMs.max} | ${x.fromApiAnswerMs.p50} / ${x.fromApiAnswerMs.p99} | ${x.missing} | ${x.endpointUpdates} | ${x.assignmentsRebuiltPerUpdate} | ${round(x.updateDuration.meanS * 1000, 1)} | ${x.meshCompiles} | ${x.pushesToAffectedProxies} / ${x.pushesToOtherProxies} |`,
  );
  const worst = Math.max(...r.runs.map((/** @type {any} */ x) => x.fromApiCallMs.p99));
  return `# Service registry → EDS benchmark

\`${r.command}\` (bench/registry/run.mjs) at commit \`${m.commit}\`${m.dirty ? ' (with uncommitted changes in src/)' : ''}, ${m.date}.
Machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGb} GB, Node ${m.node}, Linux ${m.kernel}; load average at start ${m.loadAvg.join(' / ')}, ${m.busyCoresBeforeStart} cores busy with other work before the run.

One api, one worker and one xds process (default configuration: \`ENDPOINTS_DEBOUNCE_MS\` 100), PostgreSQL and Redis on the same machine.
Per size: a mesh with one \`awsCloudMap\` virtual node per registry service (20 instances each), client nodes with ${BACKENDS} backends each, ${PROXIES_PER_CLIENT} raw ADS clients (Delta) per client node subscribed to their backends' ClusterLoadAssignments; then ${r.options.changes} single-instance registrations through \`POST /v1/registry/…/instances\` at ${r.options.rate}/s, each on another service, each with a marker address. Latency: from the API call (and from its answer) until a subscribed proxy received the marker, for every subscribed proxy.

| instances | services | proxies | changes | API call → proxy, ms p50 / p90 / **p99** / max | API answer → proxy, ms p50 / p99 | missing | endpoint updates | assignments rebuilt per update | update mean, ms | mesh compiles | pushes to affected / other proxies |
|---:|---:|---:|---:|---|---|---:|---:|---:|---:|---:|---|
${rows.join('\n')}

Target: p99 < ${TARGET_P99_MS} ms — ${worst < TARGET_P99_MS ? `met (worst p99 ${worst} ms)` : `**not met** (worst p99 ${worst} ms)`}.

Slowest deliveries (change number, when in the run it was sent, its API call, the whole), and the longest each process's event loop was blocked during the changes:
${r.runs
  .map(
    (/** @type {any} */ x) =>
      `- ${x.instances.toLocaleString('en')} instances: ${x.slowest
        .slice(0, 4)
        .map(
          (/** @type {any} */ d) =>
            `#${d.change} at ${round(d.sentAtMs / 1000, 1)} s, API ${d.apiMs} ms, ${d.totalMs} ms`,
        )
        .join(
          '; ',
        )}. Event loop blocked at most: api ${x.eventLoopMaxDelayMs.api} ms, worker ${x.eventLoopMaxDelayMs.worker} ms, xds ${x.eventLoopMaxDelayMs.xds} ms.`,
  )
  .join('\n')}

Reading it:
- Cost follows the change, not the registry: an update rebuilds only the assignments of the nodes that select the changed services (2 per node: its Envoy and its proxyless assignment), so rebuilt per update is about 2 × the changes it absorbed (${r.runs.map((/** @type {any} */ x) => `${round(x.changes / x.endpointUpdates, 1)} changes per update at ${x.instances.toLocaleString('en')}`).join(', ')}), the same at both sizes, plus any update that a connected proxy's own endpoint triggered meanwhile (it rebuilds that proxy's node's assignments); no mesh is compiled; only the proxies subscribed to a changed service receive a push (pushes to other proxies: 0).
- The update reads and writes only what the change touches (ADR 0026): the manifest's head (every view's hash, to compute the version), the dirty nodes' endpoint sources, and the views holding their assignments; the shard re-reads the head and those views. The head still grows with the number of views (ten times larger at 10,000 instances), a small term next to the whole manifest that updates read and wrote before (compare the update mean across sizes).
- Latency = the API call (its transaction and the listener's query), the wait in the endpoints queue (none for a change to a mesh with no update started within \`ENDPOINTS_DEBOUNCE_MS\`, 100 ms; a change sooner waits until 100 ms after that update started, so a deployment's burst becomes at most one update per 100 ms; at ${r.options.rate} changes/s to one mesh many changes come within 100 ms of the previous update), the update, and the push. The API's own answer is a share of the time (compare the two latency columns). The load average in the header shows how busy the machine's cores were: judge the target on a quiet machine.
- The registry is filled with bulk INSERTs, then analyzed (the statistics autovacuum gathers within a minute of such a fill; without them each update's query read every instance of the tenant, 78 ms at 10,000), before the mesh is created (${r.runs.map((/** @type {any} */ x) => `${x.registryFillS} s at ${x.instances.toLocaleString('en')}`).join(', ')}); the measured changes go through the REST API.
`;
}

/**
 * The tenant's namespace, `services` services and PER_SERVICE instances each, in one transaction.
 * @param {string} databaseUrl @param {string} accountId @param {number} services
 */
async function fillRegistry(databaseUrl, accountId, services) {
  const { default: pg } = await import('pg');
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    await db.query('BEGIN');
    const stamp = "now() - interval '1 hour'";
    const ns = await db.query(
      `INSERT INTO registry_namespaces (id, tenant_id, name, created_at, updated_at)
       SELECT gen_random_uuid(), id, $2, ${stamp}, ${stamp} FROM tenants WHERE account_id = $1 RETURNING id, tenant_id`,
      [accountId, NAMESPACE],
    );
    const { id: namespaceId, tenant_id: tenantId } = ns.rows[0];
    await db.query(
      `INSERT INTO registry_services (id, tenant_id, namespace_id, name, created_at, updated_at)
       SELECT gen_random_uuid(), $1, $2, 's-' || k, ${stamp}, ${stamp} FROM generate_series(0, $3 - 1) k`,
      [tenantId, namespaceId, services],
    );
    await db.query(
      `INSERT INTO registry_instances (id, tenant_id, service_id, instance_id, ipv4, port, attributes, created_at, updated_at)
       SELECT gen_random_uuid(), $1, s.id, 'i-' || i, ip, 8080,
              jsonb_build_object('AWS_INSTANCE_IPV4', ip, 'AWS_INSTANCE_PORT', '8080'), ${stamp}, ${stamp}
       FROM registry_services s
       CROSS JOIN generate_series(0, $3 - 1) j
       CROSS JOIN LATERAL (SELECT substring(s.name from 3)::int * $3 + j AS i) n
       CROSS JOIN LATERAL (SELECT '10.' || (i / 62500) || '.' || (i / 250 % 250) || '.' || (i % 250 + 1) AS ip) a
       WHERE s.namespace_id = $2`,
      [tenantId, namespaceId, PER_SERVICE],
    );
    await db.query('COMMIT');
    // The statistics autovacuum would gather within its naptime (a minute) after a fill this size:
    // without them the planner takes a tenant with 10,000 fresh instances for one with none, and
    // reads an update's few services through all of them (78 ms instead of 0.1 ms a query).
    await db.query('ANALYZE registry_namespaces, registry_services, registry_instances');
  } finally {
    await db.end();
  }
}
