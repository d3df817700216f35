import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TenantsService, type CreatedTenant } from '../../src/tenants/tenants.service.js';
import { createBigMesh } from '../support/big-mesh-builder.js';
import { createShopMesh } from '../support/mesh-fixture.js';
import { countSqlStatements } from '../support/sql-statement-counter.js';
import { appMeshClient, createTenant } from '../support/tenant-builder.js';
import { call, startTestApp, type TestApp } from '../support/test-app.js';

type Json = Record<string, any>;

const TOPOLOGY = `query($m: String!) { mesh(name: $m) { topology {
  nodes { id kind name arn proxies }
  edges { from to kind weight }
} } }`;

/** Every nested connection, several levels deep, and the proxies of each virtual node and gateway. */
const NESTED = `query($m: String!) {
  meshes(first: 10) { nodes { name virtualNodes(first: 5) { nodes { name } } } }
  mesh(name: $m) {
    proxies { name }
    virtualNodes(first: 100) { nodes { name specJson tags { key } spec { listeners { portMapping { port protocol } } } proxies { name } proxyTokens { id } } }
    filtered: virtualNodes(first: 100, namePrefix: "node-1", tag: { key: "none" }) { nodes { name } }
    virtualServices(first: 100) { nodes { name specJson } }
    virtualRouters(first: 50) { nodes { name specJson routes(first: 20) { nodes { name specJson } } } }
    virtualGateways(first: 10) { nodes { name proxies { name } gatewayRoutes(first: 100) { nodes { name specJson } } } }
  }
}`;

/**
 * No N+1 (issue 13): the topology and deeply nested queries issue the same number of SQL
 * statements for a mesh of 50 virtual nodes and one of 500, counted at the PostgreSQL driver.
 */
