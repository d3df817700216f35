import { type EnvoyResource, type ResourceSet } from './envoy-types.js';
import { DEFAULT_SDS_SOCKET_PATH, sdsCluster, usesLocalSds } from './tls.js';

/**
 * A proxy's configuration as one static Envoy bootstrap: routes inlined into their listeners,
 * EDS clusters given their endpoints directly. Envoy can validate or run it without a control
 * plane, which is how the translator's output is checked (and how an operator can inspect or
 * hand-run what a proxy would receive). A view whose TLS uses SDS gets the local SDS agent's
 * cluster (`sdsSocketPath`, default SPIRE's socket), as any bootstrap of such a proxy must.
 */
export function staticBootstrap(
  view: ResourceSet,
  options: { adminPort: number; nodeId?: string; sdsSocketPath?: string },
): EnvoyResource {
  const listeners = [...view.listeners.values()].map((l) => inlineRoutes(l, view));
  const clusters = [...view.clusters.values()].map((c) => staticCluster(c, view));
  if (usesLocalSds([...listeners, ...clusters]))
    clusters.push(sdsCluster(options.sdsSocketPath ?? DEFAULT_SDS_SOCKET_PATH));
  return {
    node: { id: options.nodeId ?? 'static', cluster: 'static' },
    admin: { address: { socket_address: { address: '127.0.0.1', port_value: options.adminPort } } },
    static_resources: { listeners, clusters },
  };
}

function inlineRoutes(listener: EnvoyResource, view: ResourceSet): EnvoyResource {
  const chains = listener['filter_chains'] as EnvoyResource[] | undefined;
  const defaultChain = listener['default_filter_chain'] as EnvoyResource | undefined;
  return {
    ...listener,
    ...(chains ? { filter_chains: chains.map((c) => inlineChain(c, view)) } : {}),
    ...(defaultChain ? { default_filter_chain: inlineChain(defaultChain, view) } : {}),
  };
}

function inlineChain(chain: EnvoyResource, view: ResourceSet): EnvoyResource {
  const filters = (chain['filters'] as EnvoyResource[]).map((f) => {
    const config = f['typed_config'] as EnvoyResource;
    const rds = config['rds'] as { route_config_name: string } | undefined;
    if (!rds) return f;
    const routeConfig = view.routes.get(rds.route_config_name);
    if (!routeConfig)
      throw new Error(
        `listener refers to route configuration ${rds.route_config_name}, which the view does not contain`,
      );
    const { rds: _rds, ...rest } = config;
    return { ...f, typed_config: { ...rest, route_config: routeConfig } };
  });
  return { ...chain, filters };
}

function staticCluster(cluster: EnvoyResource, view: ResourceSet): EnvoyResource {
  if (cluster['type'] !== 'EDS') return cluster;
  const name = cluster['name'] as string;
  const assignment = view.endpoints.get(name);
  if (!assignment) throw new Error(`EDS cluster ${name} has no ClusterLoadAssignment in the view`);
  const { eds_cluster_config: _eds, ...rest } = cluster;
  return { ...rest, type: 'STATIC', load_assignment: assignment };
}
