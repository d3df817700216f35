import { domainKey } from './domains.js';
import { type EnvoyResource, type ResourceSet, TYPE } from './envoy-types.js';

/**
 * Every internal inconsistency of the translator's views, collected (not just the first). A client
 * fetches what it is given a name for — a Listener's RDS name, a route's clusters, an EDS cluster's
 * assignment — so a name with nothing behind it leaves it waiting (Envoy keeps the Listener or
 * Cluster warming; gRPC fails the RPCs), and a resource no one refers to is never fetched. Per view:
 *
 * - every route configuration a Listener's HttpConnectionManager names (filter chains, default
 *   filter chain, API listener) is in the view's routes;
 * - every cluster a route or tcp_proxy sends to (`cluster`, `weighted_clusters`) is in its clusters;
 * - every EDS cluster has its ClusterLoadAssignment in its endpoints;
 * - every secret fetched over ADS (`sds_config.ads`) is in its secrets;
 * - no route configuration, cluster, ClusterLoadAssignment or secret is unreferenced;
 * - names are unique: each resource is stored under its own name, and within a Listener filter
 *   chain names, within a route configuration virtual host names do not repeat, nor do domains in
 *   any letter case (Envoy compares them lower-cased and refuses the whole route configuration).
 *
 * Route configurations inlined in an HttpConnectionManager (`route_config`) are checked the same way.
 * Messages name the view and the resource.
 */
export function consistent(views: ReadonlyMap<string, ResourceSet>): string[] {
  const problems: string[] = [];
  for (const [view, set] of views) checkView(view, set, problems);
  return problems;
}

