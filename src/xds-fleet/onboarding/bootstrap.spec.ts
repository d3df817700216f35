import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DomainError } from '../../common/errors/domain-error.js';
import { bootstrapOptions, SYSTEM_CA_BUNDLE } from './bootstrap-options.js';
import { envoyBootstrap, envoyBootstrapYaml, type BootstrapTarget } from './envoy-bootstrap.js';
import { grpcBootstrap } from './grpc-bootstrap.js';

const node: BootstrapTarget = {
  kind: 'virtualNode',
  meshName: 'shop',
  name: 'web',
  arn: 'arn:aws:appmesh:us-east-1:123456789012:mesh/shop/virtualNode/web',
};
const gateway: BootstrapTarget = {
  kind: 'virtualGateway',
  meshName: 'shop',
  name: 'edge',
  arn: 'arn:aws:appmesh:us-east-1:123456789012:mesh/shop/virtualGateway/edge',
};
const fleet = { host: 'xds.mesh.example', port: 18000, tls: false };
const TOKEN = `mpx_${'a'.repeat(43)}`;

type Json = Record<string, any>;
const envoy = (target: BootstrapTarget, query: Json = {}, defaults = fleet): Json =>
  envoyBootstrap(target, TOKEN, bootstrapOptions(query, defaults, target.kind)) as Json;
const xdsCluster = (bootstrap: Json): Json => bootstrap['static_resources'].clusters[0];

function badRequest(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe('BAD_REQUEST');
    return (err as DomainError).message;
  }
  throw new Error('expected a BAD_REQUEST');
}

describe('bootstrap options', () => {
  it('fills defaults: App Mesh ports, the deployment xDS address, Envoy format', () => {
    expect(bootstrapOptions({}, fleet)).toEqual({
      format: 'envoy',
      adminPort: 9901,
      ingressPort: 15000,
      egressPort: 15001,
      xds: { host: 'xds.mesh.example', port: 18000, tls: false, caFile: SYSTEM_CA_BUNDLE },
    });
  });

  it('takes every override from the query', () => {
    const query = {
      format: 'grpc',
      zone: 'us-east-1a',
      adminPort: '9000',
      ingressPort: '16000',
      egressPort: '16001',
      xdsHost: '10.0.0.7',
      xdsPort: '443',
      tls: 'true',
      caFile: '/etc/pki/tls/certs/ca-bundle.crt',
    };
    expect(bootstrapOptions(query, fleet)).toEqual({
      format: 'grpc',
      zone: 'us-east-1a',
      adminPort: 9000,
      ingressPort: 16000,
      egressPort: 16001,
      xds: { host: '10.0.0.7', port: 443, tls: true, caFile: '/etc/pki/tls/certs/ca-bundle.crt' },
    });
    expect(bootstrapOptions({ tls: 'false' }, { ...fleet, tls: true }).xds.tls).toBe(false);
  });

  it('refuses unknown parameters, bad values and ports that clash, naming each', () => {
    expect(badRequest(() => bootstrapOptions({ adminport: '1' }, fleet))).toBe(
      'query.adminport: is not a known parameter',
    );
    expect(badRequest(() => bootstrapOptions({ format: 'xml' }, fleet))).toBe('query.format: must be envoy or grpc');
    const message = badRequest(() =>
      bootstrapOptions(
        { adminPort: '70000', xdsHost: 'http://x', format: 'xml', tls: 'maybe', zone: 'a b', caFile: 'rel' },
        fleet,
      ),
    );
    for (const field of ['adminPort', 'xdsHost', 'format', 'tls', 'zone', 'caFile'])
      expect(message).toContain(`query.${field}: `);
    expect(message).not.toMatch(/\bbody\b/);
    expect(badRequest(() => bootstrapOptions({ adminPort: '15001' }, fleet))).toBe(
      'query.adminPort and query.egressPort: must be different ports',
    );
  });

  it('takes no capture ports for virtual gateways, whose listeners are their spec', () => {
    expect(badRequest(() => bootstrapOptions({ egressPort: '16001' }, fleet, 'virtualGateway'))).toBe(
      "query.egressPort: apply to virtual nodes only; a virtual gateway listens on its spec's ports",
    );
    expect(bootstrapOptions({ adminPort: '9000' }, fleet, 'virtualGateway').adminPort).toBe(9000);
  });

  it("takes a virtual node's endpoint address as an IP address only", () => {
    expect(bootstrapOptions({ address: '10.0.0.5' }, fleet).address).toBe('10.0.0.5');
    expect(bootstrapOptions({ address: '::FFFF:10.0.0.5' }, fleet).address).toBe('10.0.0.5');
    expect(bootstrapOptions({}, fleet).address).toBeUndefined();
    for (const bad of ['web.internal', '10.0.0.5:8080', '0.0.0.0', '[fd00::1]'])
      expect(badRequest(() => bootstrapOptions({ address: bad }, fleet))).toMatch(
        /^query.address: must be an IPv4 or IPv6/,
      );
    expect(badRequest(() => bootstrapOptions({ address: '10.0.0.5' }, fleet, 'virtualGateway'))).toMatch(
      /^query.address: applies to virtual nodes only/,
    );
  });
});

