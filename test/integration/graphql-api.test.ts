import {
  CreateGatewayRouteCommand,
  CreateMeshCommand,
  CreateVirtualGatewayCommand,
  DescribeMeshCommand,
  DescribeRouteCommand,
  DescribeVirtualNodeCommand,
  type AppMeshClient,
} from '@aws-sdk/client-app-mesh';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatSdl } from '../../src/graphql/schema/print-schema.js';
import { readFileSync } from 'node:fs';
import type { CreatedTenant } from '../../src/tenants/tenants.service.js';
import { createShopMesh } from '../support/mesh-fixture.js';
import { appMeshClient, createTenant, uniqueName } from '../support/tenant-builder.js';
import { call, startTestApp, type TestApp } from '../support/test-app.js';

/** The GraphQL API over real HTTP, PostgreSQL and Redis: what the App Mesh SDK created, read back. */
describe('GraphQL API (/graphql)', () => {
  let api: TestApp;
  let alice: CreatedTenant;
  let bob: CreatedTenant;
  let client: AppMeshClient;
  const prefix = uniqueName('gq');
  const shop = `${prefix}-shop`;

  const gql = (tenant: CreatedTenant | undefined, query: string, variables?: Record<string, unknown>) =>
    call(api.baseUrl, 'POST', '/graphql', tenant ? { authorization: `Bearer ${tenant.apiToken.token}` } : {}, {
      query,
      ...(variables ? { variables } : {}),
    });

  beforeAll(async () => {
    api = await startTestApp();
    [alice, bob] = await Promise.all([createTenant(api), createTenant(api)]);
    client = appMeshClient(api, alice.accessKey);
    await createShopMesh(client, { mesh: shop });
    await client.send(
      new CreateVirtualGatewayCommand({
        meshName: shop,
        virtualGatewayName: 'ingress',
        spec: { listeners: [{ portMapping: { port: 443, protocol: 'http' } }] },
      }),
    );
    await client.send(
      new CreateGatewayRouteCommand({
        meshName: shop,
        virtualGatewayName: 'ingress',
        gatewayRouteName: 'to-api',
        spec: {
          httpRoute: {
            match: { prefix: '/' },
            action: { target: { virtualService: { virtualServiceName: `api.${shop}.local` } } },
          },
        },
      }),
    );
    for (const suffix of ['a', 'b']) await client.send(new CreateMeshCommand({ meshName: `${prefix}-${suffix}` }));
  });
  afterAll(async () => {
    await api?.close();
  });

  it('serves the committed schema', async () => {
    const served = printSchema(lexicographicSortSchema(api.app.get(GraphQLSchemaHost).schema));
    expect(await formatSdl(served)).toBe(readFileSync('src/graphql/schema.gql', 'utf8'));
  });

  it('returns a mesh and everything in it as the SDK created them', async () => {
    const res = await gql(
      alice,
      `query($name: String!) {
        mesh(name: $name) {
          name arn version status createdAt lastUpdatedAt spec
          virtualNodes { nodes { name arn version spec } pageInfo { hasNextPage endCursor } }
          virtualServices { nodes { name spec } }
          virtualRouters { nodes { name routes { nodes { name virtualRouterName arn version spec } } } }
          virtualGateways { nodes { name gatewayRoutes { nodes { name virtualGatewayName spec } } } }
        }
      }`,
      { name: shop },
    );
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    const mesh = res.body.data.mesh;
    const described = (await client.send(new DescribeMeshCommand({ meshName: shop }))).mesh!;
    expect(mesh).toMatchObject({
      name: shop,
      arn: described.metadata!.arn,
      version: described.metadata!.version,
      status: 'ACTIVE',
      createdAt: described.metadata!.createdAt!.toISOString(),
      spec: described.spec,
    });
    const api_ = (await client.send(new DescribeVirtualNodeCommand({ meshName: shop, virtualNodeName: 'api' })))
      .virtualNode!;
    expect(mesh.virtualNodes.nodes.map((n: { name: string }) => n.name)).toEqual(['api', 'web']);
    expect(mesh.virtualNodes.nodes[0]).toEqual({
      name: 'api',
      arn: api_.metadata!.arn,
      version: api_.metadata!.version,
      spec: JSON.parse(JSON.stringify(api_.spec)),
    });
    expect(mesh.virtualNodes.pageInfo).toEqual({ hasNextPage: false, endCursor: null });
    expect(mesh.virtualServices.nodes).toEqual([
      { name: `api.${shop}.local`, spec: { provider: { virtualRouter: { virtualRouterName: 'api-router' } } } },
    ]);
    const route = (
      await client.send(
        new DescribeRouteCommand({ meshName: shop, virtualRouterName: 'api-router', routeName: 'main' }),
      )
    ).route!;
    expect(mesh.virtualRouters.nodes).toEqual([
      {
        name: 'api-router',
        routes: {
          nodes: [
            {
              name: 'main',
              virtualRouterName: 'api-router',
              arn: route.metadata!.arn,
              version: route.metadata!.version,
              spec: JSON.parse(JSON.stringify(route.spec)),
            },
          ],
        },
      },
    ]);
    expect(mesh.virtualGateways.nodes).toEqual([
      {
        name: 'ingress',
        gatewayRoutes: {
          nodes: [
            expect.objectContaining({
              name: 'to-api',
              virtualGatewayName: 'ingress',
              spec: expect.objectContaining({ httpRoute: expect.anything() }),
            }),
          ],
        },
      },
    ]);
  });

  it("shows a mesh's propagation as the REST status does", async () => {
    const res = await gql(
      alice,
      `query($n: String!) { mesh(name: $n) { propagation {
        generation compiledGeneration servedGeneration inSync proxies { connected inSync withNack } rejected { reason } problems { arn }
      } } }`,
      { n: shop },
    );
    expect(res.body.errors).toBeUndefined();
    const rest = await call(api.baseUrl, 'GET', `/v1/meshes/${shop}/status`, {
      authorization: `Bearer ${alice.apiToken.token}`,
    });
    expect(rest.status).toBe(200);
    const propagation = res.body.data.mesh.propagation;
    // Only the api role runs here: the changes are committed, not compiled.
    expect(propagation).toEqual({
      generation: rest.body.generation,
      compiledGeneration: rest.body.compiledGeneration,
      servedGeneration: null,
      inSync: false,
      proxies: { connected: 0, inSync: 0, withNack: 0 },
      rejected: null,
      problems: [],
    });
    expect(Number(propagation.generation)).toBeGreaterThan(0);
  });

  it('pages meshes with first/after and filters them by name prefix', async () => {
    const query = `query($first: Int, $after: String, $prefix: String) {
      meshes(first: $first, after: $after, namePrefix: $prefix) { nodes { name } pageInfo { hasNextPage endCursor } }
    }`;
    const first = await gql(alice, query, { first: 2, prefix });
    expect(first.body.data.meshes.nodes.map((m: { name: string }) => m.name)).toEqual([`${prefix}-a`, `${prefix}-b`]);
    expect(first.body.data.meshes.pageInfo.hasNextPage).toBe(true);
    const second = await gql(alice, query, { first: 2, prefix, after: first.body.data.meshes.pageInfo.endCursor });
    expect(second.body.data.meshes).toEqual({
      nodes: [{ name: shop }],
      pageInfo: { hasNextPage: false, endCursor: null },
    });
    // The prefix is literal: LIKE's wildcards match nothing but themselves.
    for (const pattern of [`${prefix.slice(0, 2)}_`, `${prefix.slice(0, 2)}%`, '%', `${prefix.slice(0, 2)}\\`]) {
      const wildcard = await gql(alice, query, { prefix: pattern });
      expect(wildcard.body.data.meshes.nodes).toEqual([]);
    }
    const forged = await gql(alice, query, { after: 'bm90LWEtdG9rZW4' });
    expect(forged.body.errors[0].extensions).toEqual({ code: 'VALIDATION', fields: ['after'] });
  });

  it("never shows one tenant another tenant's meshes, even by name", async () => {
    const list = await gql(bob, `{ meshes(namePrefix: "${prefix}") { nodes { name } } }`);
    expect(list.body).toEqual({ data: { meshes: { nodes: [] } } });
    const byName = await gql(bob, `query($n: String!) { mesh(name: $n) { name arn spec } }`, { n: shop });
    expect(byName.status).toBe(200);
    expect(byName.body.data).toEqual({ mesh: null });
    expect(byName.body.errors).toEqual([
      expect.objectContaining({
        message: `Mesh ${shop} does not exist in account ${bob.accountId}.`,
        path: ['mesh'],
        extensions: { code: 'NOT_FOUND' },
      }),
    ]);
    expect(JSON.stringify(byName.body)).not.toContain(alice.accountId);
  });

  it('refuses an unauthenticated caller before reading its document', async () => {
    const missing = await gql(undefined, '{ meshes { nodes { name } } }');
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual({
      data: null,
      errors: [{ message: expect.stringContaining('Missing credentials'), extensions: { code: 'UNAUTHENTICATED' } }],
    });
    const wrong = await call(api.baseUrl, 'POST', '/graphql', { authorization: 'Bearer mpt_not-a-token' }, 'not json');
    expect(wrong.status).toBe(401);
    expect(wrong.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    // SigV4 credentials are not API tokens: the App Mesh access key alone is no bearer token.
    const key = await call(
      api.baseUrl,
      'POST',
      '/graphql',
      { authorization: `Bearer ${alice.accessKey.accessKeyId}` },
      {
        query: '{ meshes { nodes { name } } }',
      },
    );
    expect(key.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('names the field of a validation problem', async () => {
    const big = await gql(alice, '{ meshes(first: 500) { nodes { name } } }');
    expect(big.body.errors).toEqual([
      expect.objectContaining({
        message: 'first: must be between 1 and 100; got 500',
        extensions: { code: 'VALIDATION', fields: ['first'] },
      }),
    ]);
    const empty = await gql(alice, '{ mesh(name: "") { name } }');
    expect(empty.body.errors[0].extensions).toEqual({ code: 'VALIDATION', fields: ['name'] });
    const nul = await gql(alice, 'query($n: String!) { mesh(name: $n) { name } }', { n: 'a\u0000b' });
    expect(nul.body.errors[0]).toMatchObject({
      message: 'name: must not contain the NUL character (U+0000)',
      extensions: { code: 'VALIDATION', fields: ['name'] },
    });
  });

  it('refuses documents that are not valid for the schema', async () => {
    const res = await gql(alice, '{ meshes { nodes { password } } }');
    expect(res.status).toBe(400);
    expect(res.body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('refuses a query deeper than the depth limit', async () => {
    let nested = 'name';
    for (let i = 0; i < 12; i++) nested = `ofType { ${nested} }`;
    const res = await gql(alice, `{ __schema { types { fields { type { ${nested} } } } } }`);
    expect(res.status).toBe(400);
    expect(res.body.data).toBeNull();
    expect(res.body.errors[0].message).toMatch(/query depth \(\d+\) exceeds the query depth limit of 10/);
    expect(res.body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('refuses a shallow query whose nested pages would resolve too many fields', async () => {
    const res = await gql(
      alice,
      `{ meshes(first: 100) { nodes { virtualRouters(first: 100) { nodes { routes(first: 100) { nodes { spec } } } } } } }`,
    );
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({
      message: expect.stringContaining('more than the limit of 10000'),
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
    // Fragments and aliases count as what they expand to.
    const aliased = await gql(
      alice,
      `fragment R on VirtualRouter { routes(first: 100) { nodes { name arn spec } } }
       { a: meshes(first: 100) { nodes { virtualRouters(first: 100) { nodes { ...R } } } } }`,
    );
    expect(aliased.body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('decodes the body as strictly as the REST APIs do, after authentication', async () => {
    const auth = { authorization: `Bearer ${alice.apiToken.token}` };
    const text = await call(
      api.baseUrl,
      'POST',
      '/graphql',
      { ...auth, 'content-type': 'text/plain' },
      '{"query":"{ meshes { nodes { name } } }"}',
    );
    expect(text.status).toBe(415);
    expect(text.body.errors[0].extensions.code).toBe('BAD_REQUEST');
    const graphqlType = await call(
      api.baseUrl,
      'POST',
      '/graphql',
      { ...auth, 'content-type': 'application/graphql' },
      '{ meshes { nodes { name } } }',
    );
    expect(graphqlType.status).toBe(415);
    const duplicate = await call(
      api.baseUrl,
      'POST',
      '/graphql',
      auth,
      '{"query":"{ meshes { nodes { name } } }","query":"{ __typename }"}',
    );
    expect(duplicate.status).toBe(400);
    expect(duplicate.body.errors[0].message).toBe("body: member 'query' appears more than once in one object.");
  });

  it('leaves the REST APIs answering in their own shape', async () => {
    const rest = await call(api.baseUrl, 'GET', '/v1/account', { authorization: 'Bearer mpt_nope' });
    expect(rest.status).toBe(401);
    expect(rest.headers.get('x-amzn-errortype')).toBe('UnrecognizedClientException');
    expect(rest.body).toEqual({ message: expect.any(String) });
  });
});
