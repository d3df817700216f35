import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEnvoy, startUpstream, validateEnvoyConfig, type RunningEnvoy, type Upstream } from '../support/envoy.js';

// Tests of the Envoy test harness itself (a real Envoy with a hand-written static config),
// not of meshplane's generated configuration.

function staticConfig(options: { listenerPort: number; upstreamPort: number; routeTo?: string }): object {
  return {
    static_resources: {
      listeners: [
        {
          name: 'ingress',
          address: { socket_address: { address: '127.0.0.1', port_value: options.listenerPort } },
          filter_chains: [
            {
              filters: [
                {
                  name: 'envoy.filters.network.http_connection_manager',
                  typed_config: {
                    '@type':
                      'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
                    stat_prefix: 'ingress',
                    route_config: {
                      name: 'local',
                      validate_clusters: true,
                      virtual_hosts: [
                        {
                          name: 'all',
                          domains: ['*'],
                          routes: [{ match: { prefix: '/' }, route: { cluster: options.routeTo ?? 'blue' } }],
                        },
                      ],
                    },
                    http_filters: [
                      {
                        name: 'envoy.filters.http.router',
                        typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' },
                      },
                    ],
                  },
                },
              ],
            },
          ],
        },
      ],
      clusters: [
        {
          name: 'blue',
          type: 'STATIC',
          connect_timeout: '1s',
          load_assignment: {
            cluster_name: 'blue',
            endpoints: [
              {
                lb_endpoints: [
                  {
                    endpoint: {
                      address: { socket_address: { address: '127.0.0.1', port_value: options.upstreamPort } },
                    },
                  },
                ],
              },
            ],
          },
        },
      ],
    },
  };
}

describe('envoy --mode validate', () => {
  it('accepts a good config', async () => {
    const result = await validateEnvoyConfig(staticConfig({ listenerPort: 0, upstreamPort: 9 }));
    expect(result.output).toContain('OK');
    expect(result.ok).toBe(true);
  });

  it('rejects a route to a cluster that does not exist, with envoy’s reason', async () => {
    const result = await validateEnvoyConfig(staticConfig({ listenerPort: 0, upstreamPort: 9, routeTo: 'nowhere' }));
    expect(result.ok).toBe(false);
    expect(result.output).toContain("unknown cluster 'nowhere'");
  });

  it('rejects an unknown field, and runs in parallel', async () => {
    const bad = { ...staticConfig({ listenerPort: 0, upstreamPort: 9 }), no_such_bootstrap_field: 1 };
    const results = await Promise.all([
      validateEnvoyConfig(bad),
      validateEnvoyConfig(bad),
      validateEnvoyConfig(staticConfig({ listenerPort: 0, upstreamPort: 9 })),
    ]);
    expect(results.map((r) => r.ok)).toEqual([false, false, true]);
    expect(results[0]?.output).toContain('no_such_bootstrap_field');
  });
});

describe('a running envoy', () => {
  let upstream: Upstream;
  let envoy: RunningEnvoy;
  let listenerPort: number;

  beforeAll(async () => {
    upstream = await startUpstream('blue');
    // Port 0: Envoy binds an ephemeral port, read back from the admin API (no race for a free port).
    envoy = await startEnvoy(staticConfig({ listenerPort: 0, upstreamPort: upstream.port }));
    const ports = await envoy.listenerPorts();
    listenerPort = ports['ingress'] ?? 0;
  });

  afterAll(async () => {
    await envoy?.stop();
    await upstream?.close();
  });

  it('proxies a request through the listener to the upstream', async () => {
    expect(listenerPort).toBeGreaterThan(0);
    const res = await fetch(`http://127.0.0.1:${listenerPort}/hello?x=1`, { headers: { 'x-test': 'tooling' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-upstream')).toBe('blue');
    expect(await res.text()).toBe('blue');
    expect(upstream.hits()).toBe(1);
    expect(upstream.requests[0]).toMatchObject({ method: 'GET', path: '/hello?x=1' });
    expect(upstream.requests[0]?.headers['x-test']).toBe('tooling');
    expect(upstream.requests[0]?.headers['x-envoy-expected-rq-timeout-ms']).toBeDefined();
  });

  it('reports stats and the config dump', async () => {
    const stats = await envoy.stats();
    expect(stats['cluster_manager.active_clusters']).toBe(1);
    expect(stats['cluster.blue.upstream_rq_200']).toBe(1);
    const dump = JSON.stringify(await envoy.configDump());
    expect(dump).toContain('type.googleapis.com/envoy.admin.v3.ClustersConfigDump');
    expect(dump).toContain('"name":"blue"');
  });

  it('stops: the process is gone', async () => {
    await envoy.stop();
    expect(() => process.kill(envoy.pid, 0)).toThrow(/ESRCH/);
    await expect(fetch(`http://127.0.0.1:${envoy.adminPort}/ready`)).rejects.toThrow();
    expect(envoy.logs()).toContain('caught ENVOY_SIGTERM');
  });
});

describe('startEnvoy', () => {
  it('rejects with envoy’s log when the config is invalid', async () => {
    await expect(startEnvoy(staticConfig({ listenerPort: 0, upstreamPort: 9, routeTo: 'nowhere' }))).rejects.toThrow(
      /unknown cluster 'nowhere'/,
    );
  });
});
