import { describe, expect, it } from 'vitest';
import { buildSnapshot, type MeshInput } from '../../../test/support/snapshot-builder.js';
import type { EnvoyResource, ResourceSet } from './envoy-types.js';
import { translate } from './translate.js';

const ACM_CERT = 'arn:aws:acm:us-east-1:111122223333:certificate/12345678-1234-1234-1234-123456789012';
const ACM_CA = 'arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/12345678-1234-1234-1234-123456789012';
const FILE_CERT = { file: { certificateChain: '/certs/server.crt', privateKey: '/certs/server.key' } };
const FILE_TRUST = { file: { certificateChain: '/certs/ca.crt' } };

function view(result: ReturnType<typeof translate>, node: string): ResourceSet {
  const set = result.views.get(`virtualNode/${node}`);
  if (!set) throw new Error(`no view for ${node}`);
  return set;
}

function chainsOf(listener: EnvoyResource | undefined): EnvoyResource[] {
  return (listener?.['filter_chains'] as EnvoyResource[] | undefined) ?? [];
}

/** A node `catalog` (DNS) with the given listeners, a service for it, and clients with the given specs. */
function mesh(listeners: unknown[], clients: Record<string, unknown> = {}): MeshInput {
  return {
    mesh: { name: 'shop' },
    virtualNodes: [
      { name: 'catalog', spec: { listeners, serviceDiscovery: { dns: { hostname: 'catalog.shop.local' } } } },
      ...Object.entries(clients).map(([name, spec]) => ({ name, spec })),
    ],
    virtualServices: [
      { name: 'catalog.shop.local', spec: { provider: { virtualNode: { virtualNodeName: 'catalog' } } } },
    ],
  };
}

const backend = (clientPolicy?: unknown) => ({
  virtualService: { virtualServiceName: 'catalog.shop.local', ...(clientPolicy ? { clientPolicy } : {}) },
});
const policy = (extra: Record<string, unknown> = {}) => ({ tls: { validation: { trust: FILE_TRUST }, ...extra } });

describe('listener TLS with an ACM certificate (not available off AWS)', () => {
  it('reports the certificate and leaves the only listener out: no ingress listener, cluster or routes', () => {
    const result = translate(
      buildSnapshot(
        mesh([
          {
            portMapping: { port: 8080, protocol: 'http' },
            tls: { mode: 'STRICT', certificate: { acm: { certificateArn: ACM_CERT } } },
          },
        ]),
      ),
    );
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]!.arn).toBe('arn:aws:appmesh:us-east-1:111122223333:mesh/shop/virtualNode/catalog');
    expect(result.problems[0]!.message).toContain(ACM_CERT);
    const catalog = view(result, 'catalog');
    expect(catalog.listeners.size).toBe(0);
    expect(catalog.clusters.size).toBe(0);
    expect(catalog.routes.size).toBe(0);
  });

  it('serves the other listeners, with no chain (plaintext or default) for the ACM port', () => {
    const result = translate(
      buildSnapshot(
        mesh([
          {
            portMapping: { port: 8080, protocol: 'http' },
            tls: { mode: 'PERMISSIVE', certificate: { acm: { certificateArn: ACM_CERT } } },
          },
          { portMapping: { port: 9090, protocol: 'tcp' } },
        ]),
      ),
    );
    expect(result.problems.map((p) => p.message)).toEqual([expect.stringContaining(ACM_CERT)]);
    const listener = view(result, 'catalog').listeners.get('lds_ingress_0.0.0.0_15000');
    expect(chainsOf(listener).map((c) => c['name'])).toEqual(['ingress_tcp_9090']);
    expect(JSON.stringify(listener)).not.toContain('8080');
    expect(listener?.['default_filter_chain']).toBeUndefined();
    expect([...view(result, 'catalog').clusters.keys()]).toEqual(['cds_ingress_shop_catalog_tcp_9090']);
  });

  it('is no problem when TLS is DISABLED (the certificate is not used)', () => {
    const result = translate(
      buildSnapshot(
        mesh([
          {
            portMapping: { port: 8080, protocol: 'http' },
            tls: { mode: 'DISABLED', certificate: { acm: { certificateArn: ACM_CERT } } },
          },
        ]),
      ),
    );
    expect(result.problems).toEqual([]);
    const listener = view(result, 'catalog').listeners.get('lds_ingress_0.0.0.0_15000');
    expect(JSON.stringify(listener)).not.toContain('transport_socket');
  });
});

