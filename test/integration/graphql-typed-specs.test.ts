import {
  CreateGatewayRouteCommand,
  CreateMeshCommand,
  CreateRouteCommand,
  CreateVirtualGatewayCommand,
  CreateVirtualNodeCommand,
  CreateVirtualRouterCommand,
  CreateVirtualServiceCommand,
  DescribeGatewayRouteCommand,
  DescribeMeshCommand,
  DescribeRouteCommand,
  DescribeVirtualGatewayCommand,
  DescribeVirtualNodeCommand,
  DescribeVirtualRouterCommand,
  DescribeVirtualServiceCommand,
  type AppMeshClient,
} from '@aws-sdk/client-app-mesh';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { getNamedType, isObjectType, type GraphQLObjectType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedTenant } from '../../src/tenants/tenants.service.js';
import { appMeshClient, createTenant, uniqueName } from '../support/tenant-builder.js';
import { call, startTestApp, type TestApp } from '../support/test-app.js';

type Json = Record<string, any>;

/**
 * Typed specs (ADR 0018): every kind written through GraphQL with typed inputs, read back typed
 * and as JSON, and compared with the same write through the AWS SDK (REST), over real HTTP,
 * PostgreSQL and Redis.
 */
describe('GraphQL typed specs', () => {
  let api: TestApp;
  let alice: CreatedTenant;
  let client: AppMeshClient;
  const mesh = uniqueName('gts');

  const gql = async (query: string, variables?: Json) =>
    call(api.baseUrl, 'POST', '/graphql', { authorization: `Bearer ${alice.apiToken.token}` }, { query, variables });

  /** Every field of a spec type, all the way down: the typed spec must carry the whole JSON. */
  const selectAll = (typeName: string): string => {
    const type = api.app.get(GraphQLSchemaHost).schema.getType(typeName) as GraphQLObjectType;
    const fields = Object.values(type.getFields()).map((f) => {
      const named = getNamedType(f.type);
      return isObjectType(named) ? `${f.name} { ${selectAll(named.name)} }` : f.name;
    });
    return fields.join(' ');
  };

  /**
   * The JSON a typed spec stands for: nulls (members not set) dropped, and the App Mesh enum
   * values that are not GraphQL names (`connection-error`) given back their `-`.
   */
  const asJson = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(asJson);
    if (typeof value === 'string') return HYPHENATED[value] ?? value;
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== null)
        .map(([k, v]) => [k, asJson(v)]),
    );
  };
  const HYPHENATED: Record<string, string> = {
    connection_error: 'connection-error',
    deadline_exceeded: 'deadline-exceeded',
    resource_exhausted: 'resource-exhausted',
  };

  const duration = (value: number, unit: 'ms' | 's' = 'ms') => ({ value, unit });
  const nodeSpec = (hostname: string) => ({
    listeners: [
      {
        portMapping: { port: 8080, protocol: 'http' },
        healthCheck: {
          protocol: 'http',
          path: '/ping',
          healthyThreshold: 2,
          unhealthyThreshold: 3,
          intervalMillis: 5000,
          timeoutMillis: 2000,
        },
        timeout: { http: { idle: duration(30, 's'), perRequest: duration(15000) } },
        connectionPool: { http: { maxConnections: 100, maxPendingRequests: 50 } },
        outlierDetection: {
          maxServerErrors: 5,
          maxEjectionPercent: 50,
          interval: duration(10, 's'),
          baseEjectionDuration: duration(30, 's'),
        },
      },
    ],
    serviceDiscovery: { dns: { hostname, responseType: 'LOADBALANCER', ipPreference: 'IPv4_PREFERRED' } },
    backends: [{ virtualService: { virtualServiceName: `db.${mesh}.local` } }],
    backendDefaults: {
      clientPolicy: {
        tls: { enforce: true, ports: [443], validation: { trust: { file: { certificateChain: '/certs/ca.pem' } } } },
      },
    },
    logging: {
      accessLog: { file: { path: '/dev/stdout', format: { json: [{ key: 'status', value: '%RESPONSE_CODE%' }] } } },
    },
  });
  /** As sent to GraphQL: the same JSON, with the enum values GraphQL names differently. */
  const routeSpec = (retryEvents: string[]) => ({
    priority: 10,
    httpRoute: {
      match: {
        prefix: '/api',
        method: 'GET',
        headers: [
          { name: 'x-canary', match: { exact: 'yes' } },
          { name: 'x-version', invert: true, match: { range: { start: 1, end: 5 } } },
        ],
      },
      action: {
        weightedTargets: [
          { virtualNode: 'api', weight: 90 },
          { virtualNode: 'api-v2', weight: 10 },
        ],
      },
      retryPolicy: {
        maxRetries: 3,
        perRetryTimeout: duration(2, 's'),
        httpRetryEvents: ['server-error', 'gateway-error'],
        tcpRetryEvents: retryEvents,
      },
      timeout: { perRequest: duration(20, 's') },
    },
  });

  /** One kind: how GraphQL creates it (from a variables' input) and how the SDK creates and describes it. */
  interface Kind {
    readonly api: string;
    /** The input's name members, for a resource of this name. */
    readonly names: (name: string) => Json;
    /** The spec as GraphQL takes it, and as REST does. */
    readonly specs: () => { graphql: Json; rest: Json };
    readonly create: (names: Json, spec: Json) => Promise<unknown>;
    readonly describe: (names: Json) => Promise<{ spec?: unknown; metadata?: { version?: number } } | undefined>;
  }

  const KINDS: Kind[] = [
    {
      api: 'Mesh',
      names: (name) => ({ meshName: `${mesh}-${name}` }),
      specs: () => {
        const spec = { egressFilter: { type: 'ALLOW_ALL' }, serviceDiscovery: { ipPreference: 'IPv6_PREFERRED' } };
        return { graphql: spec, rest: spec };
      },
      create: (names, spec) => client.send(new CreateMeshCommand({ ...names, spec } as never)),
      describe: async (names) => (await client.send(new DescribeMeshCommand(names as { meshName: string }))).mesh,
    },
    {
      api: 'VirtualNode',
      names: (name) => ({ meshName: mesh, virtualNodeName: name }),
      specs: () => {
        const spec = nodeSpec('api.local');
        return { graphql: spec, rest: spec };
      },
      create: (names, spec) => client.send(new CreateVirtualNodeCommand({ ...names, spec } as never)),
      describe: async (names) => (await client.send(new DescribeVirtualNodeCommand(names as never))).virtualNode,
    },
    {
      api: 'VirtualRouter',
      names: (name) => ({ meshName: mesh, virtualRouterName: name }),
      specs: () => {
        const spec = { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }] };
        return { graphql: spec, rest: spec };
      },
      create: (names, spec) => client.send(new CreateVirtualRouterCommand({ ...names, spec } as never)),
      describe: async (names) => (await client.send(new DescribeVirtualRouterCommand(names as never))).virtualRouter,
    },
    {
      api: 'VirtualService',
      names: (name) => ({ meshName: mesh, virtualServiceName: `${name}.${mesh}.local` }),
      specs: () => {
        const spec = { provider: { virtualRouter: { virtualRouterName: 'router' } } };
        return { graphql: spec, rest: spec };
      },
      create: (names, spec) => client.send(new CreateVirtualServiceCommand({ ...names, spec } as never)),
      describe: async (names) => (await client.send(new DescribeVirtualServiceCommand(names as never))).virtualService,
    },
    {
      api: 'Route',
      names: (name) => ({ meshName: mesh, virtualRouterName: 'router', routeName: name }),
      specs: () => ({ graphql: routeSpec(['connection_error']), rest: routeSpec(['connection-error']) }),
      create: (names, spec) => client.send(new CreateRouteCommand({ ...names, spec } as never)),
      describe: async (names) => (await client.send(new DescribeRouteCommand(names as never))).route,
    },
    {
      api: 'VirtualGateway',
      names: (name) => ({ meshName: mesh, virtualGatewayName: name }),
      specs: () => {
        const spec = {
          listeners: [
            {
              portMapping: { port: 8443, protocol: 'http2' },
              healthCheck: {
                protocol: 'http2',
                path: '/health',
                healthyThreshold: 2,
                unhealthyThreshold: 2,
                intervalMillis: 10000,
                timeoutMillis: 5000,
              },
              connectionPool: { http2: { maxRequests: 1000 } },
            },
          ],
          logging: { accessLog: { file: { path: '/dev/stdout', format: { text: '%START_TIME% %RESPONSE_CODE%\n' } } } },
        };
        return { graphql: spec, rest: spec };
      },
      create: (names, spec) => client.send(new CreateVirtualGatewayCommand({ ...names, spec } as never)),
      describe: async (names) => (await client.send(new DescribeVirtualGatewayCommand(names as never))).virtualGateway,
    },
    {
      api: 'GatewayRoute',
      names: (name) => ({ meshName: mesh, virtualGatewayName: 'gateway', gatewayRouteName: name }),
      specs: () => {
        const spec = {
          priority: 5,
          http2Route: {
            match: {
              hostname: { suffix: '.example.com' },
              path: { exact: '/orders' },
              queryParameters: [{ name: 'v', match: { exact: '2' } }],
            },
            action: {
              target: { virtualService: { virtualServiceName: `svc.${mesh}.local` }, port: 8080 },
              rewrite: { hostname: { defaultTargetHostname: 'DISABLED' }, path: { exact: '/v2/orders' } },
            },
          },
        };
        return { graphql: spec, rest: spec };
      },
      create: (names, spec) => client.send(new CreateGatewayRouteCommand({ ...names, spec } as never)),
      describe: async (names) => (await client.send(new DescribeGatewayRouteCommand(names as never))).gatewayRoute,
    },
  ];

  beforeAll(async () => {
    api = await startTestApp();
    alice = await createTenant(api);
    client = appMeshClient(api, alice.accessKey);
    // What the specs above reference: nodes, a router with a listener, services, a gateway.
    await client.send(new CreateMeshCommand({ meshName: mesh }));
    const listener = { portMapping: { port: 8080, protocol: 'http' as const } };
    for (const node of ['api', 'api-v2']) {
      await client.send(
        new CreateVirtualNodeCommand({
          meshName: mesh,
          virtualNodeName: node,
          spec: { listeners: [listener], serviceDiscovery: { dns: { hostname: `${node}.local` } } },
        }),
      );
    }
    await client.send(
      new CreateVirtualRouterCommand({ meshName: mesh, virtualRouterName: 'router', spec: { listeners: [listener] } }),
    );
    for (const service of ['db', 'svc']) {
      await client.send(
        new CreateVirtualServiceCommand({
          meshName: mesh,
          virtualServiceName: `${service}.${mesh}.local`,
          spec: { provider: { virtualNode: { virtualNodeName: 'api' } } },
        }),
      );
    }
    await client.send(
      new CreateVirtualGatewayCommand({
        meshName: mesh,
        virtualGatewayName: 'gateway',
        spec: { listeners: [{ portMapping: { port: 8080, protocol: 'http2' } }] },
      }),
    );
  });
  afterAll(async () => {
    await api?.close();
  });

  for (const kind of KINDS.map((k) => k.api)) {
    it(`writes a ${kind} with a typed spec: read back typed, it is the JSON the SDK's same write stores`, async () => {
      const k = KINDS.find((c) => c.api === kind)!;
      const { graphql, rest } = k.specs();
      const viaGraphql = k.names('typed-gql');
      const res = await gql(
        `mutation($input: Create${kind}Input!) {
          create${kind}(input: $input) { version spec { ${selectAll(`${kind}Spec`)} } specJson }
        }`,
        { input: { ...viaGraphql, spec: graphql } },
      );
      expect(res.body.errors).toBeUndefined();
      const created = res.body.data[`create${kind}`];
      await k.create(k.names('typed-rest'), rest);
      const [gqlStored, restStored] = await Promise.all([k.describe(viaGraphql), k.describe(k.names('typed-rest'))]);
      // The same write through both transports stores the same spec...
      expect(gqlStored!.spec).toEqual(restStored!.spec);
      expect(JSON.parse(JSON.stringify(gqlStored!.spec))).toEqual(expect.objectContaining(rest));
      // ...which GraphQL shows as JSON as it is, and typed as the same members and values.
      expect(created.specJson).toEqual(JSON.parse(JSON.stringify(gqlStored!.spec)));
      expect(asJson(created.spec)).toEqual(created.specJson);
    });
  }

  it('reads typed specs in connections, union members and enums included', async () => {
    const res = await gql(
      `query($m: String!) { mesh(name: $m) {
        virtualServices { nodes { name spec { provider { virtualNode { virtualNodeName } virtualRouter { virtualRouterName } } } } }
        virtualRouters { nodes { name routes(namePrefix: "typed-") { nodes { name spec { httpRoute { retryPolicy { tcpRetryEvents maxRetries perRetryTimeout { unit value } } match { headers { name match { exact range { start end } } } } } } } } } }
      } }`,
      { m: mesh },
    );
    expect(res.body.errors).toBeUndefined();
    const services = res.body.data.mesh.virtualServices.nodes as Json[];
    expect(services.find((s) => s.name === `db.${mesh}.local`)!.spec).toEqual({
      provider: { virtualNode: { virtualNodeName: 'api' }, virtualRouter: null },
    });
    const routes = res.body.data.mesh.virtualRouters.nodes[0].routes.nodes as Json[];
    expect(routes.map((r) => r.name)).toEqual(['typed-gql', 'typed-rest']);
    for (const route of routes) {
      expect(route.spec.httpRoute.retryPolicy).toEqual({
        tcpRetryEvents: ['connection_error'],
        maxRetries: 3,
        perRetryTimeout: { unit: 's', value: 2 },
      });
      expect(route.spec.httpRoute.match.headers).toEqual([
        { name: 'x-canary', match: { exact: 'yes', range: null } },
        { name: 'x-version', match: { exact: null, range: { start: 1, end: 5 } } },
      ]);
    }
  });

  it('updates with a typed spec (unions switch members) as the SDK sees it', async () => {
    const res = await gql(
      `mutation($input: UpdateVirtualServiceInput!) { updateVirtualService(input: $input) { version spec { provider { virtualNode { virtualNodeName } virtualRouter { virtualRouterName } } } } }`,
      {
        input: {
          meshName: mesh,
          virtualServiceName: `typed-gql.${mesh}.local`,
          spec: { provider: { virtualNode: { virtualNodeName: 'api-v2' } } },
        },
      },
    );
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.updateVirtualService).toEqual({
      version: 2,
      spec: { provider: { virtualNode: { virtualNodeName: 'api-v2' }, virtualRouter: null } },
    });
    const described = await client.send(
      new DescribeVirtualServiceCommand({ meshName: mesh, virtualServiceName: `typed-gql.${mesh}.local` }),
    );
    expect(described.virtualService!.spec).toEqual({ provider: { virtualNode: { virtualNodeName: 'api-v2' } } });
  });

  describe('validation', () => {
    const createNode = `mutation($input: CreateVirtualNodeInput!) { createVirtualNode(input: $input) { name } }`;
    const base = {
      listeners: [{ portMapping: { port: 8080, protocol: 'http' } }],
      serviceDiscovery: { dns: { hostname: 'ruled.local' } },
    };

    it('refuses a union input with two members or none (@oneOf), before any resolver runs', async () => {
      for (const serviceDiscovery of [
        { dns: { hostname: 'a.local' }, awsCloudMap: { namespaceName: 'n', serviceName: 's' } },
        {},
      ]) {
        const res = await gql(createNode, {
          input: { meshName: mesh, virtualNodeName: 'bad-union', spec: { ...base, serviceDiscovery } },
        });
        expect(res.status).toBe(400);
        expect(res.body.data).toBeNull();
        expect(res.body.errors[0]).toMatchObject({
          message: expect.stringContaining(
            'at "input.spec.serviceDiscovery"; Exactly one key must be specified for OneOf type "ServiceDiscoveryInput".',
          ),
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
        });
      }
      // Inline in the document, too: the check is GraphQL's own, for literals as for variables.
      const inline = await gql(`mutation { createVirtualNode(input: { meshName: "${mesh}", virtualNodeName: "x",
        spec: { backends: [{ virtualService: { virtualServiceName: "a" } }], serviceDiscovery: { dns: { hostname: "a" }, awsCloudMap: { namespaceName: "n", serviceName: "s" } } } }) { name } }`);
      expect(inline.body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(inline.body.errors[0].message).toMatch(
        /OneOf Input Object "ServiceDiscoveryInput" must specify exactly one key/,
      );
    });

    it('refuses types, enum values and unknown members by the schema, naming the input path', async () => {
      const wrongEnum = await gql(createNode, {
        input: {
          meshName: mesh,
          virtualNodeName: 'bad-enum',
          spec: { listeners: [{ portMapping: { port: 8080, protocol: 'HTTP' } }] },
        },
      });
      expect(wrongEnum.body.errors[0]).toMatchObject({
        message: expect.stringContaining('at "input.spec.listeners[0].portMapping.protocol"'),
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      });
      const unknown = await gql(createNode, {
        input: { meshName: mesh, virtualNodeName: 'bad-member', spec: { ...base, listenerz: [] } },
      });
      expect(unknown.body.errors[0].message).toContain(
        'Field "listenerz" is not defined by type "VirtualNodeSpecInput"',
      );
      const missing = await gql(createNode, {
        input: { meshName: mesh, virtualNodeName: 'no-port', spec: { listeners: [{ healthCheck: null }] } },
      });
      expect(missing.body.errors[0].message).toContain(
        'Field "portMapping" of required type "PortMappingInput!" was not provided',
      );
    });

    it("leaves the model's rules (ranges, lengths, patterns) and the kind rules to the same validator as REST, with its field paths", async () => {
      const cases: [spec: Json, field: string][] = [
        [
          { ...base, listeners: [{ portMapping: { port: 70000, protocol: 'http' } }] },
          'spec.listeners[0].portMapping.port',
        ],
        [
          { ...base, listeners: [{ ...base.listeners[0], timeout: { http: { idle: { unit: 'ms', value: -1 } } } }] },
          'spec.listeners[0].timeout.http.idle.value',
        ],
        [{ ...base, logging: { accessLog: { file: { path: '' } } } }, 'spec.logging.accessLog.file.path'],
        [{ ...base, serviceDiscovery: undefined }, 'spec.serviceDiscovery'],
      ];
      for (const [spec, field] of cases) {
        const res = await gql(createNode, { input: { meshName: mesh, virtualNodeName: 'ruled', spec } });
        expect(res.body.errors, field).toBeDefined();
        expect(res.body.errors[0].extensions).toEqual({ code: 'VALIDATION', fields: [field] });
        expect(res.body.errors[0].message).toContain(`${field}: `);
      }
    });

    it('takes a long (SafeInt) up to 2^53 and refuses a fraction', async () => {
      const res = await gql(createNode, {
        input: {
          meshName: mesh,
          virtualNodeName: 'long',
          spec: { listeners: [{ ...base.listeners[0], timeout: { http: { idle: { unit: 'ms', value: 1.5 } } } }] },
        },
      });
      expect(res.body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(res.body.errors[0].message).toContain('input.spec.listeners[0].timeout.http.idle.value');
    });
  });

  it('keeps the cost of a typed spec at one field, however many of its fields are selected', async () => {
    const res = await gql(
      `query($m: String!) { mesh(name: $m) { virtualNodes(first: 100) { nodes { spec { ${selectAll('VirtualNodeSpec')} } } } } }`,
      { m: mesh },
    );
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.mesh.virtualNodes.nodes.length).toBeGreaterThan(2);
  });
});
