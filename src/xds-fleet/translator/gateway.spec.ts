import { describe, expect, it } from 'vitest';
import { buildSnapshot, type MeshInput } from '../../../test/support/snapshot-builder.js';
import { consistent } from './consistency.js';
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

  it('does not serve a TLS listener in plaintext, nor one on the egress port', () => {
    const tls = { mode: 'STRICT', certificate: { file: { certificateChain: '/c.pem', privateKey: '/k.pem' } } };
    const { views, problems } = translate(
      buildSnapshot(
        mesh(
          {
            listeners: [
              { portMapping: { port: 443, protocol: 'http' }, tls },
              { portMapping: { port: 15001, protocol: 'http' } },
              { portMapping: { port: 80, protocol: 'http' } },
            ],
          },
          [route('ok', { virtualService: { virtualServiceName: 'app.m' }, port: 8080 })],
        ),
      ),
    );
    expect(problems.map((p) => p.message)).toEqual([
      'listener on port 443 is left out: listener TLS is not translated for virtual gateways yet',
      "listener on port 15001 is left out: the port is the proxy's own egress port 15001",
    ]);
    const view = views.get('virtualGateway/gw')!;
    expect([...view.listeners.keys()].sort()).toEqual(['lds_egress_0.0.0.0_15001', 'lds_ingress_0.0.0.0_80']);
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