describe('GraphQL batching and topology', () => {
  let app: TestApp;
  let alice: CreatedTenant;
  let bob: CreatedTenant;
  const issued: { node: string[]; gateway: string[] } = { node: [], gateway: [] };

  const gql = async (tenant: CreatedTenant, query: string, variables: Json): Promise<Json> => {
    const res = await call(
      app.baseUrl,
      'POST',
      '/graphql',
      { authorization: `Bearer ${tenant.apiToken.token}` },
      { query, variables },
    );
    return res.body as Json;
  };
  const counted = async (tenant: CreatedTenant, query: string, variables: Json) => {
    let body: Json = {};
    const { count, texts } = await countSqlStatements(async () => {
      body = await gql(tenant, query, variables);
    });
    return { body, count, texts };
  };

  beforeAll(async () => {
    // The api role alone: no worker or shard sends statements in the background while counting.
    app = await startTestApp(['api']);
    [alice, bob] = await Promise.all([createTenant(app), createTenant(app)]);
    const tenants = app.app.get(TenantsService);
    const aliceScope = await tenants.scopeOf(alice.accountId);
    const aliceClient = appMeshClient(app, alice.accessKey);
    await createBigMesh(app, aliceClient, aliceScope, 'small', 50);
    await createBigMesh(app, aliceClient, aliceScope, 'big', 500);
    await createShopMesh(aliceClient);
    // Bob has a mesh named like one of Alice's, with other resources: names are per tenant.
    await createShopMesh(appMeshClient(app, bob.accessKey), { mesh: 'big' });
    // Proxy tokens: two for small's node-1, one for its gateway.
    for (let i = 0; i < 2; i++) {
      const res = await gql(
        alice,
        `mutation($m: String!) { issueVirtualNodeBootstrap(input: { meshName: $m, virtualNodeName: "node-1" }) { tokenId } }`,
        { m: 'small' },
      );
      issued.node.push(res.data.issueVirtualNodeBootstrap.tokenId);
    }
    const gw = await gql(
      alice,
      `mutation($m: String!) { issueVirtualGatewayBootstrap(input: { meshName: $m, virtualGatewayName: "gw" }) { tokenId } }`,
      { m: 'small' },
    );
    issued.gateway.push(gw.data.issueVirtualGatewayBootstrap.tokenId);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  it('draws a mesh: gateways → gateway routes → services → routers → routes (weights) → nodes → backends', async () => {
    const body = await gql(alice, TOPOLOGY, { m: 'shop' });
    expect(body.errors).toBeUndefined();
    const { nodes, edges } = body.data.mesh.topology;
    const ids = nodes.map((n: Json) => n.id).sort();
    expect(ids).toEqual(
      [
        'route/api-router/main',
        'virtualNode/api',
        'virtualNode/web',
        'virtualRouter/api-router',
        'virtualService/api.shop.local',
      ].sort(),
    );
    const web = nodes.find((n: Json) => n.id === 'virtualNode/web');
    expect(web).toMatchObject({ kind: 'VIRTUAL_NODE', name: 'web', proxies: 0 });
    expect(web.arn).toBe(`arn:aws:appmesh:${app.config.region}:${alice.accountId}:mesh/shop/virtualNode/web`);
    expect(nodes.find((n: Json) => n.kind === 'ROUTE')).toMatchObject({ name: 'main', proxies: null });
    expect(edges).toEqual(
      expect.arrayContaining([
        { from: 'virtualService/api.shop.local', to: 'virtualRouter/api-router', kind: 'PROVIDER', weight: null },
        { from: 'virtualRouter/api-router', to: 'route/api-router/main', kind: 'ROUTE', weight: null },
        { from: 'route/api-router/main', to: 'virtualNode/api', kind: 'WEIGHTED_TARGET', weight: 1 },
        { from: 'virtualNode/web', to: 'virtualService/api.shop.local', kind: 'BACKEND', weight: null },
      ]),
    );
    expect(edges).toHaveLength(4);
  });

  it('draws gateways and weights of a big mesh', async () => {
    const body = await gql(alice, TOPOLOGY, { m: 'small' });
    expect(body.errors).toBeUndefined();
    const { nodes, edges } = body.data.mesh.topology;
    // 50 nodes, 50 services, 5 routers, 10 routes, 1 gateway, 5 gateway routes.
    expect(nodes).toHaveLength(121);
    expect(nodes[0]).toMatchObject({ id: 'virtualGateway/gw', kind: 'VIRTUAL_GATEWAY', proxies: 0 });
    expect(edges).toEqual(
      expect.arrayContaining([
        { from: 'virtualGateway/gw', to: 'gatewayRoute/gw/gr-1', kind: 'GATEWAY_ROUTE', weight: null },
        { from: 'gatewayRoute/gw/gr-1', to: 'virtualService/svc-10', kind: 'TARGET', weight: null },
        { from: 'virtualService/svc-10', to: 'virtualRouter/router-1', kind: 'PROVIDER', weight: null },
        { from: 'route/router-1/a', to: 'virtualNode/node-10', kind: 'WEIGHTED_TARGET', weight: 80 },
        { from: 'route/router-1/a', to: 'virtualNode/node-11', kind: 'WEIGHTED_TARGET', weight: 20 },
        { from: 'virtualService/svc-11', to: 'virtualNode/node-11', kind: 'PROVIDER', weight: null },
        { from: 'virtualNode/node-49', to: 'virtualService/svc-0', kind: 'BACKEND', weight: null },
      ]),
    );
    // 5 + 5 gateway edges, 50 providers, 10 router→route, 15 weighted targets, 50 backends.
    expect(edges).toHaveLength(135);
  });

  it('issues the same number of SQL statements for the topology of 50 and of 500 virtual nodes', async () => {
    const small = await counted(alice, TOPOLOGY, { m: 'small' });
    const big = await counted(alice, TOPOLOGY, { m: 'big' });
    expect(small.body.errors).toBeUndefined();
    expect(big.body.errors).toBeUndefined();
    expect(big.body.data.mesh.topology.nodes).toHaveLength(1201);
    expect(big.count).toBe(small.count);
    // Auth, the mesh, one consistent read of everything in it, the proxies' mesh lookup.
    expect(big.count, big.texts.join('\n')).toBeLessThanOrEqual(12);
  });

  it('issues the same number of SQL statements for nested connections of 50 and of 500 virtual nodes', async () => {
    const small = await counted(alice, NESTED, { m: 'small' });
    const big = await counted(alice, NESTED, { m: 'big' });
    expect(small.body.errors).toBeUndefined();
    expect(big.body.errors).toBeUndefined();
    expect(small.body.data.mesh.virtualNodes.nodes).toHaveLength(50);
    expect(big.body.data.mesh.virtualNodes.nodes).toHaveLength(100);
    expect(big.body.data.mesh.virtualRouters.nodes).toHaveLength(50);
    expect(big.body.data.mesh.virtualRouters.nodes[3].routes.nodes.map((r: Json) => r.name)).toEqual(['a', 'b']);
    expect(big.body.data.mesh.virtualGateways.nodes[0].gatewayRoutes.nodes).toHaveLength(50);
    const meshes = big.body.data.meshes.nodes.map((m: Json) => [m.name, m.virtualNodes.nodes.length]);
    expect(meshes).toEqual([
      ['big', 5],
      ['shop', 2],
      ['small', 5],
    ]);
    expect(big.count).toBe(small.count);
    expect(big.count, big.texts.join('\n')).toBeLessThanOrEqual(22);
  });

  it('issues the same number of SQL statements for the propagation, proxies and proxy tokens of 1 mesh and of a page of 3', async () => {
    const page = (first: number) => `{ meshes(first: ${first}) { nodes { name
      propagation { generation inSync proxies { connected } }
      proxies { name }
      virtualNodes(first: 100) { nodes { name proxies { name } proxyTokens { id name } } }
      virtualGateways { nodes { name proxyTokens { id } } }
    } } }`;
    const one = await counted(alice, page(1), {});
    const three = await counted(alice, page(3), {});
    expect(one.body.errors).toBeUndefined();
    expect(three.body.errors).toBeUndefined();
    expect(three.body.data.meshes.nodes.map((m: Json) => m.name)).toEqual(['big', 'shop', 'small']);
    expect(three.count, three.texts.join('\n')).toBe(one.count);
    // The tokens issued for small's node-1 and gateway, and nobody else's.
    const small = three.body.data.meshes.nodes[2];
    const node1 = small.virtualNodes.nodes.find((n: Json) => n.name === 'node-1');
    expect(node1.proxyTokens.map((t: Json) => t.id)).toEqual(issued.node);
    expect(small.virtualNodes.nodes.filter((n: Json) => n.proxyTokens.length > 0)).toHaveLength(1);
    expect(small.virtualGateways.nodes[0].proxyTokens.map((t: Json) => t.id)).toEqual(issued.gateway);
    expect(three.body.data.meshes.nodes[0].virtualGateways.nodes[0].proxyTokens).toEqual([]);
    expect(small.propagation.generation).toMatch(/^\d+$/);
  });

  it("keeps pages of nested connections apart: a cursor of one router's routes", async () => {
    const q = `query($m: String!) { mesh(name: $m) { virtualRouters(first: 2) { nodes { name routes(first: 1) {
      nodes { name } pageInfo { hasNextPage endCursor } } } } } }`;
    const body = await gql(alice, q, { m: 'small' });
    const [r0, r1] = body.data.mesh.virtualRouters.nodes;
    expect(r0.routes.nodes).toEqual([{ name: 'a' }]);
    expect(r0.routes.pageInfo.hasNextPage).toBe(true);
    const next = (routers: number) => `query($m: String!, $after: String!) { mesh(name: $m) {
      virtualRouters(first: ${routers}) { nodes { name routes(first: 1, after: $after) { nodes { name } pageInfo { hasNextPage } } } } } }`;
    const after = r0.routes.pageInfo.endCursor;
    // The first router's cursor reads its second page...
    const page2 = await gql(alice, next(1), { m: 'small', after });
    expect(page2.errors).toBeUndefined();
    expect(page2.data.mesh.virtualRouters.nodes[0].routes).toEqual({
      nodes: [{ name: 'b' }],
      pageInfo: { hasNextPage: false },
    });
    // ...and is refused on the other router, in the same batch.
    expect(r1.name).toBe('router-1');
    const mixed = await gql(alice, next(2), { m: 'small', after });
    expect(mixed.errors).toHaveLength(1);
    expect(mixed.errors[0].extensions).toEqual({ code: 'VALIDATION', fields: ['after'] });
    // A list index is an integer, as the GraphQL spec wants (not the string Mercurius' response schema makes it).
    expect(mixed.errors[0].path).toEqual(['mesh', 'virtualRouters', 'nodes', 1, 'routes']);
  });

  it("never shows tenant B tenant A's resources in a topology of a mesh named like A's", async () => {
    const body = await gql(bob, TOPOLOGY, { m: 'big' });
    expect(body.errors).toBeUndefined();
    const { nodes } = body.data.mesh.topology;
    expect(nodes.map((n: Json) => n.id).sort()).toEqual(
      [
        'route/api-router/main',
        'virtualNode/api',
        'virtualNode/web',
        'virtualRouter/api-router',
        'virtualService/api.big.local',
      ].sort(),
    );
    for (const n of nodes) expect(n.arn).toContain(`:${bob.accountId}:mesh/big/`);
    expect(JSON.stringify(body)).not.toContain(alice.accountId);
    // A mesh only Alice has is absent for Bob, the same as one nobody has.
    const absent = await gql(bob, TOPOLOGY, { m: 'small' });
    expect(absent.data?.mesh ?? null).toBeNull();
    expect(absent.errors[0].extensions.code).toBe('NOT_FOUND');
    expect(JSON.stringify(absent)).not.toContain(alice.accountId);
  });

  /** One lookup of each kind, by its names, as `mesh(name)` looks up a mesh. */
  const LOOKUPS = `query($m: String!) {
    virtualNode(meshName: $m, name: "node-1") { name arn specJson }
    virtualService(meshName: $m, name: "svc-10") { name specJson }
    virtualRouter(meshName: $m, name: "router-1") { name routes(first: 5) { nodes { name } } }
    route(meshName: $m, virtualRouterName: "router-1", name: "b") { name virtualRouterName specJson }
    virtualGateway(meshName: $m, name: "gw") { name }
    gatewayRoute(meshName: $m, virtualGatewayName: "gw", name: "gr-2") { name virtualGatewayName specJson }
  }`;
  /** `count` lookups of virtual nodes in one request, as aliases. */
  const manyNodes = (count: number) =>
    `query($m: String!) { ${Array.from({ length: count }, (_, i) => `n${i}: virtualNode(meshName: $m, name: "node-${i}") { name spec { listeners { portMapping { port } } } }`).join('\n')} }`;

  it('looks up one resource of each kind by its names', async () => {
    const body = await gql(alice, LOOKUPS, { m: 'small' });
    expect(body.errors).toBeUndefined();
    const { virtualNode, virtualService, virtualRouter, route, virtualGateway, gatewayRoute } = body.data;
    expect(virtualNode.name).toBe('node-1');
    expect(virtualNode.arn).toBe(
      `arn:aws:appmesh:${app.config.region}:${alice.accountId}:mesh/small/virtualNode/node-1`,
    );
    expect(virtualNode.specJson.backends).toEqual([{ virtualService: { virtualServiceName: 'svc-2' } }]);
    expect(virtualService.specJson.provider).toEqual({ virtualRouter: { virtualRouterName: 'router-1' } });
    expect(virtualRouter.routes.nodes.map((r: Json) => r.name)).toEqual(['a', 'b']);
    expect(route).toMatchObject({ name: 'b', virtualRouterName: 'router-1' });
    expect(virtualGateway).toEqual({ name: 'gw' });
    expect(gatewayRoute).toMatchObject({ name: 'gr-2', virtualGatewayName: 'gw' });
    expect(gatewayRoute.specJson.httpRoute.action.target.virtualService.virtualServiceName).toBe('svc-20');
  });

  it('batches the lookups of a request: 2 and 40 virtual nodes cost the same SQL statements', async () => {
    const two = await counted(alice, manyNodes(2), { m: 'big' });
    const forty = await counted(alice, manyNodes(40), { m: 'big' });
    expect(two.body.errors).toBeUndefined();
    expect(forty.body.errors).toBeUndefined();
    expect(forty.body.data.n39).toEqual({ name: 'node-39', spec: { listeners: [{ portMapping: { port: 8080 } }] } });
    expect(forty.count, forty.texts.join('\n')).toBe(two.count);
    // Auth, the meshes, the resources.
    expect(forty.count, forty.texts.join('\n')).toBeLessThanOrEqual(8);
  });

  it('answers a missing resource, parent or mesh with NOT_FOUND, each lookup on its own', async () => {
    const body = await gql(
      alice,
      `query($m: String!) {
        found: virtualNode(meshName: $m, name: "node-3") { name }
        missing: virtualNode(meshName: $m, name: "node-999") { name }
        noRouter: route(meshName: $m, virtualRouterName: "router-99", name: "a") { name }
        noRoute: route(meshName: $m, virtualRouterName: "router-1", name: "zzz") { name }
        noMesh: virtualService(meshName: "nowhere", name: "svc-1") { name }
      }`,
      { m: 'small' },
    );
    expect(body.data).toEqual({
      found: { name: 'node-3' },
      missing: null,
      noRouter: null,
      noRoute: null,
      noMesh: null,
    });
    const byPath = Object.fromEntries(body.errors.map((e: Json) => [e.path[0], e]));
    for (const e of Object.values(byPath) as Json[]) expect(e.extensions).toEqual({ code: 'NOT_FOUND' });
    expect(byPath.missing.message).toBe('VirtualNode node-999 does not exist in mesh small.');
    expect(byPath.noRouter.message).toBe('VirtualRouter router-99 does not exist in mesh small.');
    expect(byPath.noRoute.message).toBe('Route zzz of virtualRouter router-1 does not exist in mesh small.');
    expect(byPath.noMesh.message).toBe(`Mesh nowhere does not exist in account ${alice.accountId}.`);

    const bad = await gql(alice, `{ virtualNode(meshName: "", name: "node-1") { name } }`, {});
    expect(bad.errors[0].extensions).toEqual({ code: 'VALIDATION', fields: ['meshName'] });
  });

  it("never finds tenant A's resources for tenant B, even in a mesh B has of the same name", async () => {
    // Alice's mesh small: absent for Bob, as if nobody had it.
    const theirs = await gql(bob, LOOKUPS, { m: 'small' });
    expect(Object.values(theirs.data)).toEqual([null, null, null, null, null, null]);
    for (const e of theirs.errors) expect(e.extensions.code).toBe('NOT_FOUND');
    expect(JSON.stringify(theirs)).not.toContain(alice.accountId);
    // Bob's own mesh big (the shop fixture) has web, not Alice's node-1; batched in one request.
    const mixed = await gql(
      bob,
      `{ web: virtualNode(meshName: "big", name: "web") { arn } node1: virtualNode(meshName: "big", name: "node-1") { arn } }`,
      {},
    );
    expect(mixed.data.web.arn).toBe(`arn:aws:appmesh:${app.config.region}:${bob.accountId}:mesh/big/virtualNode/web`);
    expect(mixed.data.node1).toBeNull();
    expect(mixed.errors.map((e: Json) => e.extensions.code)).toEqual(['NOT_FOUND']);
  });
});
