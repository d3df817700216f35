import {
  AppMeshClient,
  CreateGatewayRouteCommand,
  CreateMeshCommand,
  CreateRouteCommand,
  CreateVirtualGatewayCommand,
  CreateVirtualNodeCommand,
  CreateVirtualRouterCommand,
  CreateVirtualServiceCommand,
  DeleteGatewayRouteCommand,
  DeleteMeshCommand,
  DeleteRouteCommand,
  DeleteVirtualGatewayCommand,
  DeleteVirtualNodeCommand,
  DeleteVirtualRouterCommand,
  DeleteVirtualServiceCommand,
  DescribeGatewayRouteCommand,
  DescribeMeshCommand,
  DescribeRouteCommand,
  DescribeVirtualGatewayCommand,
  DescribeVirtualNodeCommand,
  DescribeVirtualRouterCommand,
  DescribeVirtualServiceCommand,
  ListGatewayRoutesCommand,
  ListMeshesCommand,
  ListRoutesCommand,
  ListTagsForResourceCommand,
  ListVirtualGatewaysCommand,
  ListVirtualNodesCommand,
  ListVirtualRoutersCommand,
  ListVirtualServicesCommand,
  TagResourceCommand,
  UpdateGatewayRouteCommand,
  UpdateMeshCommand,
  UpdateRouteCommand,
  UpdateVirtualGatewayCommand,
  UpdateVirtualNodeCommand,
  UpdateVirtualRouterCommand,
  UpdateVirtualServiceCommand,
  type GatewayRouteSpec,
  type RouteSpec,
  type VirtualGatewaySpec,
  type VirtualNodeSpec,
  type VirtualRouterSpec,
  type VirtualServiceSpec,
} from '@aws-sdk/client-app-mesh';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedTenant } from '../../src/tenants/tenants.service.js';
import { errorOf } from '../support/sdk-errors.js';
import { jsonContentType, signedAppMeshRequest, type SignedAnswer } from '../support/signed-http.js';
import { appMeshClient, createTenant } from '../support/tenant-builder.js';
import { call, startTestApp, type TestApp } from '../support/test-app.js';

const NUL = 'must not contain the NUL character (U+0000)';
const LONE = 'must not contain an unpaired UTF-16 surrogate (U+D800)';
const SLASH = 'must not contain "/" (it separates the parts of an ARN and of a proxy\'s node id)';

const nodeSpec: VirtualNodeSpec = {
  listeners: [{ portMapping: { port: 8080, protocol: 'http' } }],
  serviceDiscovery: { dns: { hostname: 'svc.local' } },
};
const routerSpec: VirtualRouterSpec = { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }] };
const gatewaySpec: VirtualGatewaySpec = { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }] };
const routeSpec = (node: string): RouteSpec => ({
  httpRoute: { match: { prefix: '/' }, action: { weightedTargets: [{ virtualNode: node, weight: 1 }] } },
});
const serviceSpec = (router: string): VirtualServiceSpec => ({
  provider: { virtualRouter: { virtualRouterName: router } },
});
const gatewayRouteSpec = (service: string): GatewayRouteSpec => ({
  httpRoute: { match: { prefix: '/' }, action: { target: { virtualService: { virtualServiceName: service } } } },
});

/** The App Mesh error shape: the type header, and a JSON body with a string message. */
function expectBadRequest(answer: SignedAnswer, message: string): void {
  expect({ status: answer.status, type: answer.headers.get('x-amzn-errortype'), body: answer.body }).toEqual({
    status: 400,
    type: 'BadRequestException',
    body: { message },
  });
}

