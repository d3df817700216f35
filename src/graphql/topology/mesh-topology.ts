import type { ResourceKind } from '../../generated/prisma/client.js';
import type { MeshContent } from '../../meshes/resources/mesh-resources.service.js';
import {
  TopologyEdgeKind,
  TopologyNodeKind,
  type MeshTopology,
  type TopologyEdge,
  type TopologyNode,
} from './topology.models.js';

type Obj = Record<string, unknown>;

const NODE_KIND: Record<ResourceKind, TopologyNodeKind> = {
  virtualGateway: TopologyNodeKind.VIRTUAL_GATEWAY,
  gatewayRoute: TopologyNodeKind.GATEWAY_ROUTE,
  virtualService: TopologyNodeKind.VIRTUAL_SERVICE,
  virtualRouter: TopologyNodeKind.VIRTUAL_ROUTER,
  route: TopologyNodeKind.ROUTE,
  virtualNode: TopologyNodeKind.VIRTUAL_NODE,
};
/** The order nodes are listed in: the way traffic flows in. */
const KIND_ORDER = Object.keys(NODE_KIND) as ResourceKind[];

/** A node's id: its kind and key, unique in a mesh (routes and gateway routes carry their parent). */
export function topologyNodeId(kind: ResourceKind, name: string, parentName = ''): string {
  return parentName === '' ? `${kind}/${name}` : `${kind}/${parentName}/${name}`;
}

const obj = (v: unknown): Obj | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
/** A route's or gateway route's protocol members (httpRoute, http2Route, grpcRoute, tcpRoute). */
const ROUTE_MEMBERS = ['httpRoute', 'http2Route', 'grpcRoute', 'tcpRoute'] as const;

/**
 * The graph of a mesh's resources, computed from its specs (as stored, App Mesh's shapes): an edge
 * only joins resources that exist in the same read, so a drawing never dangles.
 */
export function meshTopology(resources: readonly MeshContent[]): MeshTopology {
  const nodes: TopologyNode[] = [];
  const ids = new Set<string>();
  const sorted = [...resources].sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind));
  for (const r of sorted) {
    const id = topologyNodeId(r.kind, r.name, r.parentName);
    ids.add(id);
    nodes.push({ id, kind: NODE_KIND[r.kind], name: r.name, arn: r.data.metadata.arn });
  }
  const edges: TopologyEdge[] = [];
  const edge = (from: string, to: string, kind: TopologyEdgeKind, weight: number | null = null) => {
    if (ids.has(from) && ids.has(to)) edges.push({ from, to, kind, weight });
  };
  for (const r of sorted) {
    const id = topologyNodeId(r.kind, r.name, r.parentName);
    const spec = obj(r.data.spec) ?? {};
    switch (r.kind) {
      case 'gatewayRoute': {
        edge(topologyNodeId('virtualGateway', r.parentName), id, TopologyEdgeKind.GATEWAY_ROUTE);
        for (const m of ROUTE_MEMBERS) {
          const target = obj(obj(obj(spec[m])?.['action'])?.['target']);
          const service = str(obj(target?.['virtualService'])?.['virtualServiceName']);
          if (service) edge(id, topologyNodeId('virtualService', service), TopologyEdgeKind.TARGET);
        }
        break;
      }
      case 'virtualService': {
        const provider = obj(spec['provider']);
        const router = str(obj(provider?.['virtualRouter'])?.['virtualRouterName']);
        const node = str(obj(provider?.['virtualNode'])?.['virtualNodeName']);
        if (router) edge(id, topologyNodeId('virtualRouter', router), TopologyEdgeKind.PROVIDER);
        if (node) edge(id, topologyNodeId('virtualNode', node), TopologyEdgeKind.PROVIDER);
        break;
      }
      case 'route': {
        edge(topologyNodeId('virtualRouter', r.parentName), id, TopologyEdgeKind.ROUTE);
        for (const m of ROUTE_MEMBERS) {
          for (const t of list(obj(obj(spec[m])?.['action'])?.['weightedTargets'])) {
            const node = str(obj(t)?.['virtualNode']);
            const weight = obj(t)?.['weight'];
            if (node) {
              edge(id, topologyNodeId('virtualNode', node), TopologyEdgeKind.WEIGHTED_TARGET, Number(weight ?? 0));
            }
          }
        }
        break;
      }
      case 'virtualNode': {
        for (const b of list(spec['backends'])) {
          const service = str(obj(obj(b)?.['virtualService'])?.['virtualServiceName']);
          if (service) edge(id, topologyNodeId('virtualService', service), TopologyEdgeKind.BACKEND);
        }
        break;
      }
      case 'virtualGateway':
      case 'virtualRouter':
        break;
    }
  }
  return { nodes, edges };
}
