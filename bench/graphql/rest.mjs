// @ts-check
// The benchmark's mesh, built through the App Mesh REST API, and the REST calls a client needs to
// read what one GraphQL query answers (as a script with the AWS SDK would: List pages of 100, then
// a Describe per resource, since List answers only names and ARNs).
import { send, sendOk } from '../app-mesh-api/signing.mjs';

/** @typedef {import('../app-mesh-api/signing.mjs').RequestSigner} RequestSigner */

const API = '/v20190125/meshes';
const LISTENER = { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }] };

/**
 * The shape test/support/big-mesh-builder.ts writes, through the API (so references and the change
 * log are real), for i < size and j < size/10: node-i (backend svc-(i+1 mod size)); svc-i provided
 * by router-(i/10) when i is a multiple of 10, else by node-i; router-j with routes `a`
 * (node-10j: 80, node-10j+1: 20) and `b` (node-10j+2: 1); gateway `gw` with gateway route gr-j
 * to svc-10j. Nodes are created first and given their backends once the services exist.
 * @param {RequestSigner} signer
 * @param {string} mesh
 * @param {number} size
 */
export async function buildMesh(signer, mesh, size) {
  /** @param {string} method @param {string} path @param {unknown} body */
  const ok = async (method, path, body) =>
    sendOk(signer.port, await signer.sign(method, path, body), `${method} ${path}`);
  await ok('PUT', API, { meshName: mesh });
  const base = `${API}/${mesh}`;
  const nodeSpec = (/** @type {number} */ i, /** @type {boolean} */ withBackend) => ({
    ...LISTENER,
    serviceDiscovery: { dns: { hostname: `node-${i}.local` } },
    ...(withBackend ? { backends: [{ virtualService: { virtualServiceName: `svc-${(i + 1) % size}` } }] } : {}),
  });
  for (let i = 0; i < size; i++)
    await ok('PUT', `${base}/virtualNodes`, { virtualNodeName: `node-${i}`, spec: nodeSpec(i, false) });
  const routers = size / 10;
  for (let j = 0; j < routers; j++) {
    const router = `router-${j}`;
    await ok('PUT', `${base}/virtualRouters`, { virtualRouterName: router, spec: LISTENER });
    /** @param {string} prefix @param {{ virtualNode: string, weight: number }[]} targets */
    const http = (prefix, targets) => ({ httpRoute: { match: { prefix }, action: { weightedTargets: targets } } });
    await ok('PUT', `${base}/virtualRouter/${router}/routes`, {
      routeName: 'a',
      spec: http('/', [
        { virtualNode: `node-${10 * j}`, weight: 80 },
        { virtualNode: `node-${10 * j + 1}`, weight: 20 },
      ]),
    });
    await ok('PUT', `${base}/virtualRouter/${router}/routes`, {
      routeName: 'b',
      spec: http('/b', [{ virtualNode: `node-${10 * j + 2}`, weight: 1 }]),
    });
  }
  for (let i = 0; i < size; i++) {
    const provider =
      i % 10 === 0
        ? { virtualRouter: { virtualRouterName: `router-${i / 10}` } }
        : { virtualNode: { virtualNodeName: `node-${i}` } };
    await ok('PUT', `${base}/virtualServices`, { virtualServiceName: `svc-${i}`, spec: { provider } });
  }
  for (let i = 0; i < size; i++) await ok('PUT', `${base}/virtualNodes/node-${i}`, { spec: nodeSpec(i, true) });
  await ok('PUT', `${base}/virtualGateways`, { virtualGatewayName: 'gw', spec: LISTENER });
  for (let j = 0; j < routers; j++) {
    await ok('PUT', `${base}/virtualGateway/gw/gatewayRoutes`, {
      gatewayRouteName: `gr-${j}`,
      spec: {
        httpRoute: {
          match: { prefix: `/g${j}` },
          action: { target: { virtualService: { virtualServiceName: `svc-${10 * j}` } } },
        },
      },
    });
  }
  return {
    virtualNodes: size,
    virtualServices: size,
    virtualRouters: routers,
    routes: routers * 2,
    virtualGateways: 1,
    gatewayRoutes: routers,
  };
}

/**
 * One client's pass over the REST API for the data of one GraphQL query: `page`, the first 100
 * virtual nodes with their specs; `topology`, every resource of the mesh with its spec.
 * @param {RequestSigner} signer
 * @param {number} port
 * @param {string} mesh
 * @param {'topology' | 'page'} what
 */
export async function restPass(signer, port, mesh, what) {
  let requests = 0;
  /** @param {string} path */
  const get = async (path) => {
    requests++;
    const res = await send(port, await signer.sign('GET', path));
    if (res.status !== 200) throw new Error(`GET ${path}: HTTP ${res.status} ${res.body.slice(0, 300)}`);
    return JSON.parse(res.body);
  };
  const base = `${API}/${mesh}`;
  /**
   * Every name of a listing (all pages, or the first page only), then a Describe of each.
   * @param {string} path @param {string} member the list's member @param {string} nameKey each item's name member
   * @param {boolean} allPages
   */
  const listAndDescribe = async (path, member, nameKey, allPages) => {
    /** @type {string[]} */
    const names = [];
    let token;
    do {
      const page = await get(`${path}?limit=100${token ? `&nextToken=${encodeURIComponent(token)}` : ''}`);
      for (const ref of page[member]) names.push(ref[nameKey]);
      token = allPages ? page.nextToken : undefined;
    } while (token);
    for (const name of names) await get(`${path}/${encodeURIComponent(name)}`);
    return names;
  };
  if (what === 'page') {
    await listAndDescribe(`${base}/virtualNodes`, 'virtualNodes', 'virtualNodeName', false);
    return { requests };
  }
  await listAndDescribe(`${base}/virtualNodes`, 'virtualNodes', 'virtualNodeName', true);
  await listAndDescribe(`${base}/virtualServices`, 'virtualServices', 'virtualServiceName', true);
  const routers = await listAndDescribe(`${base}/virtualRouters`, 'virtualRouters', 'virtualRouterName', true);
  for (const r of routers) await listAndDescribe(`${base}/virtualRouter/${r}/routes`, 'routes', 'routeName', true);
  const gateways = await listAndDescribe(`${base}/virtualGateways`, 'virtualGateways', 'virtualGatewayName', true);
  for (const g of gateways)
    await listAndDescribe(`${base}/virtualGateway/${g}/gatewayRoutes`, 'gatewayRoutes', 'gatewayRouteName', true);
  return { requests };
}
