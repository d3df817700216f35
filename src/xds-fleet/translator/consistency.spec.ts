import { describe, expect, it } from 'vitest';
import { consistent } from './consistency.js';
import { emptyResourceSet, type EnvoyResource, type ResourceSet, TYPE } from './envoy-types.js';

const ADS = { ads: {}, resource_api_version: 'V3' };

function hcm(routeConfigName: string): EnvoyResource {
  return {
    name: 'envoy.filters.network.http_connection_manager',
    typed_config: {
      '@type': TYPE.httpConnectionManager,
      stat_prefix: 'x',
      rds: { route_config_name: routeConfigName, config_source: ADS },
      http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': TYPE.router } }],
    },
  };
}

function tcp(target: EnvoyResource): EnvoyResource {
  return {
    name: 'envoy.filters.network.tcp_proxy',
    typed_config: { '@type': TYPE.tcpProxy, stat_prefix: 't', ...target },
  };
}

function routeConfig(
  name: string,
  hosts: { name: string; domains: string[]; actions: EnvoyResource[] }[],
): EnvoyResource {
  return {
    name,
    virtual_hosts: hosts.map((h) => ({
      name: h.name,
      domains: h.domains,
      routes: h.actions.map((route, i) => ({ name: `r${i}`, match: { prefix: '/' }, route })),
    })),
  };
}

const staticCluster = (name: string): EnvoyResource => ({
  name,
  type: 'STATIC',
  load_assignment: { cluster_name: name },
});
const edsCluster = (name: string, serviceName?: string): EnvoyResource => ({
  name,
  type: 'EDS',
  eds_cluster_config: { eds_config: ADS, ...(serviceName ? { service_name: serviceName } : {}) },
});
const assignment = (name: string): EnvoyResource => ({ cluster_name: name, endpoints: [] });

/** A small, consistent view: an HTTP listener with RDS, a TCP chain, an API listener, EDS and static clusters. */
function goodView(): ResourceSet {
  const set = emptyResourceSet();
  set.listeners.set('lds', {
    name: 'lds',
    filter_chains: [
      { name: 'http', filters: [hcm('rds_http')] },
      {
        name: 'tcp',
        filters: [
          tcp({
            weighted_clusters: {
              clusters: [
                { name: 'tcp_a', weight: 1 },
                { name: 'tcp_b', weight: 1 },
              ],
            },
          }),
        ],
      },
    ],
    default_filter_chain: { name: 'direct', filters: [hcm('rds_http')] },
  });
  set.listeners.set('svc', { name: 'svc', api_listener: { api_listener: hcm('rds_api')['typed_config'] } });
  set.routes.set('rds_http', routeConfig('rds_http', [{ name: 'h', domains: ['*'], actions: [{ cluster: 'web' }] }]));
  set.routes.set(
    'rds_api',
    routeConfig('rds_api', [
      {
        name: 'svc',
        domains: ['svc'],
        actions: [
          {
            weighted_clusters: {
              clusters: [
                { name: 'eds', weight: 3 },
                { name: 'web', weight: 1 },
              ],
            },
          },
        ],
      },
    ]),
  );
  for (const name of ['web', 'tcp_a', 'tcp_b']) set.clusters.set(name, staticCluster(name));
  set.clusters.set('eds', edsCluster('eds'));
  set.endpoints.set('eds', assignment('eds'));
  return set;
}

const check = (set: ResourceSet, view = 'v') => consistent(new Map([[view, set]]));