describe('App Mesh input at the limits (real AWS SDK and raw signed HTTP)', () => {
  let api: TestApp;
  let tenant: CreatedTenant;
  let other: CreatedTenant;
  let sdk: AppMeshClient;
  const raw = (request: Parameters<typeof signedAppMeshRequest>[2]) =>
    signedAppMeshRequest(api, tenant.accessKey, { ...request, headers: jsonContentType(request.body) });

  beforeAll(async () => {
    api = await startTestApp();
    tenant = await createTenant(api);
    other = await createTenant(api);
    sdk = appMeshClient(api, tenant.accessKey);
  });
  afterAll(async () => {
    await api?.close();
  });

  // 1 and 255 characters; 255 two-byte characters; 255 characters outside the BMP (510 UTF-16
  // units once decoded, 3,060 bytes percent-encoded in a path).
  it.each([
    ['1 character', 'a'],
    ['255 ASCII characters', 'n'.repeat(255)],
    ['255 two-byte characters', 'é'.repeat(255)],
    ['255 astral characters', '\u{1F600}'.repeat(255)],
  ])('round-trips a name of %s through every operation of every kind', async (_label, name) => {
    const m = { meshName: name };
    const vr = { ...m, virtualRouterName: name };
    const vg = { ...m, virtualGatewayName: name };
    const arns: string[] = [];
    arns.push((await sdk.send(new CreateMeshCommand(m))).mesh!.metadata!.arn!);
    arns.push(
      (await sdk.send(new CreateVirtualNodeCommand({ ...m, virtualNodeName: name, spec: nodeSpec }))).virtualNode!
        .metadata!.arn!,
    );
    arns.push(
      (await sdk.send(new CreateVirtualRouterCommand({ ...vr, spec: routerSpec }))).virtualRouter!.metadata!.arn!,
    );
    arns.push(
      (await sdk.send(new CreateRouteCommand({ ...vr, routeName: name, spec: routeSpec(name) }))).route!.metadata!.arn!,
    );
    arns.push(
      (await sdk.send(new CreateVirtualServiceCommand({ ...m, virtualServiceName: name, spec: serviceSpec(name) })))
        .virtualService!.metadata!.arn!,
    );
    arns.push(
      (await sdk.send(new CreateVirtualGatewayCommand({ ...vg, spec: gatewaySpec }))).virtualGateway!.metadata!.arn!,
    );
    arns.push(
      (await sdk.send(new CreateGatewayRouteCommand({ ...vg, gatewayRouteName: name, spec: gatewayRouteSpec(name) })))
        .gatewayRoute!.metadata!.arn!,
    );
    expect(new Set(arns).size).toBe(7);

    expect((await sdk.send(new DescribeMeshCommand(m))).mesh!.meshName).toBe(name);
    expect(
      (await sdk.send(new DescribeVirtualNodeCommand({ ...m, virtualNodeName: name }))).virtualNode!.virtualNodeName,
    ).toBe(name);
    expect((await sdk.send(new DescribeVirtualRouterCommand(vr))).virtualRouter!.virtualRouterName).toBe(name);
    expect((await sdk.send(new DescribeRouteCommand({ ...vr, routeName: name }))).route!.routeName).toBe(name);
    expect(
      (await sdk.send(new DescribeVirtualServiceCommand({ ...m, virtualServiceName: name }))).virtualService!
        .virtualServiceName,
    ).toBe(name);
    expect((await sdk.send(new DescribeVirtualGatewayCommand(vg))).virtualGateway!.virtualGatewayName).toBe(name);
    expect(
      (await sdk.send(new DescribeGatewayRouteCommand({ ...vg, gatewayRouteName: name }))).gatewayRoute!
        .gatewayRouteName,
    ).toBe(name);

    expect(
      (await sdk.send(new UpdateMeshCommand({ ...m, spec: { egressFilter: { type: 'ALLOW_ALL' } } }))).mesh!.metadata!
        .version,
    ).toBe(2);
    await sdk.send(new UpdateVirtualNodeCommand({ ...m, virtualNodeName: name, spec: nodeSpec }));
    await sdk.send(new UpdateVirtualRouterCommand({ ...vr, spec: routerSpec }));
    await sdk.send(new UpdateRouteCommand({ ...vr, routeName: name, spec: routeSpec(name) }));
    await sdk.send(new UpdateVirtualServiceCommand({ ...m, virtualServiceName: name, spec: serviceSpec(name) }));
    await sdk.send(new UpdateVirtualGatewayCommand({ ...vg, spec: gatewaySpec }));
    await sdk.send(new UpdateGatewayRouteCommand({ ...vg, gatewayRouteName: name, spec: gatewayRouteSpec(name) }));

    expect((await sdk.send(new ListMeshesCommand({}))).meshes!.map((x) => x.meshName)).toContain(name);
    expect((await sdk.send(new ListVirtualNodesCommand(m))).virtualNodes!.map((x) => x.virtualNodeName)).toEqual([
      name,
    ]);
    expect((await sdk.send(new ListVirtualRoutersCommand(m))).virtualRouters!.map((x) => x.virtualRouterName)).toEqual([
      name,
    ]);
    expect((await sdk.send(new ListRoutesCommand(vr))).routes!.map((x) => x.routeName)).toEqual([name]);
    expect(
      (await sdk.send(new ListVirtualServicesCommand(m))).virtualServices!.map((x) => x.virtualServiceName),
    ).toEqual([name]);
    expect(
      (await sdk.send(new ListVirtualGatewaysCommand(m))).virtualGateways!.map((x) => x.virtualGatewayName),
    ).toEqual([name]);
    expect((await sdk.send(new ListGatewayRoutesCommand(vg))).gatewayRoutes!.map((x) => x.gatewayRouteName)).toEqual([
      name,
    ]);

    for (const [i, resourceArn] of arns.entries()) {
      await sdk.send(new TagResourceCommand({ resourceArn, tags: [{ key: 'n', value: String(i) }] }));
      expect((await sdk.send(new ListTagsForResourceCommand({ resourceArn }))).tags).toEqual([
        { key: 'n', value: String(i) },
      ]);
    }
    // Another tenant can neither see nor tag these resources by name or by ARN.
    const stranger = appMeshClient(api, other.accessKey);
    expect((await errorOf(stranger.send(new DescribeMeshCommand(m)))).name).toBe('NotFoundException');
    expect(
      (
        await errorOf(
          stranger.send(new TagResourceCommand({ resourceArn: arns[1]!, tags: [{ key: 'x', value: 'y' }] })),
        )
      ).name,
    ).toBe('NotFoundException');
    expect((await sdk.send(new ListTagsForResourceCommand({ resourceArn: arns[1]! }))).tags).toEqual([
      { key: 'n', value: '1' },
    ]);

    await sdk.send(new DeleteGatewayRouteCommand({ ...vg, gatewayRouteName: name }));
    await sdk.send(new DeleteVirtualGatewayCommand(vg));
    await sdk.send(new DeleteVirtualServiceCommand({ ...m, virtualServiceName: name }));
    await sdk.send(new DeleteRouteCommand({ ...vr, routeName: name }));
    await sdk.send(new DeleteVirtualRouterCommand(vr));
    await sdk.send(new DeleteVirtualNodeCommand({ ...m, virtualNodeName: name }));
    expect((await sdk.send(new DeleteMeshCommand(m))).mesh!.status!.status).toBe('DELETED');
  });

  it('refuses a name of 256 characters with the field and its limit, in a body and in a path', async () => {
    const tooLong = 'n'.repeat(256);
    const rule = 'must be between 1 and 255 characters long';
    expect(await errorOf(sdk.send(new CreateMeshCommand({ meshName: tooLong })))).toEqual({
      name: 'BadRequestException',
      message: `meshName: ${rule}`,
      status: 400,
    });
    expect(await errorOf(sdk.send(new DescribeMeshCommand({ meshName: tooLong })))).toMatchObject({
      name: 'BadRequestException',
      message: `meshName: ${rule}`,
    });
    expect(
      await errorOf(
        sdk.send(new DescribeVirtualNodeCommand({ meshName: 'm', virtualNodeName: '\u{1F600}'.repeat(256) })),
      ),
    ).toMatchObject({ name: 'BadRequestException', message: `virtualNodeName: ${rule}` });
    expect(
      await errorOf(
        sdk.send(new CreateVirtualServiceCommand({ meshName: 'm', virtualServiceName: tooLong, spec: {} })),
      ),
    ).toMatchObject({ name: 'BadRequestException', message: `virtualServiceName: ${rule}` });
  });

  it('keeps client tokens to what it stores, and reads query parameters named like Object members', async () => {
    expect(await errorOf(sdk.send(new CreateMeshCommand({ meshName: 'tok', clientToken: 't'.repeat(65) })))).toEqual({
      name: 'BadRequestException',
      message: 'clientToken: must be between 1 and 64 characters long',
      status: 400,
    });
    const token = '\u{1F600}'.repeat(64);
    const first = await sdk.send(new CreateMeshCommand({ meshName: 'tok', clientToken: token }));
    const again = await sdk.send(new CreateMeshCommand({ meshName: 'tok', clientToken: token }));
    expect(again.mesh!.metadata!.uid).toBe(first.mesh!.metadata!.uid);
    await sdk.send(new DeleteMeshCommand({ meshName: 'tok' }));
    // Unknown query parameters are ignored, whatever their name (and still signed over).
    const listed = await raw({
      method: 'GET',
      path: '/v20190125/meshes',
      query: { constructor: '1', toString: 'x' },
    });
    expect(listed.status).toBe(200);
  });

  it('refuses names that would make two resources share an ARN or a node id', async () => {
    await sdk.send(new CreateMeshCommand({ meshName: 'x' }));
    await sdk.send(new CreateVirtualNodeCommand({ meshName: 'x', virtualNodeName: 'y', spec: nodeSpec }));
    expect(await errorOf(sdk.send(new CreateMeshCommand({ meshName: 'x/virtualNode/y' })))).toMatchObject({
      name: 'BadRequestException',
      message: `meshName: ${SLASH}`,
    });
    expect(
      await errorOf(sdk.send(new CreateVirtualNodeCommand({ meshName: 'x', virtualNodeName: 'a/b', spec: nodeSpec }))),
    ).toMatchObject({ name: 'BadRequestException', message: `virtualNodeName: ${SLASH}` });
    expect(
      await errorOf(
        sdk.send(
          new CreateRouteCommand({ meshName: 'x', virtualRouterName: 'r', routeName: 'route/z', spec: routeSpec('y') }),
        ),
      ),
    ).toMatchObject({ name: 'BadRequestException', message: `routeName: ${SLASH}` });
    // A lookup of such a name finds nothing, and says so in App Mesh's terms.
    expect((await errorOf(sdk.send(new DescribeMeshCommand({ meshName: 'x/virtualNode/y' })))).name).toBe(
      'NotFoundException',
    );
    await sdk.send(new DeleteVirtualNodeCommand({ meshName: 'x', virtualNodeName: 'y' }));
    await sdk.send(new DeleteMeshCommand({ meshName: 'x' }));
  });

  it('refuses a virtual service whose name is an existing one in other letter case (one host to DNS and Envoy)', async () => {
    const m = { meshName: 'hosts' };
    await sdk.send(new CreateMeshCommand(m));
    await sdk.send(new CreateVirtualNodeCommand({ ...m, virtualNodeName: 'n', spec: nodeSpec }));
    const provider: VirtualServiceSpec = { provider: { virtualNode: { virtualNodeName: 'n' } } };
    await sdk.send(new CreateVirtualServiceCommand({ ...m, virtualServiceName: 'Web.local', spec: provider }));
    const existing = 'VirtualService Web.local already exists in mesh hosts';
    for (const name of ['web.local', 'WEB.LOCAL'])
      expect(
        await errorOf(sdk.send(new CreateVirtualServiceCommand({ ...m, virtualServiceName: name, spec: provider }))),
      ).toEqual({
        name: 'ConflictException',
        status: 409,
        message: `${existing}: VirtualService names are host names, compared without regard to letter case (${name} is the same host).`,
      });
    // Only ASCII letters fold (RFC 4343, and Envoy's own comparison): these are different hosts.
    await sdk.send(new CreateVirtualServiceCommand({ ...m, virtualServiceName: 'É.local', spec: provider }));
    await sdk.send(new CreateVirtualServiceCommand({ ...m, virtualServiceName: 'é.local', spec: provider }));
    // Other kinds' names are not host names: a node may differ from another only in case.
    await sdk.send(new CreateVirtualNodeCommand({ ...m, virtualNodeName: 'N', spec: nodeSpec }));
    // The same request again is still the same resource's conflict, and another tenant is not affected.
    expect(
      (
        await errorOf(
          sdk.send(new CreateVirtualServiceCommand({ ...m, virtualServiceName: 'Web.local', spec: provider })),
        )
      ).message,
    ).toBe(`VirtualService Web.local already exists in mesh hosts.`);
    const stranger = appMeshClient(api, other.accessKey);
    await stranger.send(new CreateMeshCommand(m));
    await stranger.send(new CreateVirtualNodeCommand({ ...m, virtualNodeName: 'n', spec: nodeSpec }));
    await stranger.send(new CreateVirtualServiceCommand({ ...m, virtualServiceName: 'web.local', spec: provider }));
    for (const name of ['Web.local', 'É.local', 'é.local'])
      await sdk.send(new DeleteVirtualServiceCommand({ ...m, virtualServiceName: name }));
    // Once the first spelling is gone, the other may be created.
    await sdk.send(new CreateVirtualServiceCommand({ ...m, virtualServiceName: 'web.local', spec: provider }));
  });

  it('refuses NUL and lone surrogates in paths, query values, names, tags, spec strings and client tokens', async () => {
    const create = (body: unknown) => raw({ method: 'PUT', path: '/v20190125/meshes', body: JSON.stringify(body) });
    expectBadRequest(await create({ meshName: 'a\u0000' }), `meshName: ${NUL}`);
    expectBadRequest(await create({ meshName: 'a\ud800' }), `meshName: ${LONE}`);
    expectBadRequest(await create({ meshName: 'ok', clientToken: '\u0000' }), `clientToken: ${NUL}`);
    expectBadRequest(await create({ meshName: 'ok', tags: [{ key: '\ud800', value: 'v' }] }), `tags[0].key: ${LONE}`);
    expectBadRequest(await create({ meshName: 'ok', tags: [{ key: 'k', value: '\u0000' }] }), `tags[0].value: ${NUL}`);
    expectBadRequest(await raw({ method: 'GET', path: '/v20190125/meshes/a%00b' }), `meshName: ${NUL}`);
    expectBadRequest(
      await raw({ method: 'GET', path: '/v20190125/meshes', query: { nextToken: 'a\u0000' } }),
      `nextToken: ${NUL}`,
    );
    expectBadRequest(
      await raw({ method: 'GET', path: '/v20190125/meshes', query: { limit: '\u0000' } }),
      'limit: must be an integer',
    );
    // A forged token that decodes to a NUL is not a token of this listing.
    expectBadRequest(
      await raw({
        method: 'GET',
        path: '/v20190125/meshes',
        query: { nextToken: Buffer.from('meshes:\u0000').toString('base64url') },
      }),
      'nextToken: is not a token returned by this listing',
    );
    expectBadRequest(
      await raw({ method: 'GET', path: '/v20190125/meshes/ok', query: { meshOwner: '\u0000' } }),
      'meshOwner: ' + NUL,
    );
    await sdk.send(new CreateMeshCommand({ meshName: 'text' }));
    const node = (spec: unknown) =>
      raw({
        method: 'PUT',
        path: '/v20190125/meshes/text/virtualNodes',
        body: JSON.stringify({ virtualNodeName: 'n', spec }),
      });
    expectBadRequest(
      await node({ ...nodeSpec, serviceDiscovery: { dns: { hostname: 'a\ud800.local' } } }),
      `spec.serviceDiscovery.dns.hostname: ${LONE}`,
    );
    expectBadRequest(
      await node({ backends: [{ virtualService: { virtualServiceName: 'b\u0000' } }] }),
      `spec.backends[0].virtualService.virtualServiceName: ${NUL}`,
    );
    expectBadRequest(
      await raw({
        method: 'PUT',
        path: '/v20190125/tag',
        query: { resourceArn: 'arn:aws:appmesh:us-east-1:000000000000:mesh/text\u0000' },
        body: JSON.stringify({ tags: [] }),
      }),
      `resourceArn: ${NUL}`,
    );
    // Nothing was stored on the way: the mesh is still empty and untagged.
    expect((await sdk.send(new ListVirtualNodesCommand({ meshName: 'text' }))).virtualNodes).toEqual([]);
    await sdk.send(new DeleteMeshCommand({ meshName: 'text' }));
  });

  it('refuses a regular expression Envoy (RE2) cannot compile, naming the field', async () => {
    await sdk.send(new CreateMeshCommand({ meshName: 're' }));
    await sdk.send(new CreateVirtualNodeCommand({ meshName: 're', virtualNodeName: 'n', spec: nodeSpec }));
    await sdk.send(new CreateVirtualRouterCommand({ meshName: 're', virtualRouterName: 'r', spec: routerSpec }));
    const route = (match: NonNullable<RouteSpec['httpRoute']>['match']) =>
      sdk.send(
        new CreateRouteCommand({
          meshName: 're',
          virtualRouterName: 'r',
          routeName: `x${Math.random().toString(36).slice(2)}`,
          spec: { httpRoute: { match, action: { weightedTargets: [{ virtualNode: 'n', weight: 1 }] } } },
        }),
      );
    expect(await errorOf(route({ path: { regex: '/(?<!a)b' } }))).toMatchObject({
      name: 'BadRequestException',
      message:
        "spec.httpRoute.match.path.regex: must be a regular expression in Envoy's RE2 syntax (invalid named capture: `(?<!a)b`)",
    });
    expect(await errorOf(route({ prefix: '/', headers: [{ name: 'x', match: { regex: '(a)\\1' } }] }))).toMatchObject({
      name: 'BadRequestException',
      message:
        "spec.httpRoute.match.headers[0].match.regex: must be a regular expression in Envoy's RE2 syntax (invalid escape sequence: `\\1`)",
    });
    expect((await route({ path: { regex: '/api/(v1|v2)/[a-z]+' } })).route!.spec!.httpRoute!.match!.path!.regex).toBe(
      '/api/(v1|v2)/[a-z]+',
    );
  });

  it('refuses integers beyond 2^53-1, and beyond what Envoy holds, with the field and the supported maximum', async () => {
    await sdk.send(new CreateMeshCommand({ meshName: 'long' }));
    await sdk.send(new CreateVirtualNodeCommand({ meshName: 'long', virtualNodeName: 'n', spec: nodeSpec }));
    await sdk.send(new CreateVirtualRouterCommand({ meshName: 'long', virtualRouterName: 'r', spec: routerSpec }));
    const node = await raw({
      method: 'PUT',
      path: '/v20190125/meshes/long/virtualNodes',
      body: `{"virtualNodeName":"m","spec":{"listeners":[{"portMapping":{"port":8080,"protocol":"http"},"timeout":{"tcp":{"idle":{"unit":"s","value":9223372036854775807}}}}],"serviceDiscovery":{"dns":{"hostname":"a.local"}}}}`,
    });
    expectBadRequest(node, 'spec.listeners[0].timeout.tcp.idle.value: must be between 0 and 9223372035');
    const route = await raw({
      method: 'PUT',
      path: '/v20190125/meshes/long/virtualRouter/r/routes',
      body: `{"routeName":"x","spec":{"httpRoute":{"match":{"prefix":"/","headers":[{"name":"h","match":{"range":{"start":9223372036854775807,"end":1}}}]},"action":{"weightedTargets":[{"virtualNode":"n","weight":1}]}}}}`,
    });
    expectBadRequest(
      route,
      'spec.httpRoute.match.headers[0].match.range.start: must be an integer between -9007199254740991 and 9007199254740991 (2^53-1, the largest integer this service accepts)',
    );
  });

  describe('/v1 and /admin/v1', () => {
    const bearer = () => ({ authorization: `Bearer ${tenant.apiToken.token}` });
    const expectRefused = (answer: { status: number; body: any; headers: Headers }, message: string) =>
      expect({ status: answer.status, type: answer.headers.get('x-amzn-errortype'), body: answer.body }).toEqual({
        status: 400,
        type: 'BadRequestException',
        body: { message },
      });

    it('refuses NUL in path parameters, query values and bodies of the tenant API', async () => {
      expectRefused(await call(api.baseUrl, 'DELETE', '/v1/access-keys/AKIA%00', bearer()), `accessKeyId: ${NUL}`);
      expectRefused(await call(api.baseUrl, 'DELETE', '/v1/api-tokens/%00', bearer()), `tokenId: ${NUL}`);
      expectRefused(await call(api.baseUrl, 'POST', '/v1/api-tokens', bearer(), { name: 'a\u0000' }), `name: ${NUL}`);
      expectRefused(
        await call(api.baseUrl, 'POST', '/v1/access-keys', bearer(), { description: '\ud800' }),
        `description: ${LONE}`,
      );
      // An id that only looks like a UUID is not found (it used to fail the query).
      const notUuid = await call(api.baseUrl, 'DELETE', `/v1/api-tokens/${'-'.repeat(36)}`, bearer());
      expect({ status: notUuid.status, type: notUuid.headers.get('x-amzn-errortype') }).toEqual({
        status: 404,
        type: 'NotFoundException',
      });
      expectRefused(await call(api.baseUrl, 'GET', '/v1/meshes/a%00/status', bearer()), `meshName: ${NUL}`);
      expectRefused(await call(api.baseUrl, 'GET', '/v1/meshes/a%00/proxies', bearer()), `meshName: ${NUL}`);
      expectRefused(await call(api.baseUrl, 'GET', '/v1/meshes/m/proxyTokens?name=%00', bearer()), `name: ${NUL}`);
      expectRefused(
        await call(api.baseUrl, 'GET', '/v1/meshes/m/virtualNodes/n%00/bootstrap', bearer()),
        `name: ${NUL}`,
      );
    });

    it('refuses NUL in path parameters, query values and bodies of the operator API', async () => {
      expectRefused(await api.admin('POST', '/admin/v1/tenants', { name: 'a\u0000' }), `name: ${NUL}`);
      expectRefused(
        await api.admin('POST', '/admin/v1/tenants', { name: 'ok', ['p\u0000']: 1 }),
        `["p\\u0000"] (key): ${NUL}`,
      );
      expectRefused(await api.admin('GET', '/admin/v1/tenants/%00'), `accountId: ${NUL}`);
      expectRefused(await api.admin('GET', '/admin/v1/tenants?nextToken=%00'), `nextToken: ${NUL}`);
      expectRefused(
        await api.admin('POST', `/admin/v1/tenants/${tenant.accountId}/api-tokens`, { name: '\ud800' }),
        `name: ${LONE}`,
      );
      expectRefused(
        await api.admin('DELETE', `/admin/v1/tenants/${tenant.accountId}/access-keys/%00`),
        `accessKeyId: ${NUL}`,
      );
      expectRefused(await api.admin('GET', '/admin/v1/tenants/%00/proxies'), `accountId: ${NUL}`);
    });
  });
});
