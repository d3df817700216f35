import {
  gatewayTargetsOf,
  weightedTargetsOf,
  type MeshSnapshot,
  type SnapshotResource,
} from '../snapshot/mesh-snapshot.js';
import { names } from './names.js';
import { proxylessViewName } from './proxyless.js';
import type { VirtualNodeSpec, VirtualServiceSpec } from './spec-types.js';

type Router = MeshSnapshot['virtualRouters'][number];
type Gateway = MeshSnapshot['virtualGateways'][number];

/**
 * Which proxy views a change between two snapshots of one mesh can affect, found from resource
 * versions (no spec comparison) and a reverse dependency walk: a node's own view; the services it
 * provides or that route to it; the routers whose routes target it; every node and gateway that has
 * an affected service as a backend or target; the proxyless view of each affected service.
 * A node whose endpoints changed counts as changed. Returns 'all' when the answer is not cheaply
 * certain (mesh spec changed, versions missing).
 */
export function affectedViews(previous: MeshSnapshot, next: MeshSnapshot): Set<string> | 'all' {
  if (
    previous.meshName !== next.meshName ||
    previous.meshVersion === undefined ||
    previous.meshVersion !== next.meshVersion
  )
    return 'all';
  const nodes = changed(previous.virtualNodes, next.virtualNodes, version);
  const services = changed(previous.virtualServices, next.virtualServices, version);
  const routers = changed(previous.virtualRouters, next.virtualRouters, routerVersion);
  const gateways = changed(previous.virtualGateways, next.virtualGateways, gatewayVersion);
  if (nodes === 'all' || services === 'all' || routers === 'all' || gateways === 'all') return 'all';
  // A node whose endpoints changed affects what a changed node affects: the assignments of its clusters.
  for (const name of new Set([...Object.keys(previous.endpoints), ...Object.keys(next.endpoints)])) {
    if (JSON.stringify(previous.endpoints[name] ?? []) !== JSON.stringify(next.endpoints[name] ?? [])) nodes.add(name);
  }

  // Routers whose routes target a changed node are affected too (their clusters changed).
  for (const router of [...previous.virtualRouters, ...next.virtualRouters]) {
    if (router.routes.some((r) => weightedTargetsOf(r.spec).some((t) => nodes.has(t)))) routers.add(router.name);
  }
  for (const service of [...previous.virtualServices, ...next.virtualServices]) {
    const provider = (service.spec as VirtualServiceSpec).provider;
    const node = provider?.virtualNode?.virtualNodeName;
    const router = provider?.virtualRouter?.virtualRouterName;
    if ((node !== undefined && nodes.has(node)) || (router !== undefined && routers.has(router)))
      services.add(service.name);
  }

  const views = new Set<string>([...nodes].map(names.nodeView));
  for (const node of next.virtualNodes) {
    const backends = (node.spec as VirtualNodeSpec).backends ?? [];
    if (backends.some((b) => b.virtualService !== undefined && services.has(b.virtualService.virtualServiceName)))
      views.add(names.nodeView(node.name));
  }
  for (const gateway of next.virtualGateways) {
    if (
      gateways.has(gateway.name) ||
      gateway.gatewayRoutes.some((r) => gatewayTargetsOf(r.spec).some((s) => services.has(s)))
    ) {
      views.add(names.gatewayView(gateway.name));
    }
  }
  for (const service of services) views.add(proxylessViewName(service));
  return views;
}

function version(r: SnapshotResource): string | undefined {
  return r.version === undefined ? undefined : String(r.version);
}

function routerVersion(r: Router): string | undefined {
  if (r.version === undefined || r.routes.some((x) => x.version === undefined)) return undefined;
  return `${r.version}|${r.routes.map((x) => `${x.name}:${x.version}`).join(',')}`;
}

function gatewayVersion(g: Gateway): string | undefined {
  if (g.version === undefined || g.gatewayRoutes.some((x) => x.version === undefined)) return undefined;
  return `${g.version}|${g.gatewayRoutes.map((x) => `${x.name}:${x.version}`).join(',')}`;
}

/** Names added, removed or at another version; 'all' when a version is unknown. */
function changed<T extends SnapshotResource>(
  before: readonly T[],
  after: readonly T[],
  key: (r: T) => string | undefined,
): Set<string> | 'all' {
  const old = new Map<string, string>();
  for (const r of before) {
    const k = key(r);
    if (k === undefined) return 'all';
    old.set(r.name, k);
  }
  const result = new Set<string>();
  for (const r of after) {
    const k = key(r);
    if (k === undefined) return 'all';
    if (old.get(r.name) !== k) result.add(r.name);
    old.delete(r.name);
  }
  for (const name of old.keys()) result.add(name);
  return result;
}
