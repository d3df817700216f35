import dagre from '@dagrejs/dagre';
import { useMemo } from 'preact/hooks';
import { useContentMark } from '../content-mark';
import type { ProxyView, TopologyEdge, TopologyNode } from '../api/meshes';

const NODE_W = 170;
const NODE_H = 54;

const KIND_LABEL: Record<string, string> = {
  VIRTUAL_GATEWAY: 'gateway',
  GATEWAY_ROUTE: 'gateway route',
  VIRTUAL_SERVICE: 'service',
  VIRTUAL_ROUTER: 'router',
  ROUTE: 'route',
  VIRTUAL_NODE: 'node',
};

/** Proxy health of one virtual node or gateway: what its markers show. */
interface Health {
  readonly nacked: number;
  readonly outOfSync: number;
}

interface Props {
  readonly nodes: readonly TopologyNode[];
  readonly edges: readonly TopologyEdge[];
  readonly proxies: readonly ProxyView[];
  /** Where a node links to (its resource page). */
  readonly hrefOf: (node: TopologyNode) => string;
}

/**
 * The mesh as traffic flows, left to right, laid out by dagre (a layered layout: gateways first,
 * nodes and their backends last). Each resource is a link (Tab reaches it, Enter opens it); a
 * virtual node or gateway shows its connected proxies, and markers for NACKs and proxies out of sync.
 */
export function TopologyGraph({ nodes, edges, proxies, hrefOf }: Props) {
  const layout = useMemo(() => {
    // A multigraph: two edges may join the same pair (a route naming one node in two targets).
    const g = new dagre.graphlib.Graph<object, { width: number; height: number; x?: number; y?: number }>({
      multigraph: true,
    });
    g.setGraph({ rankdir: 'LR', nodesep: 24, ranksep: 70, marginx: 16, marginy: 16 });
    g.setDefaultEdgeLabel(() => ({}));
    for (const n of nodes) g.setNode(n.id, { width: NODE_W, height: NODE_H });
    edges.forEach((e, i) => g.setEdge(e.from, e.to, { width: e.weight === null ? 0 : 28, height: 14 }, String(i)));
    dagre.layout(g);
    const label = g.graph() as { width?: number; height?: number };
    return {
      width: label.width ?? 0,
      height: label.height ?? 0,
      at: (id: string) => g.node(id) as { x: number; y: number },
      points: (e: TopologyEdge, i: number) =>
        (g.edge(e.from, e.to, String(i)) as { points?: { x: number; y: number }[] }).points ?? [],
    };
  }, [nodes, edges]);

  const health = useMemo(() => {
    const byResource = new Map<string, Health>();
    for (const p of proxies) {
      // Topology ids are `virtualNode/NAME` and `virtualGateway/NAME`: a proxy's kind and name.
      const id = `${p.kind}/${p.name}`;
      const h = byResource.get(id) ?? { nacked: 0, outOfSync: 0 };
      byResource.set(id, {
        nacked: h.nacked + (p.lastNack ? 1 : 0),
        outOfSync: h.outOfSync + (p.inSync ? 0 : 1),
      });
    }
    return byResource;
  }, [proxies]);
  // The graph's SVG below holds a link per node whenever there are nodes.
  useContentMark('topology', nodes.length > 0);

  if (nodes.length === 0) return <p>This mesh has no resources yet.</p>;
  return (
    <svg
      class="topology"
      role="group"
      aria-label="Mesh topology"
      viewBox={`0 0 ${layout.width} ${layout.height}`}
      width={layout.width}
      height={layout.height}
    >
      <defs>
        <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto">
          <path d="M0,0 L10,5 L0,10 z" class="arrowhead" />
        </marker>
      </defs>
      {edges.map((e, i) => {
        const pts = layout.points(e, i);
        if (pts.length === 0) return null;
        const mid = pts[Math.floor(pts.length / 2)]!;
        return (
          <g
            key={`${e.from}->${e.to}-${i}`}
            class={`edge edge-${e.kind.toLowerCase()}`}
            data-from={e.from}
            data-to={e.to}
          >
            <polyline points={pts.map((p) => `${p.x},${p.y}`).join(' ')} marker-end="url(#arrow)" />
            {e.weight !== null ? (
              <text x={mid.x} y={mid.y - 4} class="edge-weight" text-anchor="middle">
                {e.weight}
              </text>
            ) : null}
          </g>
        );
      })}
      {nodes.map((n) => {
        const { x, y } = layout.at(n.id);
        const h = health.get(n.id);
        const flags = [
          n.proxies !== null ? `${n.proxies} ${n.proxies === 1 ? 'proxy' : 'proxies'}` : '',
          h?.nacked ? `${h.nacked} NACKed` : '',
          h?.outOfSync ? `${h.outOfSync} out of sync` : '',
        ].filter(Boolean);
        return (
          <a
            key={n.id}
            href={hrefOf(n)}
            class={`node node-${n.kind.toLowerCase()}${h?.nacked ? ' nacked' : ''}`}
            data-id={n.id}
            aria-label={`${KIND_LABEL[n.kind] ?? n.kind} ${n.name}${flags.length ? `, ${flags.join(', ')}` : ''}`}
          >
            <rect x={x - NODE_W / 2} y={y - NODE_H / 2} width={NODE_W} height={NODE_H} rx="6" />
            <text x={x - NODE_W / 2 + 10} y={y - 8} class="node-kind">
              {KIND_LABEL[n.kind] ?? n.kind}
            </text>
            <text x={x - NODE_W / 2 + 10} y={y + 12} class="node-name">
              {n.name.length > 20 ? `${n.name.slice(0, 19)}…` : n.name}
            </text>
            {n.proxies !== null ? (
              <text x={x + NODE_W / 2 - 10} y={y - 8} class="node-proxies" text-anchor="end">
                {`⬢ ${n.proxies}`}
              </text>
            ) : null}
            {h?.nacked ? (
              <text x={x + NODE_W / 2 - 10} y={y + 14} class="marker-nack" text-anchor="end">
                NACK
              </text>
            ) : h?.outOfSync ? (
              <text x={x + NODE_W / 2 - 10} y={y + 14} class="marker-sync" text-anchor="end">
                out of sync
              </text>
            ) : null}
            <title>{`${n.id}${flags.length ? ` — ${flags.join(', ')}` : ''}`}</title>
          </a>
        );
      })}
    </svg>
  );
}