describe('consistent', () => {
  it('finds nothing wrong in a consistent view, or in no views', () => {
    expect(check(goodView())).toEqual([]);
    expect(consistent(new Map())).toEqual([]);
    expect(check(emptyResourceSet())).toEqual([]);
  });

  it('reports a route configuration a filter chain, the default filter chain or an API listener names but the view lacks', () => {
    const chain = goodView();
    chain.listeners.set('lds2', { name: 'lds2', filter_chains: [{ name: 'c', filters: [hcm('rds_missing')] }] });
    expect(check(chain)).toEqual([
      'v: listener lds2 filter chain c uses route configuration rds_missing, which the view does not contain',
    ]);

    const byDefault = goodView();
    byDefault.listeners.set('lds2', {
      name: 'lds2',
      filter_chains: [],
      default_filter_chain: { name: 'd', filters: [hcm('rds_gone')] },
    });
    expect(check(byDefault)).toEqual([
      'v: listener lds2 filter chain d uses route configuration rds_gone, which the view does not contain',
    ]);

    const api = goodView();
    api.routes.delete('rds_api');
    // With its routes gone, the clusters only they used are unused too.
    expect(check(api)).toEqual([
      'v: listener svc api_listener uses route configuration rds_api, which the view does not contain',
      'v: cluster eds is not used by any route or tcp_proxy',
    ]);
  });

  it('reports clusters a route (cluster, weighted_clusters) or a tcp_proxy sends to but the view lacks', () => {
    const set = goodView();
    set.routes.set(
      'rds_http',
      routeConfig('rds_http', [
        {
          name: 'h',
          domains: ['*'],
          actions: [
            { cluster: 'web' },
            { cluster: 'nowhere' },
            {
              weighted_clusters: {
                clusters: [
                  { name: 'web', weight: 1 },
                  { name: 'gone', weight: 1 },
                ],
              },
            },
          ],
        },
      ]),
    );
    set.listeners.set('lds_tcp', {
      name: 'lds_tcp',
      filter_chains: [{ name: 'only', filters: [tcp({ cluster: 'absent' })] }],
    });
    expect(check(set)).toEqual([
      'v: listener lds_tcp filter chain only tcp_proxy sends to cluster absent, which the view does not contain',
      'v: route configuration rds_http virtual host h route r1 sends to cluster nowhere, which the view does not contain',
      'v: route configuration rds_http virtual host h route r2 sends to cluster gone, which the view does not contain',
    ]);
  });

  it('checks the clusters of a route configuration inlined in a listener', () => {
    const set = goodView();
    const inline = { ...(hcm('x')['typed_config'] as EnvoyResource), rds: undefined };
    set.listeners.set('inline', {
      name: 'inline',
      filter_chains: [
        {
          name: 'c',
          filters: [
            {
              name: 'hcm',
              typed_config: {
                ...inline,
                route_config: routeConfig('rc', [{ name: 'h', domains: ['*'], actions: [{ cluster: 'missing' }] }]),
              },
            },
          ],
        },
      ],
    });
    expect(check(set)).toEqual([
      'v: listener inline filter chain c inline route configuration virtual host h route r0 sends to cluster missing, which the view does not contain',
    ]);
  });

  it('reports an EDS cluster without its ClusterLoadAssignment (by cluster name or service_name)', () => {
    const set = goodView();
    set.endpoints.delete('eds');
    expect(check(set)).toEqual(['v: EDS cluster eds has no ClusterLoadAssignment eds in the view']);

    const named = goodView();
    named.clusters.set('eds', edsCluster('eds', 'eds_service'));
    expect(check(named)).toEqual([
      'v: EDS cluster eds has no ClusterLoadAssignment eds_service in the view',
      'v: ClusterLoadAssignment eds belongs to no EDS cluster in the view',
    ]);
    named.endpoints.set('eds_service', assignment('eds_service'));
    named.endpoints.delete('eds');
    expect(check(named)).toEqual([]);
  });

  it('reports unreferenced route configurations, clusters, assignments and secrets', () => {
    const set = goodView();
    set.routes.set(
      'rds_orphan',
      routeConfig('rds_orphan', [{ name: 'o', domains: ['o'], actions: [{ cluster: 'web' }] }]),
    );
    set.clusters.set('orphan', staticCluster('orphan'));
    set.endpoints.set('stray', assignment('stray'));
    set.secrets.set('cert', { name: 'cert', tls_certificate: {} });
    expect(check(set)).toEqual([
      'v: route configuration rds_orphan is not used by any listener',
      'v: cluster orphan is not used by any route or tcp_proxy',
      'v: ClusterLoadAssignment stray belongs to no EDS cluster in the view',
      'v: secret cert is not used by any listener or cluster',
    ]);
  });

  it('reports secrets fetched over ADS that the view lacks; secrets from elsewhere (SDS socket) are not its business', () => {
    const set = goodView();
    const tls = (name: string, sdsConfig: EnvoyResource) => ({
      name: 'envoy.transport_sockets.tls',
      typed_config: { common_tls_context: { tls_certificate_sds_secret_configs: [{ name, sds_config: sdsConfig }] } },
    });
    set.clusters.set('web', { ...staticCluster('web'), transport_socket: tls('client_cert', ADS) });
    set.clusters.set('tcp_a', {
      ...staticCluster('tcp_a'),
      transport_socket: tls('spiffe://x', {
        api_config_source: { api_type: 'GRPC', grpc_services: [{ envoy_grpc: { cluster_name: 'sds' } }] },
      }),
    });
    expect(check(set)).toEqual(['v: clusters web uses secret client_cert, which the view does not contain']);
    set.secrets.set('client_cert', { name: 'client_cert', tls_certificate: {} });
    expect(check(set)).toEqual([]);
  });

  it('reports resources stored under another name, and repeated chain names, virtual hosts and domains', () => {
    const set = goodView();
    set.clusters.set('web', staticCluster('web2'));
    set.endpoints.set('eds', assignment('eds2'));
    set.listeners.set('lds', {
      name: 'lds',
      filter_chains: [
        { name: 'http', filters: [hcm('rds_http')] },
        { name: 'http', filters: [tcp({ cluster: 'tcp_a' })] },
      ],
      default_filter_chain: { name: 'direct', filters: [tcp({ cluster: 'tcp_b' })] },
    });
    set.routes.set(
      'rds_http',
      routeConfig('rds_http', [
        { name: 'h', domains: ['a', 'b'], actions: [{ cluster: 'web' }] },
        { name: 'h', domains: ['b'], actions: [{ cluster: 'web' }] },
      ]),
    );
    expect(check(set, 'virtualNode/x')).toEqual([
      'virtualNode/x: clusters entry web holds a resource named web2',
      'virtualNode/x: endpoints entry eds holds a ClusterLoadAssignment for eds2',
      'virtualNode/x: listener lds has filter chain http more than once',
      'virtualNode/x: route configuration rds_http has virtual host h more than once',
      'virtualNode/x: route configuration rds_http lists domain b more than once (letter case aside)',
    ]);
  });

  it('reports a domain repeated in another letter case, as Envoy refuses it (ASCII folding only)', () => {
    const set = goodView();
    set.routes.set(
      'rds_http',
      routeConfig('rds_http', [
        { name: 'Web', domains: ['Web.local', 'Web.local:80'], actions: [{ cluster: 'web' }] },
        { name: 'web', domains: ['web.local', 'ÿ.local'], actions: [{ cluster: 'web' }] },
        // Envoy lower-cases ASCII only: these two are different domains to it.
        { name: 'u', domains: ['Ÿ.local'], actions: [{ cluster: 'web' }] },
      ]),
    );
    expect(check(set, 'v')).toEqual([
      'v: route configuration rds_http lists domain web.local more than once (letter case aside)',
    ]);
  });

  it('collects every problem of every view, each prefixed with its view', () => {
    const broken = goodView();
    broken.routes.delete('rds_http');
    broken.endpoints.delete('eds');
    const problems = consistent(
      new Map([
        ['good', goodView()],
        ['bad', broken],
        ['empty', emptyResourceSet()],
      ]),
    );
    expect(problems).toEqual([
      'bad: listener lds filter chain http uses route configuration rds_http, which the view does not contain',
      'bad: listener lds filter chain direct uses route configuration rds_http, which the view does not contain',
      'bad: EDS cluster eds has no ClusterLoadAssignment eds in the view',
    ]);
  });
});
