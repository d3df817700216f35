// @ts-check
// Setting up what the simulated proxies connect as, through the public APIs only: a tenant
// (operator API), a mesh built with the real AWS SDK (App Mesh API, SigV4), and proxy tokens from
// the bootstrap endpoint (`GET /v1/meshes/{mesh}/virtualNodes/{node}/bootstrap`, one call per
// proxy: every proxy has a token of its own, as every Envoy started from its own bootstrap has).
import {
  AppMeshClient,
  CreateMeshCommand,
  CreateRouteCommand,
  CreateVirtualNodeCommand,
  CreateVirtualRouterCommand,
  CreateVirtualServiceCommand,
  UpdateRouteCommand,
} from '@aws-sdk/client-app-mesh';
import { Agent } from 'node:http';
import { parse } from 'yaml';

/**
 * @typedef {object} Tenant
 * @property {string} accountId
 * @property {{ accessKeyId: string, secretAccessKey: string }} accessKey
 * @property {{ token: string }} apiToken
 */

/**
 * @param {{ port: number, adminToken: string, name: string }} o
 * @returns {Promise<Tenant>}
 */
export async function createTenant({ port, adminToken, name }) {
  const res = await fetch(`http://127.0.0.1:${port}/admin/v1/tenants`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name, plan: 'enterprise' }),
  });
  const body = /** @type {Tenant} */ (await res.json());
  if (res.status !== 201) throw new Error(`creating the tenant: HTTP ${res.status} ${JSON.stringify(body)}`);
  return body;
}

/** @param {number} port @param {Tenant} tenant */
export function appMesh(port, tenant) {
  return new AppMeshClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: tenant.accessKey,
    maxAttempts: 3,
    // Enough sockets that a burst of requests is sent when it is due, not when a socket frees up.
    requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets: 1024 }) },
  });
}

/**
 * Runs `fn` over `items` with at most `concurrency` at once.
 * @template T @param {readonly T[]} items @param {number} concurrency @param {(item: T, i: number) => Promise<void>} fn
 */
export async function pool(items, concurrency, fn) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(/** @type {T} */ (items[i]), i);
      }
    }),
  );
}

/**
 * A route whose match prefix carries a marker, `/m/<route>/<seq>`: a simulated proxy that finds it
 * in a route configuration it ACKs reports (route, seq) with the time. `targets`: node → weight.
 * @param {number} route @param {number} seq @param {Record<string, number>} targets
 */
export function markedRouteSpec(route, seq, targets) {
  return {
    httpRoute: {
      match: { prefix: `/m/${route}/${seq}` },
      action: { weightedTargets: Object.entries(targets).map(([virtualNode, weight]) => ({ virtualNode, weight })) },
    },
  };
}

/** A virtual node discovered through Cloud Map: its clients reach it through EDS. */
function nodeSpec(/** @type {string} */ name, /** @type {string[]} */ backends) {
  return {
    listeners: [{ portMapping: { port: 8080, protocol: /** @type {const} */ ('http') } }],
    serviceDiscovery: { awsCloudMap: { namespaceName: 'bench.local', serviceName: name } },
    backends: backends.map((virtualServiceName) => ({ virtualService: { virtualServiceName } })),
  };
}

/**
 * Builds a mesh of routed services: for each service, a router with one marked route to its
 * target node and a virtual service provided by the router; then the client nodes with their
 * backends. Order respects references (routers, services, nodes, routes).
 * @param {AppMeshClient} client
 * @param {{
 *   meshName: string,
 *   services: { name: string, router: string, route: number, targets: Record<string, number> }[],
 *   nodes: { name: string, backends: string[] }[],
 *   concurrency?: number,
 *   log: (msg: string) => void,
 * }} m
 */
export async function buildMesh(client, { meshName, services, nodes, concurrency = 8, log }) {
  await client.send(new CreateMeshCommand({ meshName }));
  const listeners = [{ portMapping: { port: 8080, protocol: /** @type {const} */ ('http') } }];
  await pool(services, concurrency, async (s) => {
    await client.send(new CreateVirtualRouterCommand({ meshName, virtualRouterName: s.router, spec: { listeners } }));
  });
  await pool(services, concurrency, async (s) => {
    await client.send(
      new CreateVirtualServiceCommand({
        meshName,
        virtualServiceName: s.name,
        spec: { provider: { virtualRouter: { virtualRouterName: s.router } } },
      }),
    );
  });
  await pool(nodes, concurrency, async (n) => {
    await client.send(
      new CreateVirtualNodeCommand({ meshName, virtualNodeName: n.name, spec: nodeSpec(n.name, n.backends) }),
    );
  });
  await pool(services, concurrency, async (s) => {
    await client.send(
      new CreateRouteCommand({
        meshName,
        virtualRouterName: s.router,
        routeName: 'main',
        spec: markedRouteSpec(s.route, 0, s.targets),
      }),
    );
  });
  log(`mesh ${meshName}: ${nodes.length} virtual nodes, ${services.length} routers, routes and virtual services`);
}

/**
 * Updates a service's route to carry marker `seq` (and the given weights); resolves with the time
 * the API answered (the change is committed then).
 * @param {AppMeshClient} client @param {string} meshName
 * @param {{ router: string, route: number, targets: Record<string, number> }} s @param {number} seq
 */
export async function updateRoute(client, meshName, s, seq) {
  await client.send(
    new UpdateRouteCommand({
      meshName,
      virtualRouterName: s.router,
      routeName: 'main',
      spec: markedRouteSpec(s.route, seq, s.targets),
    }),
  );
  return Date.now();
}

/**
 * A bootstrap from the API, and what a proxy needs of it: its token and node.id.
 * @param {{ port: number, tenant: Tenant, meshName: string, node: string, query?: string }} o
 */
export async function bootstrap({ port, tenant, meshName, node, query = '' }) {
  const res = await fetch(
    `http://127.0.0.1:${port}/v1/meshes/${meshName}/virtualNodes/${node}/bootstrap${query ? `?${query}` : ''}`,
    { headers: { authorization: `Bearer ${tenant.apiToken.token}` } },
  );
  const text = await res.text();
  if (res.status !== 200) throw new Error(`bootstrap of ${node}: HTTP ${res.status} ${text.slice(0, 300)}`);
  const doc = parse(text);
  const value = doc.dynamic_resources.ads_config.grpc_services[0].initial_metadata[0].value;
  return {
    doc,
    token: String(value).replace(/^Bearer\s+/, ''),
    nodeId: String(doc.node.id),
    cluster: String(doc.node.cluster),
  };
}

/**
 * One token per proxy: `perNode` proxies on each node, in the order proxies are numbered
 * (proxy i is on node i % nodes.length, so any prefix of the list spreads over every node).
 * @param {{ port: number, tenant: Tenant, meshName: string, nodes: string[], perNode: number, concurrency?: number, log: (msg: string) => void }} o
 * @returns {Promise<(import('./loadgen-worker.mjs').ClientSpec & { node: string })[]>}
 */
export async function issueProxies({ port, tenant, meshName, nodes, perNode, concurrency = 16, log }) {
  const total = nodes.length * perNode;
  /** @type {any[]} */
  const out = new Array(total);
  const started = Date.now();
  await pool(
    Array.from({ length: total }, (_, i) => i),
    concurrency,
    async (i) => {
      const node = /** @type {string} */ (nodes[i % nodes.length]);
      const b = await bootstrap({ port, tenant, meshName, node });
      out[i] = { index: i, token: b.token, nodeId: b.nodeId, cluster: b.cluster, node };
    },
  );
  log(`issued ${total} proxy tokens through the bootstrap endpoint in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return out;
}
