import * as grpc from '@grpc/grpc-js';
import { register as registerXds } from '@grpc/grpc-js-xds';
import { validateBootstrapConfig } from '@grpc/grpc-js-xds/build/src/xds-bootstrap.js';
import {
  CreateMeshCommand,
  CreateVirtualGatewayCommand,
  CreateVirtualNodeCommand,
  DeleteMeshCommand,
  DeleteVirtualNodeCommand,
} from '@aws-sdk/client-app-mesh';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { nodeIdMatches } from '../../src/xds-fleet/identity/node-id.js';
import { ProxyTokenService } from '../../src/xds-fleet/identity/proxy-tokens.service.js';
import { emptyResourceSet } from '../../src/xds-fleet/translator/envoy-types.js';
import type { CreatedTenant } from '../../src/tenants/tenants.service.js';
import { startEnvoy, testCertificate, validateEnvoyConfig } from '../support/envoy.js';
import { freePort, spawnNode } from '../support/processes.js';
import { call, startTestApp, type TestApp } from '../support/test-app.js';
import { testEnv } from '../support/test-config.js';
import { appMeshClient, createTenant } from '../support/tenant-builder.js';
import { discoveryResponse, xdsProtos } from '../support/xds-ads.js';

type Json = Record<string, any>;

/** What an xDS server sees of a stream: the call's authorization metadata and the first request's node. */
interface RecordedStream {
  readonly authorization: string | undefined;
  node: Json | undefined;
}

/**
 * An ADS endpoint that records who connects and answers each resource type once, with nothing:
 * enough for Envoy to finish initialising (it waits for its first CDS and LDS responses).
 */
async function startRecordingAds(): Promise<{ port: number; streams: RecordedStream[]; close(): void }> {
  const definition = grpc.loadPackageDefinition(xdsProtos()) as unknown as {
    envoy: { service: { discovery: { v3: { AggregatedDiscoveryService: { service: grpc.ServiceDefinition } } } } };
  };
  const streams: RecordedStream[] = [];
  const server = new grpc.Server();
  server.addService(definition.envoy.service.discovery.v3.AggregatedDiscoveryService.service, {
    StreamAggregatedResources: (stream: grpc.ServerDuplexStream<Json, unknown>) => {
      const recorded: RecordedStream = {
        authorization: stream.metadata.get('authorization')[0]?.toString(),
        node: undefined,
      };
      streams.push(recorded);
      const answered = new Set<string>();
      stream.on('data', (request: Json) => {
        recorded.node ??= request['node'];
        const typeUrl = String(request['type_url'] ?? '');
        if (answered.has(typeUrl)) return;
        answered.add(typeUrl);
        stream.write(discoveryResponse(emptyResourceSet(), typeUrl, [], '1', String(answered.size)));
      });
      stream.on('end', () => stream.end());
      stream.on('error', () => undefined);
    },
    DeltaAggregatedResources: (stream: grpc.ServerDuplexStream<unknown, unknown>) => {
      stream.emit('error', { code: grpc.status.UNIMPLEMENTED, details: 'state of the world only' });
    },
  });
  const port = await new Promise<number>((done, fail) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, bound) =>
      err ? fail(err) : done(bound),
    ),
  );
  return { port, streams, close: () => server.forceShutdown() };
}

/**
 * A google.protobuf.Struct as the server decodes it, back to plain JSON. Each Value names its set
 * field in `kind` (`oneofs: true`); field names are the .proto's (snake_case).
 */