describe('listener TLS on traffic addressed to the ingress port itself', () => {
  it('STRICT: the default (direct) chain carries the same TLS', () => {
    const result = translate(
      buildSnapshot(
        mesh([{ portMapping: { port: 8080, protocol: 'http' }, tls: { mode: 'STRICT', certificate: FILE_CERT } }]),
      ),
    );
    const listener = view(result, 'catalog').listeners.get('lds_ingress_0.0.0.0_15000')!;
    const [chain] = chainsOf(listener);
    const direct = listener['default_filter_chain'] as EnvoyResource;
    expect(chain!['transport_socket']).toBeDefined();
    expect(direct['transport_socket']).toEqual(chain!['transport_socket']);
  });

  it('PERMISSIVE: TLS to any other port takes a TLS chain, plaintext the default chain', () => {
    const result = translate(
      buildSnapshot(
        mesh([{ portMapping: { port: 8080, protocol: 'http' }, tls: { mode: 'PERMISSIVE', certificate: FILE_CERT } }]),
      ),
    );
    const listener = view(result, 'catalog').listeners.get('lds_ingress_0.0.0.0_15000')!;
    expect(
      chainsOf(listener).map((c) => [c['name'], c['filter_chain_match'], c['transport_socket'] !== undefined]),
    ).toEqual([
      ['ingress_http_8080_tls', { destination_port: 8080, transport_protocol: 'tls' }, true],
      ['ingress_http_8080', { destination_port: 8080 }, false],
      ['ingress_http_8080_tls_direct', { transport_protocol: 'tls' }, true],
    ]);
    expect((listener['default_filter_chain'] as EnvoyResource)['transport_socket']).toBeUndefined();
    expect(JSON.stringify(listener['listener_filters'])).toContain('envoy.filters.listener.tls_inspector');
  });
});

