import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staticBootstrap } from '../../src/xds-fleet/translator/static-config.js';
import { translate } from '../../src/xds-fleet/translator/translate.js';
import {
  freePorts,
  sendHttp as send,
  sendHttps,
  startEnvoy,
  testCertificate,
  startUpstream,
  type RunningEnvoy,
  type Upstream,
} from '../support/envoy.js';
import { buildSnapshot } from '../support/snapshot-builder.js';

const cert = testCertificate;
const CA = cert('test-ca.crt');

/** The first stat whose name matches, or 0. */
function stat(stats: Record<string, number>, pattern: RegExp): number {
  const name = Object.keys(stats).find((n) => pattern.test(n));
  return name === undefined ? 0 : stats[name]!;
}

/**
 * Mutual TLS between two real Envoys running translated views. `catalog` (a plaintext HTTP
 * upstream behind its Envoy) has a STRICT listener that requires a client certificate naming
 * frontend.shop.local; `frontend`'s client policy verifies catalog.shop.local against the test CA
 * and presents its own certificate.
 *
 * How the ports line up without iptables: a node's listener port is its application's port. The
 * server's ingress cluster goes to 127.0.0.1:<listener port>, so the server's view is translated
 * with the upstream's port. Clients reach a node at <discovery host>:<listener port>, where iptables
 * would redirect to the ingress listener; here the client's view is translated from the same mesh
 * with catalog's listener port set to the server Envoy's ingress port, so its egress cluster
 * connects to that listener directly. That traffic's destination port is the ingress port, which no
 * port-matched chain claims: it takes the listener's default (direct) chain, which must carry the
 * same TLS.
 */
describe('translated TLS in real Envoys (STRICT listener, mTLS client policy)', () => {
  let upstream: Upstream;
  let server: RunningEnvoy;
  let client: RunningEnvoy;
  let serverIngressPort: number;
  let clientEgressPort: number;
  let variant: string;

  beforeAll(async () => {
    upstream = await startUpstream('catalog');
    const ports = await freePorts(4);
    const [serverEgressPort, clientIngressPort] = [ports[1]!, ports[3]!];
    [serverIngressPort, clientEgressPort] = [ports[0]!, ports[2]!];
    const meshWith = (catalogPort: number) =>
      buildSnapshot({
        mesh: { name: 'tls', spec: { egressFilter: { type: 'DROP_ALL' } } },
        virtualNodes: [
          {
            name: 'catalog',
            spec: {
              listeners: [
                {
                  portMapping: { port: catalogPort, protocol: 'http' },
                  tls: {
                    mode: 'STRICT',
                    certificate: {
                      file: {
                        certificateChain: cert('test-catalog-server.crt'),
                        privateKey: cert('test-catalog-server.key'),
                      },
                    },
                    validation: {
                      trust: { file: { certificateChain: CA } },
                      subjectAlternativeNames: { match: { exact: ['frontend.shop.local'] } },
                    },
                  },
                },
              ],
              serviceDiscovery: { dns: { hostname: '127.0.0.1' } },
            },
          },
          {
            name: 'frontend',
            spec: {
              backends: [
                {
                  virtualService: {
                    virtualServiceName: 'catalog.shop.local',
                    clientPolicy: {
                      tls: {
                        certificate: {
                          file: {
                            certificateChain: cert('test-frontend-client.crt'),
                            privateKey: cert('test-frontend-client.key'),
                          },
                        },
                        validation: {
                          trust: { file: { certificateChain: CA } },
                          subjectAlternativeNames: { match: { exact: ['catalog.shop.local'] } },
                        },
                      },
                    },
                  },
                },
              ],
            },
          },
        ],
        virtualServices: [
          { name: 'catalog.shop.local', spec: { provider: { virtualNode: { virtualNodeName: 'catalog' } } } },
        ],
      });
    const serverSide = translate(meshWith(upstream.port), { ingress: serverIngressPort, egress: serverEgressPort });
    const clientSide = translate(meshWith(serverIngressPort), { ingress: clientIngressPort, egress: clientEgressPort });
    expect(serverSide.problems).toEqual([]);
    expect(clientSide.problems).toEqual([]);
    const clientView = clientSide.views.get('virtualNode/frontend')!;
    [variant] = [...clientView.clusters.keys()] as [string];
    expect(variant).toMatch(/^cds_egress_tls_catalog_http_\d+_tls_[0-9a-f]{8}$/);
    [server, client] = await Promise.all([
      startEnvoy(staticBootstrap(serverSide.views.get('virtualNode/catalog')!, { adminPort: 0 }), { protobuf: true }),
      startEnvoy(staticBootstrap(clientView, { adminPort: 0 }), { protobuf: true }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([client?.stop(), server?.stop()]);
    await upstream?.close();
  });

  it("carries a request through the client's egress to the server over mutual TLS", async () => {
    const before = upstream.hits();
    expect(await send(clientEgressPort, 'catalog.shop.local')).toEqual({ status: 200, upstream: 'catalog' });
    expect(upstream.hits() - before).toBe(1);
    const [serverStats, clientStats] = await Promise.all([server.stats(), client.stats()]);
    expect(
      stat(serverStats, new RegExp(`^listener\\.0\\.0\\.0\\.0_${serverIngressPort}\\.ssl\\.handshake$`)),
    ).toBeGreaterThan(0);
    expect(stat(clientStats, new RegExp(`^cluster\\.${variant}\\.ssl\\.handshake$`))).toBeGreaterThan(0);
  });

  it('accepts a direct TLS client that presents the client certificate', async () => {
    expect(await sendHttps(serverIngressPort, 'catalog.shop.local', '/', true)).toEqual({
      status: 200,
      upstream: 'catalog',
    });
  });

  it('rejects a TLS client without a client certificate', async () => {
    const before = upstream.hits();
    const noCert = (await server.stats())[`listener.0.0.0.0_${serverIngressPort}.ssl.fail_verify_no_cert`] ?? 0;
    await expect(sendHttps(serverIngressPort, 'catalog.shop.local', '/', false)).rejects.toThrow();
    expect(upstream.hits() - before).toBe(0);
    const after = (await server.stats())[`listener.0.0.0.0_${serverIngressPort}.ssl.fail_verify_no_cert`] ?? 0;
    expect(after).toBeGreaterThan(noCert);
  });

  it('rejects plaintext on the STRICT listener', async () => {
    const before = upstream.hits();
    await expect(send(serverIngressPort, 'catalog.shop.local')).rejects.toThrow();
    expect(upstream.hits() - before).toBe(0);
  });
});