describe('Envoy bootstrap', () => {
  it('names the node by ARN, runs ADS with the token, and waits for its first configuration', () => {
    const bootstrap = envoy(node, { zone: 'us-east-1a' });
    expect(bootstrap['node']).toEqual({
      id: node.arn,
      cluster: 'web',
      locality: { zone: 'us-east-1a' },
      metadata: { meshplane: { ingressPort: 15000, egressPort: 15001 } },
    });
    expect(bootstrap['admin']).toEqual({ address: { socket_address: { address: '127.0.0.1', port_value: 9901 } } });
    const ads = bootstrap['dynamic_resources'];
    expect(ads.ads_config).toMatchObject({
      api_type: 'GRPC',
      transport_api_version: 'V3',
      grpc_services: [
        {
          envoy_grpc: { cluster_name: 'xds_cluster' },
          initial_metadata: [{ key: 'authorization', value: `Bearer ${TOKEN}` }],
        },
      ],
    });
    for (const source of [ads.lds_config, ads.cds_config])
      expect(source).toEqual({ ads: {}, resource_api_version: 'V3', initial_fetch_timeout: '0s' });
  });

  it('leaves the locality out without a zone, and the ports out for gateways', () => {
    expect(envoy(gateway)['node']).toEqual({ id: gateway.arn, cluster: 'edge' });
  });

  it('reaches a DNS name with STRICT_DNS and an IP with STATIC, over HTTP/2, in plaintext unless asked', () => {
    const byName = xdsCluster(envoy(node));
    expect(byName).toMatchObject({ name: 'xds_cluster', type: 'STRICT_DNS' });
    expect(byName['load_assignment'].endpoints[0].lb_endpoints[0].endpoint.address.socket_address).toEqual({
      address: 'xds.mesh.example',
      port_value: 18000,
    });
    expect(
      byName['typed_extension_protocol_options']['envoy.extensions.upstreams.http.v3.HttpProtocolOptions'],
    ).toMatchObject({ explicit_http_config: { http2_protocol_options: {} } });
    expect(byName['transport_socket']).toBeUndefined();
    expect(xdsCluster(envoy(node, { xdsHost: '10.1.2.3' }))['type']).toBe('STATIC');
    expect(xdsCluster(envoy(node, { xdsHost: '::1' }))['type']).toBe('STATIC');
  });

  it('uses TLS when asked or configured, checking the fleet name against the certificate', () => {
    const tls = xdsCluster(envoy(node, { tls: 'true' }))['transport_socket'];
    expect(tls.typed_config).toMatchObject({
      sni: 'xds.mesh.example',
      common_tls_context: {
        alpn_protocols: ['h2'],
        validation_context: {
          trusted_ca: { filename: SYSTEM_CA_BUNDLE },
          match_typed_subject_alt_names: [{ san_type: 'DNS', matcher: { exact: 'xds.mesh.example' } }],
        },
      },
    });
    const configured = xdsCluster(envoy(node, { xdsHost: '10.1.2.3' }, { ...fleet, tls: true }))['transport_socket'];
    expect(configured.typed_config.sni).toBeUndefined();
    expect(configured.typed_config.common_tls_context.validation_context.match_typed_subject_alt_names).toEqual([
      { san_type: 'IP_ADDRESS', matcher: { exact: '10.1.2.3' } },
    ]);
  });

  it('writes YAML Envoy reads as intended: every string quoted, a header naming the secret inside', () => {
    const bootstrap = envoy(node, { zone: 'on' });
    const yaml = envoyBootstrapYaml(node, bootstrap, 'token-id-1');
    expect(yaml).toMatch(/^# Envoy bootstrap for virtualNode web in mesh shop/);
    expect(yaml).toContain('keep this file as secret');
    expect(yaml).toContain('DELETE /v1/meshes/shop/proxyTokens/token-id-1');
    expect(yaml).toContain('zone: "on"');
    expect(yaml).toContain('port_value: 9901');
    expect(yaml).not.toMatch(/[&*]a\d/);
    expect(parse(yaml)).toEqual(bootstrap);
  });
});

describe('gRPC xDS bootstrap', () => {
  it('points the client at the fleet, with a locality and the token in the node metadata', () => {
    expect(grpcBootstrap(node, TOKEN, bootstrapOptions({ format: 'grpc' }, fleet))).toEqual({
      xds_servers: [
        { server_uri: 'xds.mesh.example:18000', channel_creds: [{ type: 'insecure' }], server_features: ['xds_v3'] },
      ],
      node: {
        id: node.arn,
        cluster: 'web',
        locality: { zone: 'default' },
        metadata: { meshplane: { token: TOKEN } },
      },
    });
  });

  it('brackets IPv6 addresses and uses gRFC A65 tls credentials when asked', () => {
    const bootstrap = grpcBootstrap(
      node,
      TOKEN,
      bootstrapOptions({ xdsHost: 'fd00::7', tls: 'true', zone: 'b' }, fleet),
    ) as Json;
    expect(bootstrap['xds_servers'][0]).toMatchObject({
      server_uri: '[fd00::7]:18000',
      channel_creds: [{ type: 'tls', config: { ca_certificate_file: SYSTEM_CA_BUNDLE } }],
    });
    expect(bootstrap['node'].locality).toEqual({ zone: 'b' });
  });
});