function structToJson(struct: Json | undefined): Json {
  const value = (v: Json): unknown => {
    const set = v[String(v['kind'])];
    if (v['kind'] === 'struct_value') return structToJson(set);
    if (v['kind'] === 'list_value') return ((set?.values ?? []) as Json[]).map(value);
    return v['kind'] === 'null_value' ? null : set;
  };
  return Object.fromEntries(Object.entries(struct?.['fields'] ?? {}).map(([k, v]) => [k, value(v as Json)]));
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Onboarding proxies: bootstraps (Envoy YAML checked by a real Envoy, gRPC JSON checked by
 * @grpc/grpc-js-xds) with a fresh proxy token each, proxy tokens (issue, verify, list, revoke),
 * real clients presenting them, tenant isolation, and the operator CLI.
 */
describe('proxy onboarding', () => {
  let api: TestApp;
  let tokens: ProxyTokenService;
  let alice: CreatedTenant;
  let bob: CreatedTenant;
  let ads: Awaited<ReturnType<typeof startRecordingAds>>;
  const as = (t: CreatedTenant) => ({ authorization: `Bearer ${t.apiToken.token}` });
  const arn = (t: CreatedTenant, path: string) => `arn:aws:appmesh:us-east-1:${t.accountId}:mesh/${path}`;
  const get = (t: CreatedTenant, path: string) => call(api.baseUrl, 'GET', path, as(t));
  const tokenIn = (yaml: Json): string =>
    String(yaml['dynamic_resources'].ads_config.grpc_services[0].initial_metadata[0].value).replace(/^Bearer /, '');

  beforeAll(async () => {
    api = await startTestApp(['api'], { XDS_PUBLIC_HOST: 'xds.mesh.test', XDS_PUBLIC_PORT: '18443' });
    tokens = api.app.get(ProxyTokenService);
    [alice, bob] = await Promise.all([createTenant(api), createTenant(api)]);
    const mesh = appMeshClient(api, alice.accessKey);
    await mesh.send(new CreateMeshCommand({ meshName: 'shop' }));
    await mesh.send(new CreateMeshCommand({ meshName: 'alice-only' }));
    await mesh.send(
      new CreateVirtualNodeCommand({
        meshName: 'shop',
        virtualNodeName: 'web',
        spec: {
          listeners: [{ portMapping: { port: 8080, protocol: 'http' } }],
          serviceDiscovery: { dns: { hostname: 'web.shop.local' } },
        },
      }),
    );
    await mesh.send(
      new CreateVirtualGatewayCommand({
        meshName: 'shop',
        virtualGatewayName: 'edge',
        spec: { listeners: [{ portMapping: { port: 8443, protocol: 'http' } }] },
      }),
    );
    // Bob has a mesh of the same name, with nothing in it.
    await appMeshClient(api, bob.accessKey).send(new CreateMeshCommand({ meshName: 'shop' }));
    ads = await startRecordingAds();
  });
  afterAll(async () => {
    ads?.close();
    await api?.close();
  });

  describe('Envoy bootstraps', () => {
    it('serves a virtual node bootstrap that a real Envoy accepts, with the deployment defaults', async () => {
      const res = await get(alice, '/v1/meshes/shop/virtualNodes/web/bootstrap');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/yaml; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-store');
      const text = res.body as string;
      const bootstrap = parse(text) as Json;
      expect(bootstrap['node']).toEqual({
        id: arn(alice, 'shop/virtualNode/web'),
        cluster: 'web',
        metadata: { meshplane: { ingressPort: 15000, egressPort: 15001 } },
      });
      expect(bootstrap['admin'].address.socket_address).toEqual({ address: '127.0.0.1', port_value: 9901 });
      const xds = bootstrap['static_resources'].clusters[0];
      expect(xds).toMatchObject({ name: 'xds_cluster', type: 'STRICT_DNS' });
      expect(xds.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address).toEqual({
        address: 'xds.mesh.test',
        port_value: 18443,
      });
      expect(tokenIn(bootstrap)).toMatch(/^mpx_[A-Za-z0-9_-]{43}$/);
      expect(text).toContain(`/v1/meshes/shop/proxyTokens/${res.headers.get('x-meshplane-proxy-token-id')}`);
      expect(await validateEnvoyConfig(text)).toMatchObject({ ok: true });
    });

    it('applies query overrides, TLS included, and Envoy accepts the result', async () => {
      const caFile = testCertificate('test-ca.crt');
      const query = new URLSearchParams({
        zone: 'us-east-1a',
        adminPort: '9000',
        ingressPort: '16000',
        egressPort: '16001',
        xdsHost: '10.0.0.9',
        xdsPort: '15010',
        tls: 'true',
        caFile,
      });
      const res = await get(alice, `/v1/meshes/shop/virtualNodes/web/bootstrap?${query}`);
      expect(res.status).toBe(200);
      const bootstrap = parse(res.body as string) as Json;
      expect(bootstrap['node']).toMatchObject({
        locality: { zone: 'us-east-1a' },
        metadata: { meshplane: { ingressPort: 16000, egressPort: 16001 } },
      });
      expect(bootstrap['admin'].address.socket_address.port_value).toBe(9000);
      const xds = bootstrap['static_resources'].clusters[0];
      expect(xds.type).toBe('STATIC');
      expect(xds.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address).toEqual({
        address: '10.0.0.9',
        port_value: 15010,
      });
      expect(xds.transport_socket.typed_config.common_tls_context.validation_context).toEqual({
        trusted_ca: { filename: caFile },
        match_typed_subject_alt_names: [{ san_type: 'IP_ADDRESS', matcher: { exact: '10.0.0.9' } }],
      });
      expect(await validateEnvoyConfig(res.body as string)).toMatchObject({ ok: true });
    });

    it('serves a virtual gateway bootstrap that a real Envoy accepts', async () => {
      const res = await get(alice, '/v1/meshes/shop/virtualGateways/edge/bootstrap?zone=b');
      expect(res.status).toBe(200);
      const bootstrap = parse(res.body as string) as Json;
      expect(bootstrap['node']).toEqual({
        id: arn(alice, 'shop/virtualGateway/edge'),
        cluster: 'edge',
        locality: { zone: 'b' },
      });
      expect(await validateEnvoyConfig(res.body as string)).toMatchObject({ ok: true });
    });

    it('refuses bad parameters before issuing a token', async () => {
      const before = (await get(alice, '/v1/meshes/shop/proxyTokens')).body.proxyTokens.length;
      const res = await get(alice, '/v1/meshes/shop/virtualNodes/web/bootstrap?adminPort=99999&egressport=1');
      expect(res.status).toBe(400);
      expect(res.headers.get('x-amzn-errortype')).toBe('BadRequestException');
      expect(res.body.message).toBe(
        'query.adminPort: must be a TCP port (1-65535); query.egressport: is not a known parameter',
      );
      expect((await get(alice, '/v1/meshes/shop/proxyTokens')).body.proxyTokens).toHaveLength(before);
    });

    it('makes a real Envoy connect with the token in its stream metadata and its ARN as node id', async () => {
      const adminPort = await freePort();
      const res = await get(
        alice,
        `/v1/meshes/shop/virtualNodes/web/bootstrap?xdsHost=127.0.0.1&xdsPort=${ads.port}&adminPort=${adminPort}`,
      );
      const bootstrap = parse(res.body as string) as Json;
      const seen = ads.streams.length;
      const envoy = await startEnvoy(bootstrap);
      try {
        const stream = await until('the Envoy stream', () => ads.streams.slice(seen).find((s) => s.node));
        expect(stream.authorization).toBe(`Bearer ${tokenIn(bootstrap)}`);
        expect(stream.node!['id']).toBe(arn(alice, 'shop/virtualNode/web'));
        const identity = await tokens.verify(stream.authorization!.replace(/^Bearer /, ''));
        expect(identity).toMatchObject({
          accountId: alice.accountId,
          meshName: 'shop',
          kind: 'virtualNode',
          name: 'web',
        });
        expect(nodeIdMatches(identity!, stream.node!['id'], api.config.region)).toBe(true);
      } finally {
        await envoy.stop();
      }
    });
  });

  describe('gRPC xDS bootstraps', () => {
    it('serves JSON that @grpc/grpc-js-xds accepts, with the token in the node metadata', async () => {
      const res = await get(alice, '/v1/meshes/shop/virtualNodes/web/bootstrap?format=grpc&zone=us-east-1b');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      const token = res.body.node.metadata.meshplane.token as string;
      expect(res.body).toEqual({
        xds_servers: [
          { server_uri: 'xds.mesh.test:18443', channel_creds: [{ type: 'insecure' }], server_features: ['xds_v3'] },
        ],
        node: {
          id: arn(alice, 'shop/virtualNode/web'),
          cluster: 'web',
          locality: { zone: 'us-east-1b' },
          metadata: { meshplane: { token: expect.stringMatching(/^mpx_/) } },
        },
      });
      expect(() => validateBootstrapConfig(res.body)).not.toThrow();
      expect(await tokens.verify(token)).toMatchObject({
        name: 'web',
        tokenId: res.headers.get('x-meshplane-proxy-token-id'),
      });
    });

    it('makes a real proxyless client send the token in its node metadata (it cannot send stream metadata)', async () => {
      const res = await get(
        alice,
        `/v1/meshes/shop/virtualNodes/web/bootstrap?format=grpc&xdsHost=127.0.0.1&xdsPort=${ads.port}`,
      );
      process.env['GRPC_XDS_BOOTSTRAP_CONFIG'] = JSON.stringify(res.body);
      registerXds();
      const seen = ads.streams.length;
      const client = new grpc.Client('xds:///web.shop.local', grpc.credentials.createInsecure());
      try {
        client.getChannel().getConnectivityState(true);
        const stream = await until('the proxyless stream', () => ads.streams.slice(seen).find((s) => s.node));
        expect(stream.authorization).toBeUndefined();
        expect(stream.node!['id']).toBe(arn(alice, 'shop/virtualNode/web'));
        const token = structToJson(stream.node!['metadata'])['meshplane']?.token as string;
        expect(token).toBe(res.body.node.metadata.meshplane.token);
        const identity = await tokens.verify(token);
        expect(nodeIdMatches(identity!, stream.node!['id'], api.config.region)).toBe(true);
      } finally {
        client.close();
      }
    });
  });

  describe('proxy tokens', () => {
    it('verifies an issued token to its identity, stamps its use, lists it and revokes it', async () => {
      const res = await get(alice, '/v1/meshes/shop/virtualGateways/edge/bootstrap');
      const tokenId = res.headers.get('x-meshplane-proxy-token-id')!;
      const token = tokenIn(parse(res.body as string) as Json);
      const identity = await tokens.verify(token);
      expect(identity).toEqual({
        tenantId: expect.any(String),
        accountId: alice.accountId,
        meshId: expect.any(String),
        meshName: 'shop',
        kind: 'virtualGateway',
        name: 'edge',
        tokenId,
      });
      expect(nodeIdMatches(identity!, arn(alice, 'shop/virtualGateway/edge'), api.config.region)).toBe(true);
      expect(nodeIdMatches(identity!, 'mesh/shop/virtualGateway/edge', api.config.region)).toBe(true);
      expect(nodeIdMatches(identity!, arn(alice, 'shop/virtualNode/web'), api.config.region)).toBe(false);

      const stamped = await pollList(alice, '?kind=virtualGateway&name=edge', (t) => t.id === tokenId && t.lastUsedAt);
      expect(stamped).toEqual({
        id: tokenId,
        meshName: 'shop',
        kind: 'virtualGateway',
        name: 'edge',
        arn: arn(alice, 'shop/virtualGateway/edge'),
        createdAt: expect.any(String),
        lastUsedAt: expect.any(String),
      });
      const onlyNodes = await get(alice, '/v1/meshes/shop/proxyTokens?kind=virtualNode');
      expect(onlyNodes.body.proxyTokens.length).toBeGreaterThan(0);
      expect(onlyNodes.body.proxyTokens.every((t: Json) => t['kind'] === 'virtualNode')).toBe(true);
      expect(JSON.stringify(onlyNodes.body)).not.toContain('mpx_');
      const badList = await get(alice, '/v1/meshes/shop/proxyTokens?kind=pod&nmae=web');
      expect({ status: badList.status, body: badList.body }).toEqual({
        status: 400,
        body: { message: 'query.kind: must be virtualNode or virtualGateway; query.nmae: is not a known parameter' },
      });

      const revoked = await call(api.baseUrl, 'DELETE', `/v1/meshes/shop/proxyTokens/${tokenId}`, as(alice));
      expect(revoked.status).toBe(200);
      expect(revoked.body).toMatchObject({ id: tokenId, name: 'edge' });
      expect(await tokens.verify(token)).toBeUndefined();
      const again = await call(api.baseUrl, 'DELETE', `/v1/meshes/shop/proxyTokens/${tokenId}`, as(alice));
      expect(again.status).toBe(404);
      expect(again.headers.get('x-amzn-errortype')).toBe('NotFoundException');
    });

    it('verifies nothing from malformed, unknown or other kinds of tokens', async () => {
      for (const token of ['', 'mpx_', `mpx_${'A'.repeat(43)}`, alice.apiToken.token, `${'x'.repeat(4000)}`])
        expect(await tokens.verify(token)).toBeUndefined();
    });

    it("stops verifying a suspended tenant's tokens, and drops a mesh's tokens with the mesh", async () => {
      const carol = await createTenant(api);
      const mesh = appMeshClient(api, carol.accessKey);
      await mesh.send(new CreateMeshCommand({ meshName: 'brief' }));
      await mesh.send(
        new CreateVirtualNodeCommand({
          meshName: 'brief',
          virtualNodeName: 'job',
          spec: {},
        }),
      );
      const res = await get(carol, '/v1/meshes/brief/virtualNodes/job/bootstrap?format=grpc');
      const token = res.body.node.metadata.meshplane.token as string;
      expect(await tokens.verify(token)).toMatchObject({ accountId: carol.accountId });
      await api.admin('POST', `/admin/v1/tenants/${carol.accountId}/suspend`);
      expect(await tokens.verify(token)).toBeUndefined();
      await api.admin('POST', `/admin/v1/tenants/${carol.accountId}/resume`);
      expect(await tokens.verify(token)).toMatchObject({ name: 'job' });

      await mesh.send(new DeleteVirtualNodeCommand({ meshName: 'brief', virtualNodeName: 'job' }));
      await mesh.send(new DeleteMeshCommand({ meshName: 'brief' }));
      expect(await tokens.verify(token)).toBeUndefined();
    });
  });

  describe('not found and tenant isolation', () => {
    it('answers an unknown mesh or resource with App Mesh NotFoundExceptions', async () => {
      const cases: [string, string][] = [
        ['/v1/meshes/nope/virtualNodes/web/bootstrap', `Mesh nope does not exist in account ${alice.accountId}.`],
        ['/v1/meshes/shop/virtualNodes/nope/bootstrap', 'VirtualNode nope does not exist in mesh shop.'],
        // A virtual node is not a virtual gateway.
        [
          '/v1/meshes/shop/virtualGateways/web/bootstrap?format=grpc',
          'VirtualGateway web does not exist in mesh shop.',
        ],
        ['/v1/meshes/nope/proxyTokens', `Mesh nope does not exist in account ${alice.accountId}.`],
        [
          '/v1/meshes/shop/proxyTokens/not-a-uuid',
          `Proxy token not-a-uuid does not exist in account ${alice.accountId}.`,
        ],
      ];
      for (const [path, message] of cases) {
        const res = await call(api.baseUrl, path.includes('proxyTokens/') ? 'DELETE' : 'GET', path, as(alice));
        expect({ path, status: res.status, type: res.headers.get('x-amzn-errortype'), body: res.body }).toEqual({
          path,
          status: 404,
          type: 'NotFoundException',
          body: { message },
        });
      }
    });

    it("gives another tenant nothing of alice's: the same 404 as for resources that do not exist", async () => {
      // Bob's own mesh "shop" has no node "web"; alice's mesh "alice-only" does not exist for him.
      const node = await get(bob, '/v1/meshes/shop/virtualNodes/web/bootstrap');
      expect(node.status).toBe(404);
      expect(node.body).toEqual({ message: 'VirtualNode web does not exist in mesh shop.' });
      const mesh = await get(bob, '/v1/meshes/alice-only/virtualNodes/web/bootstrap');
      const missing = await get(bob, '/v1/meshes/never-was/virtualNodes/web/bootstrap');
      expect(mesh.status).toBe(404);
      expect(mesh.body.message).toBe(`Mesh alice-only does not exist in account ${bob.accountId}.`);
      expect(missing.body.message).toBe(`Mesh never-was does not exist in account ${bob.accountId}.`);
      expect(JSON.stringify([node.body, mesh.body])).not.toContain(alice.accountId);

      // Alice's tokens are invisible to bob and cannot be revoked by him, even through his own "shop".
      const res = await get(alice, '/v1/meshes/shop/virtualNodes/web/bootstrap?format=grpc');
      const tokenId = res.headers.get('x-meshplane-proxy-token-id')!;
      expect((await get(bob, '/v1/meshes/shop/proxyTokens')).body).toEqual({ proxyTokens: [] });
      const revoke = await call(api.baseUrl, 'DELETE', `/v1/meshes/shop/proxyTokens/${tokenId}`, as(bob));
      expect(revoke.status).toBe(404);
      expect(await tokens.verify(res.body.node.metadata.meshplane.token)).toMatchObject({ accountId: alice.accountId });
      // Nor by alice through another of her meshes.
      const elsewhere = await call(api.baseUrl, 'DELETE', `/v1/meshes/alice-only/proxyTokens/${tokenId}`, as(alice));
      expect(elsewhere.status).toBe(404);
    });

    it('requires tenant credentials', async () => {
      const res = await call(api.baseUrl, 'GET', '/v1/meshes/shop/virtualNodes/web/bootstrap');
      expect(res.status).toBe(401);
      const admin = await api.admin('GET', '/v1/meshes/shop/virtualNodes/web/bootstrap');
      expect(admin.status).toBe(401);
    });
  });

  describe('operator CLI', () => {
    async function cli(...args: string[]): Promise<{ code: number | string; stdout: string; output: string }> {
      const proc = spawnNode('dist/cli.js', args, testEnv());
      let stdout = '';
      proc.child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      const code = await proc.exited;
      return { code, stdout, output: proc.output() };
    }

    it('prints a bootstrap for a tenant named by name or account id', async () => {
      const grpcJson = await cli(
        'bootstrap',
        '--tenant',
        alice.name,
        '--mesh',
        'shop',
        '--virtual-node',
        'web',
        '--format',
        'grpc',
      );
      expect(grpcJson.code).toBe(0);
      const body = JSON.parse(grpcJson.stdout) as Json;
      expect(body['node'].id).toBe(arn(alice, 'shop/virtualNode/web'));
      const tokenId = /proxy token id: (\S+)/.exec(grpcJson.output)?.[1];
      expect((await tokens.verify(body['node'].metadata.meshplane.token))?.tokenId).toBe(tokenId);

      const yaml = await cli(
        'bootstrap',
        '--tenant',
        alice.accountId,
        '--mesh',
        'shop',
        '--virtual-gateway',
        'edge',
        '--zone',
        'a',
      );
      expect(yaml.code).toBe(0);
      expect((parse(yaml.stdout) as Json)['node']).toMatchObject({
        id: arn(alice, 'shop/virtualGateway/edge'),
        locality: { zone: 'a' },
      });
      expect(await validateEnvoyConfig(yaml.stdout)).toMatchObject({ ok: true });
    });

    it('explains what is missing or unknown', async () => {
      const usage = await cli('bootstrap', '--tenant', alice.name, '--mesh', 'shop');
      expect(usage.code).toBe(2);
      expect(usage.output).toContain('one of --virtual-node, --virtual-gateway');
      const unknown = await cli('bootstrap', '--tenant', 'no-such-tenant', '--mesh', 'shop', '--virtual-node', 'web');
      expect(unknown.code).toBe(1);
      expect(unknown.output).toContain('NOT_FOUND: No tenant has the account id or name no-such-tenant.');
      const node = await cli('bootstrap', '--tenant', bob.name, '--mesh', 'shop', '--virtual-node', 'web');
      expect(node.code).toBe(1);
      expect(node.output).toContain('VirtualNode web does not exist in mesh shop.');
    });
  });

  /** Polls the token list (the last-used stamp is written in the background) until `match` finds one. */
  async function pollList(t: CreatedTenant, query: string, match: (token: Json) => unknown): Promise<Json> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const res = await get(t, `/v1/meshes/shop/proxyTokens${query}`);
      const found = (res.body.proxyTokens as Json[]).find((token) => match(token));
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no matching token in ${JSON.stringify(res.body)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
});