describe('client policy TLS', () => {
  const plain = [{ portMapping: { port: 8080, protocol: 'http' } }];

  it('reports ACM trust and leaves the backend out rather than reaching it without TLS', () => {
    const result = translate(
      buildSnapshot(
        mesh(plain, {
          frontend: {
            backends: [backend({ tls: { validation: { trust: { acm: { certificateAuthorityArns: [ACM_CA] } } } } })],
          },
        }),
      ),
    );
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]!.arn).toBe('arn:aws:appmesh:us-east-1:111122223333:mesh/shop/virtualNode/frontend');
    expect(result.problems[0]!.message).toContain(ACM_CA);
    const frontend = view(result, 'frontend');
    expect(frontend.clusters.size).toBe(0);
    expect(frontend.listeners.size).toBe(0);
  });

  it('names TLS variants by their settings and keeps the base name for clients without a policy', () => {
    const first = translate(
      buildSnapshot(
        mesh(plain, {
          a: { backends: [backend(policy())] },
          b: { backendDefaults: { clientPolicy: policy() }, backends: [backend()] },
          c: { backends: [backend(policy({ certificate: FILE_CERT }))] },
          d: { backends: [backend()] },
          e: { backends: [backend(policy({ enforce: false }))] },
          f: { backends: [backend(policy({ ports: [9999] }))] },
          g: { backends: [backend(policy({ ports: [8080] }))] },
        }),
      ),
    );
    expect(first.problems).toEqual([]);
    const clusters = (node: string) => [...view(first, node).clusters.keys()];
    const base = 'cds_egress_shop_catalog_http_8080';
    const [variantA] = clusters('a');
    expect(variantA).toMatch(new RegExp(`^${base}_tls_[0-9a-f]{8}$`));
    expect(clusters('b')).toEqual([variantA]); // same effective policy (from backendDefaults): same cluster
    expect(clusters('g')).toEqual([variantA]); // `ports` covering the target: the same settings
    expect(view(first, 'b').clusters.get(variantA!)).toBe(view(first, 'a').clusters.get(variantA!));
    const [variantC] = clusters('c');
    expect(variantC).toMatch(new RegExp(`^${base}_tls_[0-9a-f]{8}$`));
    expect(variantC).not.toBe(variantA);
    for (const node of ['d', 'e', 'f']) expect(clusters(node)).toEqual([base]);
    // The plaintext target's shared cluster has no TLS at all.
    expect(view(first, 'd').clusters.get(base)!['transport_socket']).toBeUndefined();
    // Routes and the variant's own load assignment use the variant's name.
    expect(JSON.stringify([...view(first, 'a').routes.values()])).toContain(variantA);
    expect(JSON.stringify([...view(first, 'a').routes.values()])).not.toContain(`"${base}"`);
    const variant = view(first, 'a').clusters.get(variantA!)!;
    expect((variant['load_assignment'] as EnvoyResource)['cluster_name']).toBe(variantA);

    // Stable: the same input names the variants the same way.
    const again = translate(buildSnapshot(mesh(plain, { a: { backends: [backend(policy())] } })));
    expect([...view(again, 'a').clusters.keys()]).toEqual([variantA]);
  });

  it("verifies the target's service discovery name when the policy lists no SANs", () => {
    const result = translate(buildSnapshot(mesh(plain, { a: { backends: [backend(policy())] } })));
    const [cluster] = [...view(result, 'a').clusters.values()];
    expect(JSON.stringify(cluster!['transport_socket'])).toContain(
      '"match_typed_subject_alt_names":[{"san_type":"DNS","matcher":{"exact":"catalog.shop.local"}}]',
    );
  });

  it('renames weighted targets of router routes', () => {
    const input: MeshInput = {
      mesh: { name: 'shop' },
      virtualNodes: [
        ...['blue', 'green'].map((name) => ({
          name,
          spec: {
            listeners: [{ portMapping: { port: 8080, protocol: 'http' } }],
            serviceDiscovery: { dns: { hostname: `${name}.shop.local` } },
          },
        })),
        {
          name: 'a',
          spec: { backends: [{ virtualService: { virtualServiceName: 'web.local', clientPolicy: policy() } }] },
        },
      ],
      virtualRouters: [
        {
          name: 'web',
          spec: { listeners: [{ portMapping: { port: 80, protocol: 'http' } }] },
          routes: [
            {
              name: 'split',
              spec: {
                httpRoute: {
                  match: { prefix: '/' },
                  action: {
                    weightedTargets: [
                      { virtualNode: 'blue', weight: 50 },
                      { virtualNode: 'green', weight: 50 },
                    ],
                  },
                },
              },
            },
          ],
        },
      ],
      virtualServices: [{ name: 'web.local', spec: { provider: { virtualRouter: { virtualRouterName: 'web' } } } }],
    };
    const result = translate(buildSnapshot(input));
    expect(result.problems).toEqual([]);
    const clusters = [...view(result, 'a').clusters.keys()];
    expect(clusters).toHaveLength(2);
    for (const c of clusters) expect(c).toMatch(/^cds_egress_shop_(blue|green)_http_8080_tls_[0-9a-f]{8}$/);
    const routes = JSON.stringify([...view(result, 'a').routes.values()]);
    for (const c of clusters) expect(routes).toContain(`"name":"${c}"`);
  });
});