function checkView(view: string, set: ResourceSet, problems: string[]): void {
  const report = (message: string) => problems.push(`${view}: ${message}`);
  const usedRoutes = new Set<string>();
  const usedClusters = new Set<string>();
  const usedAssignments = new Set<string>();
  const usedSecrets = new Set<string>();

  // Names: each resource under its own name.
  for (const kind of ['listeners', 'routes', 'clusters', 'secrets'] as const) {
    for (const [key, resource] of set[kind]) {
      if (resource['name'] !== key) report(`${kind} entry ${key} holds a resource named ${String(resource['name'])}`);
    }
  }
  for (const [key, assignment] of set.endpoints) {
    if (assignment['cluster_name'] !== key)
      report(`endpoints entry ${key} holds a ClusterLoadAssignment for ${String(assignment['cluster_name'])}`);
  }

  const clusterRefs = (owner: string, holder: EnvoyResource) => {
    for (const name of clustersOf(holder)) {
      usedClusters.add(name);
      if (!set.clusters.has(name)) report(`${owner} sends to cluster ${name}, which the view does not contain`);
    }
  };
  const checkRouteConfiguration = (owner: string, config: EnvoyResource) => {
    const hostNames = new Set<string>();
    const domains = new Set<string>();
    for (const host of (config['virtual_hosts'] as EnvoyResource[] | undefined) ?? []) {
      const hostName = String(host['name']);
      if (hostNames.has(hostName)) report(`${owner} has virtual host ${hostName} more than once`);
      hostNames.add(hostName);
      for (const domain of (host['domains'] as string[] | undefined) ?? []) {
        // Envoy refuses a domain repeated in any letter case (even within one virtual host).
        const key = domainKey(domain);
        if (domains.has(key)) report(`${owner} lists domain ${domain} more than once (letter case aside)`);
        domains.add(key);
      }
      for (const route of (host['routes'] as EnvoyResource[] | undefined) ?? []) {
        const action = route['route'] as EnvoyResource | undefined;
        if (action)
          clusterRefs(`${owner} virtual host ${hostName} route ${String(route['name'] ?? '(unnamed)')}`, action);
      }
    }
  };

  for (const [name, listener] of set.listeners) {
    const owner = `listener ${name}`;
    const api = (listener['api_listener'] as EnvoyResource | undefined)?.['api_listener'] as EnvoyResource | undefined;
    if (api) networkFilterConfig(`${owner} api_listener`, api);
    const chains = [
      ...((listener['filter_chains'] as EnvoyResource[] | undefined) ?? []),
      ...(listener['default_filter_chain'] ? [listener['default_filter_chain'] as EnvoyResource] : []),
    ];
    const chainNames = new Set<string>();
    for (const chain of chains) {
      const chainName = chain['name'] as string | undefined;
      if (chainName !== undefined) {
        if (chainNames.has(chainName)) report(`${owner} has filter chain ${chainName} more than once`);
        chainNames.add(chainName);
      }
      for (const filter of (chain['filters'] as EnvoyResource[] | undefined) ?? []) {
        const config = filter['typed_config'] as EnvoyResource | undefined;
        if (config) networkFilterConfig(`${owner} filter chain ${chainName ?? '(unnamed)'}`, config);
      }
    }
  }

  function networkFilterConfig(owner: string, config: EnvoyResource): void {
    if (config['@type'] === TYPE.httpConnectionManager) {
      const rds = config['rds'] as { route_config_name?: string } | undefined;
      if (rds?.route_config_name !== undefined) {
        usedRoutes.add(rds.route_config_name);
        if (!set.routes.has(rds.route_config_name))
          report(`${owner} uses route configuration ${rds.route_config_name}, which the view does not contain`);
      }
      const inline = config['route_config'] as EnvoyResource | undefined;
      if (inline) checkRouteConfiguration(`${owner} inline route configuration`, inline);
    } else if (config['@type'] === TYPE.tcpProxy) {
      clusterRefs(`${owner} tcp_proxy`, config);
    }
  }

  for (const [name, config] of set.routes) checkRouteConfiguration(`route configuration ${name}`, config);

  for (const [name, cluster] of set.clusters) {
    if (cluster['type'] !== 'EDS') continue;
    const service = (cluster['eds_cluster_config'] as { service_name?: string } | undefined)?.service_name;
    const assignment = service || name;
    usedAssignments.add(assignment);
    if (!set.endpoints.has(assignment))
      report(`EDS cluster ${name} has no ClusterLoadAssignment ${assignment} in the view`);
  }

  // Secrets fetched over ADS, wherever a transport socket names them.
  for (const kind of ['listeners', 'clusters', 'secrets'] as const) {
    for (const [name, resource] of set[kind]) {
      for (const secret of adsSecretsOf(resource)) {
        usedSecrets.add(secret);
        if (!set.secrets.has(secret)) report(`${kind} ${name} uses secret ${secret}, which the view does not contain`);
      }
    }
  }

  for (const name of set.routes.keys())
    if (!usedRoutes.has(name)) report(`route configuration ${name} is not used by any listener`);
  for (const name of set.clusters.keys())
    if (!usedClusters.has(name)) report(`cluster ${name} is not used by any route or tcp_proxy`);
  for (const name of set.endpoints.keys())
    if (!usedAssignments.has(name)) report(`ClusterLoadAssignment ${name} belongs to no EDS cluster in the view`);
  for (const name of set.secrets.keys())
    if (!usedSecrets.has(name)) report(`secret ${name} is not used by any listener or cluster`);
}

/** The clusters a RouteAction or TcpProxy sends to. */
function clustersOf(holder: EnvoyResource): string[] {
  const single = holder['cluster'];
  const weighted = (holder['weighted_clusters'] as { clusters?: readonly { name: string }[] } | undefined)?.clusters;
  return [...(typeof single === 'string' ? [single] : []), ...(weighted ?? []).map((c) => c.name)];
}

/** Names of every SDS secret config below `value` whose `sds_config` is ADS. */
function adsSecretsOf(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) {
    for (const item of value) adsSecretsOf(item, found);
  } else if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const sds = record['sds_config'] as { ads?: unknown } | undefined;
    if (typeof record['name'] === 'string' && sds?.ads !== undefined) found.push(record['name']);
    for (const child of Object.values(record)) adsSecretsOf(child, found);
  }
  return found;
}
