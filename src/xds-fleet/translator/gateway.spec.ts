import { describe, expect, it } from 'vitest';
import { buildSnapshot, type MeshInput } from '../../../test/support/snapshot-builder.js';
import { consistent } from './consistency.js';
import type { EnvoyResource } from './envoy-types.js';
import { translate } from './translate.js';

/** The parts of a gateway's translation the golden cases do not show: what is left out, and why. */
describe('virtual gateway translation', () => {
  const mesh = (gatewaySpec: unknown, gatewayRoutes: { name: string; spec: unknown }[] = []): MeshInput => ({
    mesh: { name: 'm' },
    virtualNodes: [
      {
        name: 'app',
        spec: {
          listeners: [
            { portMapping: { port: 8080, protocol: 'http' } },
            { portMapping: { port: 5432, protocol: 'tcp' } },
          ],
          serviceDiscovery: { dns: { hostname: 'app.local' } },
        },
      },
    ],
    virtualServices: [{ name: 'app.m', spec: { provider: { virtualNode: { virtualNodeName: 'app' } } } }],
    virtualGateways: [{ name: 'gw', spec: gatewaySpec, gatewayRoutes }],
  });
  const route = (name: string, target: unknown) => ({
    name,
    spec: { httpRoute: { match: { prefix: '/' }, action: { target } } },
  });
  const arn = (path: string) => `arn:aws:appmesh:us-east-1:111122223333:mesh/m/virtualGateway/gw${path}`;

  it('leaves out a route whose target port is not an HTTP port of the service, and says so', () => {
    const { views, problems } = translate(
      buildSnapshot(
        mesh({ listeners: [{ portMapping: { port: 80, protocol: 'http' } }] }, [
          route('to-tcp', { virtualService: { virtualServiceName: 'app.m' }, port: 5432 }),
          route('to-missing-port', { virtualService: { virtualServiceName: 'app.m' }, port: 9999 }),
          route('ok', { virtualService: { virtualServiceName: 'app.m' }, port: 8080 }),
        ]),
      ),
    );
    expect(problems).toEqual([
      {
        arn: arn('/gatewayRoute/to-missing-port'),
        message: 'target virtual service app.m port 9999 has no HTTP, HTTP/2 or gRPC port the gateway can route to',
      },
      {
        arn: arn('/gatewayRoute/to-tcp'),
        message: 'target virtual service app.m port 5432 has no HTTP, HTTP/2 or gRPC port the gateway can route to',
      },
    ]);
    const routes = views.get('virtualGateway/gw')!.routes.get('rds_ingress_http_80')!;
    const hosts = routes['virtual_hosts'] as { routes: { name: string }[] }[];
    expect(hosts.flatMap((h) => h.routes.map((r) => r.name))).toEqual(['ok']);
    expect(consistent(views)).toEqual([]);
  });

  const chainsOf = (listener: EnvoyResource | undefined) => (listener?.['filter_chains'] as EnvoyResource[]) ?? [];
  const FILE_CERT = { file: { certificateChain: '/c.pem', privateKey: '/k.pem' } };
  const ACM_CERT = 'arn:aws:acm:us-east-1:111122223333:certificate/12345678-1234-1234-1234-123456789012';
  const toApp = [route('ok', { virtualService: { virtualServiceName: 'app.m' }, port: 8080 })];

  it('wraps a STRICT listener in TLS (mTLS with validation), with no plaintext chain', () => {
    const tls = {
      mode: 'STRICT',
      certificate: FILE_CERT,
      validation: { trust: { file: { certificateChain: '/ca.pem' } } },
    };
    const { views, problems } = translate(
      buildSnapshot(mesh({ listeners: [{ portMapping: { port: 443, protocol: 'http' }, tls }] }, toApp)),
    );
    expect(problems).toEqual([]);
    const listener = views.get('virtualGateway/gw')!.listeners.get('lds_ingress_0.0.0.0_443')!;
    const chains = chainsOf(listener);
    expect(chains).toHaveLength(1);
    expect(chains[0]!['filter_chain_match']).toBeUndefined();
    const context = (chains[0]!['transport_socket'] as { typed_config: EnvoyResource }).typed_config;
    expect(context).toMatchObject({
      '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext',
      common_tls_context: {
        tls_certificates: [{ certificate_chain: { filename: '/c.pem' }, private_key: { filename: '/k.pem' } }],
        validation_context: { trusted_ca: { filename: '/ca.pem' } },
      },
      require_client_certificate: true,
    });
    expect(listener['listener_filters']).toBeUndefined();
    expect(consistent(views)).toEqual([]);
  });

  it('serves a PERMISSIVE listener with a TLS chain (SDS certificate) and a plaintext one, told apart by the TLS inspector', () => {
    const tls = { mode: 'PERMISSIVE', certificate: { sds: { secretName: 'spiffe://m/gw' } } };
    const { views, problems } = translate(
      buildSnapshot(mesh({ listeners: [{ portMapping: { port: 8443, protocol: 'http2' }, tls }] }, toApp)),
    );
    expect(problems).toEqual([]);
    const listener = views.get('virtualGateway/gw')!.listeners.get('lds_ingress_0.0.0.0_8443')!;
    expect(
      chainsOf(listener).map((c) => [c['name'], c['filter_chain_match'], c['transport_socket'] !== undefined]),
    ).toEqual([
      ['ingress_http2_8443_tls', { transport_protocol: 'tls' }, true],
      ['ingress_http2_8443', undefined, false],
    ]);
    expect(JSON.stringify(chainsOf(listener)[0]!['transport_socket'])).toContain(
      '"tls_certificate_sds_secret_configs":[{"name":"spiffe://m/gw"',
    );
    expect(JSON.stringify(chainsOf(listener)[0]!['transport_socket'])).not.toContain('require_client_certificate');
    expect(JSON.stringify(listener['listener_filters'])).toContain('envoy.filters.listener.tls_inspector');
    expect(consistent(views)).toEqual([]);
  });

  it('does not serve a listener with an ACM certificate in plaintext, nor one on the egress port', () => {
    const { views, problems } = translate(
      buildSnapshot(
        mesh(
          {
            listeners: [
              { portMapping: { port: 443, protocol: 'http' }, tls: { mode: 'STRICT', certificate: FILE_CERT } },
              {
                portMapping: { port: 8443, protocol: 'http' },
                tls: { mode: 'PERMISSIVE', certificate: { acm: { certificateArn: ACM_CERT } } },
              },
              { portMapping: { port: 15001, protocol: 'http' } },
              { portMapping: { port: 80, protocol: 'http' } },
            ],
          },
          toApp,
        ),
      ),
    );
    expect(problems).toEqual([
      { arn: arn(''), message: expect.stringContaining(ACM_CERT) },
      { arn: arn(''), message: "listener on port 15001 is left out: the port is the proxy's own egress port 15001" },
    ]);
    expect(problems[0]!.message).toContain('listener http:8443 (TLS PERMISSIVE)');
    const view = views.get('virtualGateway/gw')!;
    expect([...view.listeners.keys()].sort()).toEqual([
      'lds_egress_0.0.0.0_15001',
      'lds_ingress_0.0.0.0_443',
      'lds_ingress_0.0.0.0_80',
    ]);
    expect(JSON.stringify([...view.listeners.values(), ...view.routes.values()])).not.toContain('8443');
    expect(
      chainsOf(view.listeners.get('lds_ingress_0.0.0.0_443')).map((c) => c['transport_socket'] !== undefined),
    ).toEqual([true]);
    expect(consistent(views)).toEqual([]);
  });

  it("applies the gateway's backend defaults (TLS client policy) to its egress, as a node's", () => {
    const clientPolicy = { tls: { validation: { trust: { file: { certificateChain: '/ca.pem' } } } } };
    const { views, problems } = translate(
      buildSnapshot(
        mesh({ listeners: [{ portMapping: { port: 80, protocol: 'http' } }], backendDefaults: { clientPolicy } }, [
          route('ok', { virtualService: { virtualServiceName: 'app.m' }, port: 8080 }),
        ]),
      ),
    );
    expect(problems).toEqual([]);
    const clusters = [...views.get('virtualGateway/gw')!.clusters.values()];
    const upstream = clusters.filter((c) => String(c['name']).startsWith('cds_egress_m_app_http_8080'));
    expect(upstream).toHaveLength(1);
    expect(upstream[0]!['transport_socket']).toBeDefined();
    expect(consistent(views)).toEqual([]);
  });

  it('gives a gateway without routes its listeners, answering 404, and nothing else', () => {
    const { views, problems } = translate(
      buildSnapshot(mesh({ listeners: [{ portMapping: { port: 80, protocol: 'http' } }] })),
    );
    expect(problems).toEqual([]);
    const view = views.get('virtualGateway/gw')!;
    expect([...view.listeners.keys()]).toEqual(['lds_ingress_0.0.0.0_80']);
    expect(view.routes.get('rds_ingress_http_80')!['virtual_hosts']).toEqual([]);
    expect(view.clusters.size).toBe(0);
    expect(consistent(views)).toEqual([]);
  });
});
