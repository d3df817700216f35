import { CreateVirtualGatewayCommand, type AppMeshClient } from '@aws-sdk/client-app-mesh';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { CreatedTenant } from '../../src/tenants/tenants.service.js';
import { validateEnvoyConfig } from '../support/envoy.js';
import { createShopMesh } from '../support/mesh-fixture.js';
import { appMeshClient, createTenant, uniqueName } from '../support/tenant-builder.js';
import { call, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * GraphQL's bootstraps, proxy tokens and account (keys and API tokens), over real HTTP,
 * PostgreSQL, Redis and a real Envoy: the same services as the REST `/v1` endpoints.
 */
describe('GraphQL bootstraps, proxy tokens and account', () => {
  let api: TestApp;
  let alice: CreatedTenant;
  let bob: CreatedTenant;
  let client: AppMeshClient;
  const shop = uniqueName('gqa');

  const gql = (tenant: CreatedTenant, query: string, variables?: Record<string, unknown>) =>
    call(
      api.baseUrl,
      'POST',
      '/graphql',
      { authorization: `Bearer ${tenant.apiToken.token}` },
      {
        query,
        ...(variables ? { variables } : {}),
      },
    );

  const NODE_BOOTSTRAP = `mutation($i: VirtualNodeBootstrapInput!) {
    issueVirtualNodeBootstrap(input: $i) { format contentType body tokenId }
  }`;
  const GATEWAY_BOOTSTRAP = `mutation($i: VirtualGatewayBootstrapInput!) {
    issueVirtualGatewayBootstrap(input: $i) { format contentType body tokenId }
  }`;
  const TOKENS = `query($m: String!) {
    mesh(name: $m) {
      virtualNodes { nodes { name proxyTokens { id meshName kind name arn createdAt lastUsedAt } } }
      virtualGateways { nodes { name proxyTokens { id kind name } } }
    }
  }`;
  const REVOKE_PROXY_TOKEN = `mutation($id: ID!) { revokeProxyToken(id: $id) { id kind name } }`;

  const tokensOf = async (tenant: CreatedTenant, node: string) => {
    const res = await gql(tenant, TOKENS, { m: shop });
    expect(res.body.errors).toBeUndefined();
    const nodes = res.body.data.mesh.virtualNodes.nodes as { name: string; proxyTokens: { id: string }[] }[];
    return nodes.find((n) => n.name === node)!.proxyTokens;
  };

  beforeAll(async () => {
    api = await startTestApp();
    [alice, bob] = await Promise.all([createTenant(api), createTenant(api)]);
    client = appMeshClient(api, alice.accessKey);
    await createShopMesh(client, { mesh: shop });
    await client.send(
      new CreateVirtualGatewayCommand({
        meshName: shop,
        virtualGatewayName: 'edge',
        spec: { listeners: [{ portMapping: { port: 8443, protocol: 'http' } }] },
      }),
    );
  });
  afterAll(async () => {
    await api?.close();
  });

  describe('bootstraps', () => {
    it('issues a virtual node bootstrap with the options, which a real Envoy accepts', async () => {
      const res = await gql(alice, NODE_BOOTSTRAP, {
        i: {
          meshName: shop,
          virtualNodeName: 'web',
          format: 'ENVOY',
          zone: 'us-east-1a',
          adminPort: 9000,
          ingressPort: 16000,
          egressPort: 16001,
          xdsHost: '10.0.0.9',
          xdsPort: 15010,
          address: '10.1.2.3',
          tls: false,
        },
      });
      expect(res.body.errors).toBeUndefined();
      const bootstrap = res.body.data.issueVirtualNodeBootstrap;
      expect(bootstrap).toMatchObject({ format: 'ENVOY', contentType: 'application/yaml' });
      const yaml = parse(bootstrap.body as string) as Record<string, any>;
      expect(yaml['node']).toMatchObject({
        cluster: 'web',
        locality: { zone: 'us-east-1a' },
        metadata: { meshplane: { ingressPort: 16000, egressPort: 16001, address: '10.1.2.3' } },
      });
      expect(yaml['admin'].address.socket_address.port_value).toBe(9000);
      expect(
        yaml['static_resources'].clusters[0].load_assignment.endpoints[0].lb_endpoints[0].endpoint.address
          .socket_address,
      ).toEqual({ address: '10.0.0.9', port_value: 15010 });
      expect(await validateEnvoyConfig(bootstrap.body as string)).toMatchObject({ ok: true });
      // The token it issued is listed for the node (by id; its secret only ever in the body).
      expect((await tokensOf(alice, 'web')).map((t) => t.id)).toContain(bootstrap.tokenId);
    });

    it('issues a gRPC bootstrap and a virtual gateway bootstrap that Envoy accepts', async () => {
      const grpc = await gql(alice, NODE_BOOTSTRAP, { i: { meshName: shop, virtualNodeName: 'web', format: 'GRPC' } });
      expect(grpc.body.errors).toBeUndefined();
      expect(grpc.body.data.issueVirtualNodeBootstrap).toMatchObject({
        format: 'GRPC',
        contentType: 'application/json',
      });
      expect(JSON.parse(grpc.body.data.issueVirtualNodeBootstrap.body as string)).toHaveProperty('xds_servers');

      const gw = await gql(alice, GATEWAY_BOOTSTRAP, { i: { meshName: shop, virtualGatewayName: 'edge', zone: 'b' } });
      expect(gw.body.errors).toBeUndefined();
      const body = gw.body.data.issueVirtualGatewayBootstrap.body as string;
      expect((parse(body) as Record<string, any>)['node']).toMatchObject({ cluster: 'edge', locality: { zone: 'b' } });
      expect(await validateEnvoyConfig(body)).toMatchObject({ ok: true });
    });

    it('refuses bad options as VALIDATION naming the argument, before issuing a token', async () => {
      const before = (await tokensOf(alice, 'web')).length;
      const badPort = await gql(alice, NODE_BOOTSTRAP, {
        i: { meshName: shop, virtualNodeName: 'web', adminPort: 99999 },
      });
      expect(badPort.body.data).toBeNull();
      expect(badPort.body.errors[0].message).toContain('input.adminPort: must be a TCP port (1-65535)');
      expect(badPort.body.errors[0].extensions).toEqual({ code: 'VALIDATION', fields: ['input.adminPort'] });

      const clash = await gql(alice, NODE_BOOTSTRAP, {
        i: { meshName: shop, virtualNodeName: 'web', adminPort: 15000 },
      });
      expect(clash.body.errors[0].message).toContain('input.adminPort and input.ingressPort: must be different ports');
      expect(clash.body.errors[0].extensions.code).toBe('VALIDATION');

      const badHost = await gql(alice, NODE_BOOTSTRAP, {
        i: { meshName: shop, virtualNodeName: 'web', xdsHost: 'not a host' },
      });
      expect(badHost.body.errors[0].extensions).toMatchObject({ code: 'VALIDATION', fields: ['input.xdsHost'] });

      // A gateway has no capture ports: the schema has no such argument.
      const gwPort = await gql(alice, GATEWAY_BOOTSTRAP, {
        i: { meshName: shop, virtualGatewayName: 'edge', ingressPort: 16000 },
      });
      expect(gwPort.status).toBe(400);
      expect(gwPort.body.errors[0].message).toContain('ingressPort');

      expect((await tokensOf(alice, 'web')).length).toBe(before);
    });

    it("answers NOT_FOUND for an unknown node and for another tenant's", async () => {
      const unknown = await gql(alice, NODE_BOOTSTRAP, { i: { meshName: shop, virtualNodeName: 'nope' } });
      expect(unknown.body.errors[0]).toMatchObject({
        message: `VirtualNode nope does not exist in mesh ${shop}.`,
        extensions: { code: 'NOT_FOUND' },
      });
      const foreign = await gql(bob, NODE_BOOTSTRAP, { i: { meshName: shop, virtualNodeName: 'web' } });
      expect(foreign.body.errors[0].extensions.code).toBe('NOT_FOUND');
      expect(JSON.stringify(foreign.body)).not.toContain('mpx_');
    });
  });

  describe('proxy tokens', () => {
    it('lists tokens per node and gateway without secrets, and revokes one (not another tenant)', async () => {
      const issued = await gql(alice, NODE_BOOTSTRAP, { i: { meshName: shop, virtualNodeName: 'api' } });
      const tokenId = issued.body.data.issueVirtualNodeBootstrap.tokenId as string;

      const listed = await gql(alice, TOKENS, { m: shop });
      expect(listed.body.errors).toBeUndefined();
      const text = JSON.stringify(listed.body);
      expect(text).not.toContain('mpx_');
      const node = listed.body.data.mesh.virtualNodes.nodes.find((n: { name: string }) => n.name === 'api');
      expect(node.proxyTokens).toEqual([
        {
          id: tokenId,
          meshName: shop,
          kind: 'virtualNode',
          name: 'api',
          arn: `arn:aws:appmesh:${api.config.region}:${alice.accountId}:mesh/${shop}/virtualNode/api`,
          createdAt: expect.any(String),
          lastUsedAt: null,
        },
      ]);
      const gateway = listed.body.data.mesh.virtualGateways.nodes.find((n: { name: string }) => n.name === 'edge');
      expect(gateway.proxyTokens.length).toBeGreaterThan(0);
      expect(gateway.proxyTokens.every((t: { kind: string }) => t.kind === 'virtualGateway')).toBe(true);

      // Tenant B cannot revoke A's token by its id: absent, as an unknown one.
      const foreign = await gql(bob, REVOKE_PROXY_TOKEN, { id: tokenId });
      expect(foreign.body.errors[0]).toMatchObject({
        message: `Proxy token ${tokenId} does not exist in account ${bob.accountId}.`,
        extensions: { code: 'NOT_FOUND' },
      });
      expect((await tokensOf(alice, 'api')).map((t) => t.id)).toEqual([tokenId]);

      const revoked = await gql(alice, REVOKE_PROXY_TOKEN, { id: tokenId });
      expect(revoked.body).toEqual({
        data: { revokeProxyToken: { id: tokenId, kind: 'virtualNode', name: 'api' } },
      });
      expect(await tokensOf(alice, 'api')).toEqual([]);
      const again = await gql(alice, REVOKE_PROXY_TOKEN, { id: tokenId });
      expect(again.body.errors[0].extensions.code).toBe('NOT_FOUND');
      const malformed = await gql(alice, REVOKE_PROXY_TOKEN, { id: 'not-a-uuid' });
      expect(malformed.body.errors[0].extensions.code).toBe('NOT_FOUND');
    });
  });

  describe('account', () => {
    const ACCOUNT = `{
      account {
        accountId name plan status createdAt
        accessKeys { accessKeyId description status createdAt lastUsedAt revokedAt }
        apiTokens { id name prefix status createdAt lastUsedAt revokedAt }
      }
    }`;

    it("shows the caller's account and credentials, never their secrets", async () => {
      const res = await gql(alice, ACCOUNT);
      expect(res.body.errors).toBeUndefined();
      const account = res.body.data.account;
      expect(account).toMatchObject({
        accountId: alice.accountId,
        name: alice.name,
        plan: alice.plan,
        status: 'active',
        createdAt: alice.createdAt,
      });
      expect(account.accessKeys).toContainEqual(
        expect.objectContaining({ accessKeyId: alice.accessKey.accessKeyId, status: 'active' }),
      );
      expect(account.apiTokens).toContainEqual(
        expect.objectContaining({ id: alice.apiToken.id, prefix: alice.apiToken.prefix, status: 'active' }),
      );
      const text = JSON.stringify(res.body);
      expect(text).not.toContain(alice.accessKey.secretAccessKey);
      expect(text).not.toContain(alice.apiToken.token);
      expect(text).not.toContain(bob.accountId);
      expect(text).not.toContain(bob.accessKey.accessKeyId);
    });

    it('asking for a secret on the account is a document error', async () => {
      const res = await gql(alice, '{ account { apiTokens { token } accessKeys { secretAccessKey } } }');
      expect(res.status).toBe(400);
      expect(res.body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    });

    it('creates an API token that works, shown once, and revokes it', async () => {
      const created = await gql(
        alice,
        'mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { id name prefix status token } }',
        { i: { name: 'ci' } },
      );
      expect(created.body.errors).toBeUndefined();
      const token = created.body.data.createApiToken;
      expect(token).toMatchObject({ name: 'ci', status: 'active', token: expect.stringMatching(/^mpt_/) });
      expect(token.token.startsWith(token.prefix)).toBe(true);

      const asNew = await call(
        api.baseUrl,
        'POST',
        '/graphql',
        { authorization: `Bearer ${token.token}` },
        {
          query: '{ account { accountId } }',
        },
      );
      expect(asNew.body).toEqual({ data: { account: { accountId: alice.accountId } } });
      const listed = JSON.stringify((await gql(alice, ACCOUNT)).body);
      expect(listed).toContain(token.id);
      expect(listed).not.toContain(token.token);

      // Tenant B cannot revoke it by id.
      const foreign = await gql(bob, 'mutation($id: ID!) { revokeApiToken(id: $id) { id status } }', {
        id: token.id,
      });
      expect(foreign.body.errors[0].extensions.code).toBe('NOT_FOUND');

      const revoked = await gql(alice, 'mutation($id: ID!) { revokeApiToken(id: $id) { id status revokedAt } }', {
        id: token.id,
      });
      expect(revoked.body.data.revokeApiToken).toMatchObject({ id: token.id, status: 'revoked' });
      expect(revoked.body.data.revokeApiToken.revokedAt).not.toBeNull();
      const afterRevoke = await call(
        api.baseUrl,
        'POST',
        '/graphql',
        { authorization: `Bearer ${token.token}` },
        {
          query: '{ account { accountId } }',
        },
      );
      expect(afterRevoke.status).toBe(401);
      expect(afterRevoke.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    });

    it('validates a new API token name', async () => {
      const res = await gql(alice, 'mutation { createApiToken(input: { name: "" }) { id } }');
      expect(res.body.errors[0].extensions).toMatchObject({ code: 'VALIDATION' });
      expect(res.body.errors[0].message).toContain('name: must not be empty');
    });

    it('creates an access key shown once, and revokes it (not from another tenant)', async () => {
      const created = await gql(
        alice,
        'mutation { createAccessKey(input: { description: "deploys" }) { accessKeyId description status secretAccessKey } }',
      );
      expect(created.body.errors).toBeUndefined();
      const key = created.body.data.createAccessKey;
      expect(key).toMatchObject({ description: 'deploys', status: 'active' });
      expect(key.secretAccessKey.length).toBeGreaterThan(20);
      const listed = JSON.stringify((await gql(alice, ACCOUNT)).body);
      expect(listed).toContain(key.accessKeyId);
      expect(listed).not.toContain(key.secretAccessKey);

      const REVOKE = 'mutation($k: String!) { revokeAccessKey(accessKeyId: $k) { accessKeyId status } }';
      const foreign = await gql(bob, REVOKE, { k: key.accessKeyId });
      expect(foreign.body.errors[0]).toMatchObject({
        message: `Access key ${key.accessKeyId} does not exist in account ${bob.accountId}.`,
        extensions: { code: 'NOT_FOUND' },
      });
      const stillActive = await gql(alice, ACCOUNT);
      expect(stillActive.body.data.account.accessKeys).toContainEqual(
        expect.objectContaining({ accessKeyId: key.accessKeyId, status: 'active' }),
      );
      const revoked = await gql(alice, REVOKE, { k: key.accessKeyId });
      expect(revoked.body.data.revokeAccessKey).toEqual({ accessKeyId: key.accessKeyId, status: 'revoked' });
      // Without an input, a key without a description.
      const bare = await gql(alice, 'mutation { createAccessKey { accessKeyId description } }');
      expect(bare.body.data.createAccessKey.description).toBeNull();
    });
  });
});
