// @ts-check
// The start every mesh benchmark shares (bench:xds, bench:propagation, bench:peers,
// bench:registry), and the mesh bench:xds and bench:peers both serve: one piece, so that their
// numbers come from the same setup.
import { busyCores, machineInfo } from './measure.mjs';
import { appMesh, buildMesh, createTenant } from './mesh.mjs';
import { commonEnv, freePorts, prepareServices, startRole } from './stack.mjs';

/**
 * The machine described (with the cores other processes kept busy over ~2 s, and a warning saying
 * `busyWarning` when that is more than 0.3); `database` and Redis database `redisDb` prepared; the
 * api and worker roles started as their own processes (the worker with `workerNodeArgs`, say a
 * profiler's), on free ports picked together with `extraPorts` more for the caller's own parts.
 * @param {{
 *   root: string,
 *   database: string,
 *   redisDb: number,
 *   env: Record<string, string>,
 *   extraPorts?: number,
 *   workerNodeArgs?: string[],
 *   busyWarning?: string,
 *   log: (msg: string) => void,
 * }} o `env`: what commonEnv adds to the roles' environment (QUEUE_PREFIX at least)
 */
export async function startBenchStack({
  root,
  database,
  redisDb,
  env: extra,
  extraPorts = 0,
  workerNodeArgs = [],
  busyWarning = 'numbers will be worse than on a quiet machine',
  log,
}) {
  const machine = { ...machineInfo(root), busyCoresBeforeStart: await busyCores() };
  if (machine.busyCoresBeforeStart > 0.3)
    log(`WARNING: other processes keep ${machine.busyCoresBeforeStart} cores busy; ${busyWarning}`);
  const services = await prepareServices({ root, database, redisDb, log });
  const [apiPort, workerHttp, ...ports] = /** @type {[number, number, ...number[]]} */ (
    await freePorts(2 + extraPorts)
  );
  const env = commonEnv(services, extra);
  const api = await startRole({ root, role: 'api', env: { ...env, PORT: String(apiPort) }, httpPort: apiPort, log });
  const worker = await startRole({
    root,
    role: 'worker',
    env: { ...env, WORKER_HTTP_PORT: String(workerHttp) },
    httpPort: workerHttp,
    nodeArgs: workerNodeArgs,
    log,
  });
  return { machine, services, env, apiPort, workerHttp, ports, api, worker };
}

/**
 * The mesh of bench:xds, in a tenant of its own: node `n<i>` has the backends
 * `shared.bench.local` (router `shared`, marker route `sharedRoute`, routed to n0 and n1) and
 * `svc-<i+1>.bench.local` (router `r-<i+1>`, routed to node n<i+1>), so each proxy holds a route
 * every proxy holds and one only its node's clients hold.
 * @param {{ apiPort: number, adminToken: string, tenantName: string, meshName: string, nodes: number, sharedRoute: number, log: (msg: string) => void }} o
 */
export async function createNodeMesh({ apiPort, adminToken, tenantName, meshName, nodes, sharedRoute, log }) {
  const tenant = await createTenant({ port: apiPort, adminToken, name: tenantName });
  const sdk = appMesh(apiPort, tenant);
  const nodeNames = Array.from({ length: nodes }, (_, i) => `n${i}`);
  const shared = { name: 'shared.bench.local', router: 'shared', route: sharedRoute, targets: { n0: 1, n1: 1 } };
  const ownServices = nodeNames.map((n, i) => ({
    name: `svc-${i}.bench.local`,
    router: `r-${i}`,
    route: i + 1,
    targets: { [n]: 1 },
  }));
  await buildMesh(sdk, {
    meshName,
    services: [shared, ...ownServices],
    nodes: nodeNames.map((name, i) => ({ name, backends: [shared.name, `svc-${(i + 1) % nodes}.bench.local`] })),
    log,
  });
  return { tenant, sdk, nodeNames, shared };
}
