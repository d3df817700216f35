import {
  CreateGatewayRouteCommand,
  CreateMeshCommand,
  CreateVirtualGatewayCommand,
  CreateVirtualNodeCommand,
  DescribeMeshCommand,
  DescribeRouteCommand,
  DescribeVirtualNodeCommand,
  type AppMeshClient,
  type VirtualNodeData,
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
          name arn version status createdAt lastUpdatedAt specJson
          virtualNodes { nodes { name arn version specJson } pageInfo { hasNextPage endCursor } }
          virtualServices { nodes { name specJson } }
          virtualRouters { nodes { name routes { nodes { name virtualRouterName arn version specJson } } } }
          virtualGateways { nodes { name gatewayRoutes { nodes { name virtualGatewayName specJson } } } }
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
      specJson: described.spec,
    });
    const api_ = (await client.send(new DescribeVirtualNodeCommand({ meshName: shop, virtualNodeName: 'api' })))
      .virtualNode!;
    expect(mesh.virtualNodes.nodes.map((n: { name: string }) => n.name)).toEqual(['api', 'web']);
    expect(mesh.virtualNodes.nodes[0]).toEqual({
      name: 'api',
      arn: api_.metadata!.arn,
      version: api_.metadata!.version,
      specJson: JSON.parse(JSON.stringify(api_.spec)),
    });
    expect(mesh.virtualNodes.pageInfo).toEqual({ hasNextPage: false, endCursor: null });
    expect(mesh.virtualServices.nodes).toEqual([
      { name: `api.${shop}.local`, specJson: { provider: { virtualRouter: { virtualRouterName: 'api-router' } } } },
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
              specJson: JSON.parse(JSON.stringify(route.spec)),
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
              specJson: expect.objectContaining({ httpRoute: expect.anything() }),
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
    const byName = await gql(bob, `query($n: String!) { mesh(name: $n) { name arn specJson } }`, { n: shop });
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
    expect(res.body.errors[0].message).toMatch(/query depth \(\d+\) exceeds the query depth limit of 16/);
    expect(res.body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('refuses a shallow query whose nested pages would resolve too many fields', async () => {
    const res = await gql(
      alice,
      `{ meshes(first: 100) { nodes { virtualRouters(first: 100) { nodes { routes(first: 100) { nodes { specJson } } } } } } }`,
    );
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({
      message: expect.stringContaining('more than the limit of 10000'),
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
    // Fragments and aliases count as what they expand to.
    const aliased = await gql(
      alice,
      `fragment R on VirtualRouter { routes(first: 100) { nodes { name arn specJson } } }
       { a: meshes(first: 100) { nodes { virtualRouters(first: 100) { nodes { ...R } } } } }`,
    );
    expect(aliased.body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('answers queries over GET, and refuses mutations there', async () => {
    const auth = { authorization: `Bearer ${alice.apiToken.token}` };
    const query = encodeURIComponent(`{ meshes(namePrefix: "${prefix}", first: 1) { nodes { name } } }`);
    const res = await call(api.baseUrl, 'GET', `/graphql?query=${query}`, auth);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: { meshes: { nodes: [{ name: `${prefix}-a` }] } } });
    const mutation = encodeURIComponent('mutation { deleteMesh(input: { meshName: "x" }) { name } }');
    const refused = await call(api.baseUrl, 'GET', `/graphql?query=${mutation}`, auth);
    expect(refused.status).toBe(405);
    expect(refused.body.errors[0].extensions.code).toBe('BAD_REQUEST');
    const anonymous = await call(api.baseUrl, 'GET', `/graphql?query=${query}`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
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

  describe('mutations', () => {
    const nodeSpec = {
      listeners: [{ portMapping: { port: 8080, protocol: 'http' as const } }],
      serviceDiscovery: { dns: { hostname: 'svc.local' } },
    };
    const createNode = `mutation($input: CreateVirtualNodeInput!) {
      createVirtualNode(input: $input) { name arn version status specJson }
    }`;

    it('creates a mesh that the SDK then describes, with the defaults REST fills in', async () => {
      const meshName = `${prefix}-made`;
      const res = await gql(
        alice,
        `mutation($input: CreateMeshInput!) { createMesh(input: $input) { name arn version status specJson } }`,
        { input: { meshName, tags: [{ key: 'team', value: 'gql' }] } },
      );
      expect(res.body.errors).toBeUndefined();
      const described = (await client.send(new DescribeMeshCommand({ meshName }))).mesh!;
      expect(res.body.data.createMesh).toEqual({
        name: meshName,
        arn: described.metadata!.arn,
        version: 1,
        status: 'ACTIVE',
        specJson: JSON.parse(JSON.stringify(described.spec)),
      });
      const updated = await gql(
        alice,
        `mutation($n: String!) { updateMesh(input: { meshName: $n, spec: { egressFilter: { type: ALLOW_ALL } } }) { version specJson } }`,
        { n: meshName },
      );
      expect(updated.body.data.updateMesh).toEqual({ version: 2, specJson: { egressFilter: { type: 'ALLOW_ALL' } } });
      const after = (await client.send(new DescribeMeshCommand({ meshName }))).mesh!;
      expect(after.spec?.egressFilter?.type).toBe('ALLOW_ALL');
      // The spec is typed: a value outside App Mesh's enum is refused by GraphQL itself, before any resolver.
      const badSpec = await gql(
        alice,
        `mutation($n: String!) { updateMesh(input: { meshName: $n, spec: { egressFilter: { type: SOME } } }) { version } }`,
        { n: meshName },
      );
      expect(badSpec.status).toBe(400);
      expect(badSpec.body.errors[0]).toMatchObject({
        message: expect.stringContaining('Value "SOME" does not exist in "EgressFilterType" enum'),
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      });
      const deleted = await gql(
        alice,
        `mutation($n: String!) { deleteMesh(input: { meshName: $n }) { name status } }`,
        {
          n: meshName,
        },
      );
      expect(deleted.body.data.deleteMesh).toEqual({ name: meshName, status: 'DELETED' });
    });

    it('stores the same virtual node as the same write through the SDK', async () => {
      const viaGraphql = await gql(alice, createNode, {
        input: { meshName: shop, virtualNodeName: 'same-gql', spec: nodeSpec },
      });
      expect(viaGraphql.body.errors).toBeUndefined();
      await client.send(new CreateVirtualNodeCommand({ meshName: shop, virtualNodeName: 'same-rest', spec: nodeSpec }));
      const [gqlNode, restNode] = (await Promise.all(
        ['same-gql', 'same-rest'].map(
          async (virtualNodeName) =>
            (await client.send(new DescribeVirtualNodeCommand({ meshName: shop, virtualNodeName }))).virtualNode!,
        ),
      )) as [VirtualNodeData, VirtualNodeData];
      expect(gqlNode.spec).toEqual(restNode.spec);
      expect(viaGraphql.body.data.createVirtualNode).toEqual({
        name: 'same-gql',
        arn: gqlNode.metadata!.arn,
        version: 1,
        status: 'ACTIVE',
        specJson: JSON.parse(JSON.stringify(gqlNode.spec)),
      });
    });

    it('updates and deletes through the same service (versions, references, idempotency)', async () => {
      const input = { meshName: shop, virtualNodeName: 'edited', spec: nodeSpec, clientToken: 'tok-1' };
      const first = await gql(alice, createNode, { input });
      const retried = await gql(alice, createNode, { input });
      expect(retried.body).toEqual(first.body);
      const reused = await gql(alice, createNode, { input: { ...input, spec: { ...nodeSpec, backends: [] } } });
      expect(reused.body.errors[0].extensions.code).toBe('CONFLICT');
      const again = await gql(alice, createNode, { input: { ...input, clientToken: null } });
      expect(again.body.errors[0]).toMatchObject({ path: ['createVirtualNode'], extensions: { code: 'CONFLICT' } });

      const changed = { ...nodeSpec, serviceDiscovery: { dns: { hostname: 'other.local' } } };
      const updated = await gql(
        alice,
        `mutation($input: UpdateVirtualNodeInput!) { updateVirtualNode(input: $input) { version specJson } }`,
        { input: { meshName: shop, virtualNodeName: 'edited', spec: changed } },
      );
      expect(updated.body.data.updateVirtualNode.version).toBe(2);
      const described = (
        await client.send(new DescribeVirtualNodeCommand({ meshName: shop, virtualNodeName: 'edited' }))
      ).virtualNode!;
      expect(described.spec?.serviceDiscovery?.dns?.hostname).toBe('other.local');
      expect(described.metadata?.version).toBe(2);

      const deleteNode = `mutation($m: String!, $n: String!) { deleteVirtualNode(input: { meshName: $m, virtualNodeName: $n }) { name status } }`;
      const inUse = await gql(alice, deleteNode, { m: shop, n: 'api' });
      expect(inUse.body.errors[0]).toMatchObject({
        message: expect.stringContaining('is still referenced by'),
        extensions: { code: 'RESOURCE_IN_USE' },
      });
      const meshInUse = await gql(alice, `mutation($n: String!) { deleteMesh(input: { meshName: $n }) { name } }`, {
        n: shop,
      });
      expect(meshInUse.body.errors[0].extensions.code).toBe('RESOURCE_IN_USE');
      const deleted = await gql(alice, deleteNode, { m: shop, n: 'edited' });
      expect(deleted.body.data.deleteVirtualNode).toEqual({ name: 'edited', status: 'DELETED' });
      const gone = await gql(alice, deleteNode, { m: shop, n: 'edited' });
      expect(gone.body.errors[0].extensions.code).toBe('NOT_FOUND');
    });

    it('refuses an invalid spec with the message REST gives, naming the field', async () => {
      const spec = { ...nodeSpec, listeners: [{ portMapping: { port: 70000, protocol: 'http' } }] };
      const res = await gql(alice, createNode, { input: { meshName: shop, virtualNodeName: 'bad', spec } });
      const rest = await client
        .send(new CreateVirtualNodeCommand({ meshName: shop, virtualNodeName: 'bad', spec: spec as never }))
        .then(
          () => undefined,
          (err: Error) => err,
        );
      expect(rest?.name).toBe('BadRequestException');
      expect(res.body.data).toBeNull();
      expect(res.body.errors).toEqual([
        expect.objectContaining({
          message: rest!.message,
          path: ['createVirtualNode'],
          extensions: { code: 'VALIDATION', fields: ['spec.listeners[0].portMapping.port'] },
        }),
      ]);
      const nul = await gql(alice, createNode, { input: { meshName: shop, virtualNodeName: 'a\u0000b', spec } });
      expect(nul.body.errors[0].extensions.code).toBe('VALIDATION');
      expect(nul.body.errors[0].extensions.fields).toContain('virtualNodeName');
    });

    it('writes every kind, children under their parent, with the rules REST applies', async () => {
      const create = `mutation($input: CreateRouteInput!) {
        createRoute(input: $input) { name virtualRouterName arn version specJson }
      }`;
      const spec = {
        httpRoute: { match: { prefix: '/v2' }, action: { weightedTargets: [{ virtualNode: 'api', weight: 1 }] } },
      };
      const created = await gql(alice, create, {
        input: { meshName: shop, virtualRouterName: 'api-router', routeName: 'v2', spec },
      });
      expect(created.body.errors).toBeUndefined();
      const described = (
        await client.send(
          new DescribeRouteCommand({ meshName: shop, virtualRouterName: 'api-router', routeName: 'v2' }),
        )
      ).route!;
      expect(created.body.data.createRoute).toEqual({
        name: 'v2',
        virtualRouterName: 'api-router',
        arn: described.metadata!.arn,
        version: 1,
        specJson: JSON.parse(JSON.stringify(described.spec)),
      });
      // A reference to a node that does not exist: the service's rule, with its field path.
      const dangling = await gql(alice, create, {
        input: {
          meshName: shop,
          virtualRouterName: 'api-router',
          routeName: 'v3',
          spec: { httpRoute: { ...spec.httpRoute, action: { weightedTargets: [{ virtualNode: 'nope', weight: 1 }] } } },
        },
      });
      expect(dangling.body.errors[0]).toMatchObject({
        message: `spec.httpRoute.action.weightedTargets[0].virtualNode: VirtualNode nope does not exist in mesh ${shop}`,
        extensions: { code: 'VALIDATION', fields: ['spec.httpRoute.action.weightedTargets[0].virtualNode'] },
      });
      const orphan = await gql(alice, create, {
        input: { meshName: shop, virtualRouterName: 'no-router', routeName: 'v2', spec },
      });
      expect(orphan.body.errors[0].extensions.code).toBe('NOT_FOUND');
      const routerInUse = await gql(
        alice,
        `mutation($m: String!) { deleteVirtualRouter(input: { meshName: $m, virtualRouterName: "api-router" }) { name } }`,
        { m: shop },
      );
      expect(routerInUse.body.errors[0].extensions.code).toBe('RESOURCE_IN_USE');
      const deleted = await gql(
        alice,
        `mutation($m: String!) { deleteRoute(input: { meshName: $m, virtualRouterName: "api-router", routeName: "v2" }) { name status } }`,
        { m: shop },
      );
      expect(deleted.body.data.deleteRoute).toEqual({ name: 'v2', status: 'DELETED' });
    });

    it("cannot write into another tenant's mesh", async () => {
      const res = await gql(bob, createNode, {
        input: { meshName: shop, virtualNodeName: 'intruder', spec: nodeSpec },
      });
      expect(res.body.errors[0]).toMatchObject({
        message: `Mesh ${shop} does not exist in account ${bob.accountId}.`,
        extensions: { code: 'NOT_FOUND' },
      });
      const del = await gql(bob, `mutation($n: String!) { deleteMesh(input: { meshName: $n }) { name } }`, { n: shop });
      expect(del.body.errors[0].extensions.code).toBe('NOT_FOUND');
      const still = await client.send(new DescribeMeshCommand({ meshName: shop }));
      expect(still.mesh?.status?.status).toBe('ACTIVE');
    });
  });

  it('leaves the REST APIs answering in their own shape', async () => {
    const rest = await call(api.baseUrl, 'GET', '/v1/account', { authorization: 'Bearer mpt_nope' });
    expect(rest.status).toBe(401);
    expect(rest.headers.get('x-amzn-errortype')).toBe('UnrecognizedClientException');
    expect(rest.body).toEqual({ message: expect.any(String) });
  });
});
