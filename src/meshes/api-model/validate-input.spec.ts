import { describe, expect, it } from 'vitest';
import { DomainError } from '../../common/errors/domain-error.js';
import { AppMeshModel, type HttpInputParts, type OperationName } from './app-mesh-model.js';

const model = AppMeshModel.load();

function parts(partial: Partial<HttpInputParts>): HttpInputParts {
  return { path: {}, query: {}, body: undefined, ...partial };
}

/** The problems a request has, in order ([] when it is valid). */
function problems(op: OperationName, input: Partial<HttpInputParts>): string[] {
  try {
    model.validateInput(op, parts(input));
    return [];
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    expect(err.code).toBe('BAD_REQUEST');
    return err.message.split('; ');
  }
}

const virtualNodeSpec = () => ({
  listeners: [
    {
      portMapping: { port: 8080, protocol: 'http' },
      tls: {
        mode: 'STRICT',
        certificate: { file: { certificateChain: '/certs/chain.pem', privateKey: '/certs/key.pem' } },
        validation: {
          trust: { file: { certificateChain: '/certs/ca.pem' } },
          subjectAlternativeNames: { match: { exact: ['orders.mesh.local'] } },
        },
      },
      healthCheck: {
        protocol: 'http',
        path: '/healthz',
        port: 8080,
        healthyThreshold: 2,
        unhealthyThreshold: 3,
        intervalMillis: 5000,
        timeoutMillis: 2000,
      },
      timeout: { http: { perRequest: { unit: 's', value: 15 }, idle: { unit: 'ms', value: 300000 } } },
      outlierDetection: {
        maxServerErrors: 5,
        maxEjectionPercent: 50,
        interval: { unit: 's', value: 10 },
        baseEjectionDuration: { unit: 's', value: 30 },
      },
      connectionPool: { http: { maxConnections: 100, maxPendingRequests: 50 } },
    },
  ],
  backends: [
    {
      virtualService: {
        virtualServiceName: 'payments.mesh.local',
        clientPolicy: {
          tls: {
            enforce: true,
            ports: [443],
            validation: {
              trust: { acm: { certificateAuthorityArns: ['arn:aws:acm-pca:eu-west-1:111122223333:ca/x'] } },
            },
          },
        },
      },
    },
  ],
  backendDefaults: {
    clientPolicy: { tls: { validation: { trust: { sds: { secretName: 'spiffe://mesh.local' } } } } },
  },
  serviceDiscovery: {
    dns: { hostname: 'orders.prod.svc.cluster.local', responseType: 'LOADBALANCER', ipPreference: 'IPv4_PREFERRED' },
  },
  logging: {
    accessLog: { file: { path: '/dev/stdout', format: { json: [{ key: 'status', value: '%RESPONSE_CODE%' }] } } },
  },
});

describe('validateInput: valid requests', () => {
  it('assembles a realistic CreateVirtualNode from path, query and body', () => {
    const body = {
      virtualNodeName: 'orders-v1',
      clientToken: '5f3c2a8e-1b7d-4c1e-9a55-0c0ffee00001',
      spec: virtualNodeSpec(),
      tags: [{ key: 'team', value: 'orders' }],
    };
    const input = model.validateInput(
      'CreateVirtualNode',
      parts({ path: { meshName: 'prod' }, query: { meshOwner: '111122223333' }, body }),
    );
    expect(input).toEqual({ meshName: 'prod', meshOwner: '111122223333', ...body });
    expect(input.spec).not.toBe(body.spec);
  });

  it('accepts a CreateRoute with an httpRoute, weighted targets and a match', () => {
    const body = {
      routeName: 'orders-canary',
      spec: {
        priority: 10,
        httpRoute: {
          match: {
            prefix: '/',
            method: 'GET',
            scheme: 'https',
            port: 8080,
            headers: [{ name: 'x-canary', invert: false, match: { exact: 'true' } }],
            queryParameters: [{ name: 'version', match: { exact: '2' } }],
          },
          action: {
            weightedTargets: [
              { virtualNode: 'orders-v1', weight: 90 },
              { virtualNode: 'orders-v2', weight: 10, port: 8080 },
            ],
          },
          retryPolicy: {
            maxRetries: 3,
            perRetryTimeout: { unit: 'ms', value: 250 },
            httpRetryEvents: ['server-error', 'gateway-error'],
            tcpRetryEvents: ['connection-error'],
          },
          timeout: { perRequest: { unit: 's', value: 5 } },
        },
      },
    };
    const input = model.validateInput(
      'CreateRoute',
      parts({ path: { meshName: 'prod', virtualRouterName: 'orders' }, body }),
    );
    expect(input).toEqual({ meshName: 'prod', virtualRouterName: 'orders', ...body });
  });

  it('accepts a CreateGatewayRoute', () => {
    const body = {
      gatewayRouteName: 'orders',
      spec: {
        priority: 5,
        httpRoute: {
          match: { prefix: '/orders', hostname: { suffix: '.example.com' } },
          action: {
            target: { virtualService: { virtualServiceName: 'orders.mesh.local' }, port: 8080 },
            rewrite: {
              prefix: { defaultPrefix: 'DISABLED', value: '/' },
              hostname: { defaultTargetHostname: 'ENABLED' },
            },
          },
        },
      },
    };
    const path = { meshName: 'prod', virtualGatewayName: 'ingress' };
    expect(model.validateInput('CreateGatewayRoute', parts({ path, body }))).toEqual({ ...path, ...body });
  });

  it('accepts a TagResource with the ARN in the query string', () => {
    const resourceArn = 'arn:aws:appmesh:eu-west-1:111122223333:mesh/prod';
    const tags = [
      { key: 'team', value: 'orders' },
      { key: 'empty', value: '' },
    ];
    expect(model.validateInput('TagResource', parts({ query: { resourceArn }, body: { tags } }))).toEqual({
      resourceArn,
      tags,
    });
  });

  it('parses the limit of ListVirtualNodes from the query string', () => {
    expect(
      model.validateInput(
        'ListVirtualNodes',
        parts({ path: { meshName: 'prod' }, query: { limit: '25', nextToken: 'abc', unrelated: 'x' } }),
      ),
    ).toEqual({ meshName: 'prod', limit: 25, nextToken: 'abc' });
    expect(
      model.validateInput('ListVirtualNodes', parts({ path: { meshName: 'prod' }, query: { limit: ['7'] } })),
    ).toEqual({
      meshName: 'prod',
      limit: 7,
    });
  });

  it('takes no body for Describe and an absent body as {} for Update', () => {
    expect(model.validateInput('DescribeMesh', parts({ path: { meshName: 'prod' } }))).toEqual({ meshName: 'prod' });
    expect(model.validateInput('DeleteMesh', parts({ path: { meshName: 'prod' }, body: {} }))).toEqual({
      meshName: 'prod',
    });
    expect(model.validateInput('UpdateMesh', parts({ path: { meshName: 'prod' }, body: undefined }))).toEqual({
      meshName: 'prod',
    });
    expect(model.validateInput('ListMeshes', parts({}))).toEqual({});
  });

  it('keeps URL-decoded path parameters as they are', () => {
    expect(
      model.validateInput('DescribeVirtualService', parts({ path: { meshName: 'prod', virtualServiceName: 'a b%c' } })),
    ).toEqual({ meshName: 'prod', virtualServiceName: 'a b%c' });
  });

  it('treats null members as absent', () => {
    expect(
      model.validateInput(
        'UpdateMesh',
        parts({ path: { meshName: 'prod' }, body: { spec: { egressFilter: null }, clientToken: null } }),
      ),
    ).toEqual({ meshName: 'prod', spec: {} });
  });

  it('counts string lengths in code points', () => {
    const name = '🙂'.repeat(255); // 510 UTF-16 code units, 255 code points
    expect(problems('DescribeMesh', { path: { meshName: name } })).toEqual([]);
    expect(problems('DescribeMesh', { path: { meshName: `${name}x` } })).toEqual([
      'meshName: must be between 1 and 255 characters long',
    ]);
  });
});

describe('validateInput: rules', () => {
  const node = (spec: unknown, extra: Record<string, unknown> = {}) =>
    problems('CreateVirtualNode', { path: { meshName: 'prod' }, body: { virtualNodeName: 'n', spec, ...extra } });
  const listener = (patch: Record<string, unknown>) => ({ portMapping: { port: 8080, protocol: 'http' }, ...patch });

  it('required', () => {
    expect(problems('CreateVirtualNode', { body: {} })).toEqual([
      'meshName: is required',
      'spec: is required',
      'virtualNodeName: is required',
    ]);
    expect(node({ listeners: [{}] })).toEqual(['spec.listeners[0].portMapping: is required']);
    expect(problems('TagResource', { query: { resourceArn: 'arn' }, body: { tags: [{ key: 'k' }] } })).toEqual([
      'tags[0].value: is required',
    ]);
  });

  it('types', () => {
    expect(node('spec')).toEqual(['spec: must be an object']);
    expect(node([])).toEqual(['spec: must be an object']);
    expect(node({}, { virtualNodeName: 5 })).toEqual(['virtualNodeName: must be a string']);
    expect(node({ listeners: {} })).toEqual(['spec.listeners: must be a list']);
    expect(node({ listeners: [listener({ portMapping: { port: '80', protocol: 'http' } })] })).toEqual([
      'spec.listeners[0].portMapping.port: must be an integer',
    ]);
    expect(node({ listeners: [listener({ portMapping: { port: 80.5, protocol: 'http' } })] })).toEqual([
      'spec.listeners[0].portMapping.port: must be an integer',
    ]);
    expect(
      node({
        backends: [
          {
            virtualService: {
              virtualServiceName: 's',
              clientPolicy: { tls: { enforce: 'yes', validation: { trust: { file: { certificateChain: '/c' } } } } },
            },
          },
        ],
      }),
    ).toEqual(['spec.backends[0].virtualService.clientPolicy.tls.enforce: must be a boolean']);
    expect(problems('ListVirtualNodes', { path: { meshName: 'm' }, query: { limit: 'ten' } })).toEqual([
      'limit: must be an integer',
    ]);
    expect(problems('ListVirtualNodes', { path: { meshName: 'm' }, query: { limit: '2.5' } })).toEqual([
      'limit: must be an integer',
    ]);
    expect(problems('ListVirtualNodes', { path: { meshName: 'm' }, query: { limit: ['1', '2'] } })).toEqual([
      'limit: must be given once',
    ]);
  });

  it('enum', () => {
    expect(node({ listeners: [{ portMapping: { port: 8080, protocol: 'udp' } }] })).toEqual([
      'spec.listeners[0].portMapping.protocol: must be one of http, tcp, http2, grpc',
    ]);
  });

  it('min and max length', () => {
    expect(node({}, { virtualNodeName: '' })).toEqual(['virtualNodeName: must be between 1 and 255 characters long']);
    expect(node({}, { virtualNodeName: 'x'.repeat(256) })).toEqual([
      'virtualNodeName: must be between 1 and 255 characters long',
    ]);
    expect(problems('DescribeMesh', { path: { meshName: 'm' }, query: { meshOwner: '1234' } })).toEqual([
      'meshOwner: must be exactly 12 characters long',
    ]);
    expect(
      problems('TagResource', { query: { resourceArn: 'a' }, body: { tags: [{ key: 'k', value: 'v'.repeat(257) }] } }),
    ).toEqual(['tags[0].value: must be at most 256 characters long']);
  });

  it('empty query values count as given', () => {
    expect(problems('DescribeMesh', { path: { meshName: 'm' }, query: { meshOwner: '' } })).toEqual([
      'meshOwner: must be exactly 12 characters long',
    ]);
    expect(problems('ListMeshes', { query: { limit: '' } })).toEqual(['limit: must be an integer']);
    expect(problems('DescribeMesh', { path: { meshName: '' } })).toEqual([
      'meshName: must be between 1 and 255 characters long',
    ]);
  });

  it('min and max value', () => {
    const port = (p: number) => node({ listeners: [{ portMapping: { port: p, protocol: 'http' } }] });
    expect(port(0)).toEqual(['spec.listeners[0].portMapping.port: must be between 1 and 65535']);
    expect(port(65536)).toEqual(['spec.listeners[0].portMapping.port: must be between 1 and 65535']);
    expect(port(65535)).toEqual([]);
    expect(problems('ListMeshes', { query: { limit: '0' } })).toEqual(['limit: must be between 1 and 100']);
    expect(problems('ListMeshes', { query: { limit: '101' } })).toEqual(['limit: must be between 1 and 100']);
    expect(node({ listeners: [listener({ timeout: { tcp: { idle: { unit: 's', value: -1 } } } })] })).toEqual([
      'spec.listeners[0].timeout.tcp.idle.value: must be between 0 and 9223372035',
    ]);
    expect(node({ listeners: [listener({ connectionPool: { tcp: { maxConnections: 0 } } })] })).toEqual([
      'spec.listeners[0].connectionPool.tcp.maxConnections: must be between 1 and 2147483647',
    ]);
    expect(node({ listeners: [listener({ portMapping: { port: 2 ** 60, protocol: 'http' } })] })).toEqual([
      'spec.listeners[0].portMapping.port: must be between 1 and 65535',
    ]);
    const range = (start: number) =>
      problems('CreateRoute', {
        path: { meshName: 'm', virtualRouterName: 'r' },
        body: {
          routeName: 'x',
          spec: {
            httpRoute: {
              match: { prefix: '/', headers: [{ name: 'h', match: { range: { start, end: 1 } } }] },
              action: { weightedTargets: [{ virtualNode: 'n', weight: 1 }] },
            },
          },
        },
      });
    expect(range(2 ** 60)).toEqual([
      'spec.httpRoute.match.headers[0].match.range.start: must be an integer between -9007199254740991 and 9007199254740991 (2^53-1, the largest integer this service accepts)',
    ]);
  });

  it('list size', () => {
    const tags = Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
    expect(problems('TagResource', { query: { resourceArn: 'a' }, body: { tags } })).toEqual([
      'tags: must have at most 50 items',
    ]);
    expect(problems('TagResource', { query: { resourceArn: 'a' }, body: { tags: [] } })).toEqual([]);
    const route = (httpRoute: unknown) =>
      problems('CreateRoute', {
        path: { meshName: 'm', virtualRouterName: 'r' },
        body: { routeName: 'x', spec: { httpRoute } },
      });
    expect(route({ match: { prefix: '/' }, action: { weightedTargets: [] } })).toEqual([
      'spec.httpRoute.action.weightedTargets: must have between 1 and 10 items',
    ]);
    expect(
      route({
        match: { prefix: '/' },
        action: { weightedTargets: [{ virtualNode: 'a', weight: 1 }] },
        retryPolicy: {
          maxRetries: 1,
          perRetryTimeout: { unit: 's', value: 1 },
          tcpRetryEvents: ['connection-error', 'connection-error'],
        },
      }),
    ).toEqual(['spec.httpRoute.retryPolicy.tcpRetryEvents: must have exactly 1 item']);
  });

  it('pattern', () => {
    const attributes = (key: string, value: string) =>
      node({
        serviceDiscovery: { awsCloudMap: { namespaceName: 'ns', serviceName: 'svc', attributes: [{ key, value }] } },
      });
    expect(attributes('stage', 'blue green')).toEqual([]);
    expect(attributes('bad key', 'v')).toEqual([
      'spec.serviceDiscovery.awsCloudMap.attributes[0].key: must match the pattern ^[a-zA-Z0-9!-~]+$',
    ]);
    expect(attributes('k', ' v')).toEqual([
      'spec.serviceDiscovery.awsCloudMap.attributes[0].value: must match the pattern ^([a-zA-Z0-9!-~][  a-zA-Z0-9!-~]*){0,1}[a-zA-Z0-9!-~]{0,1}$',
    ]);
  });

  it('unions need exactly one member', () => {
    const service = (provider: unknown) =>
      problems('CreateVirtualService', {
        path: { meshName: 'm' },
        body: { virtualServiceName: 'orders.mesh.local', spec: { provider } },
      });
    expect(service({ virtualNode: { virtualNodeName: 'n' } })).toEqual([]);
    expect(service({})).toEqual(['spec.provider: must set exactly one of virtualNode, virtualRouter']);
    expect(service({ virtualNode: { virtualNodeName: 'n' }, virtualRouter: { virtualRouterName: 'r' } })).toEqual([
      'spec.provider: must set exactly one of virtualNode, virtualRouter',
    ]);
    expect(service({ virtualNode: null })).toEqual([
      'spec.provider: must set exactly one of virtualNode, virtualRouter',
    ]);
  });

  it('unknown members', () => {
    expect(node({ foo: 1 })).toEqual(['spec.foo: is not a member of VirtualNodeSpec']);
    expect(node({}, { foo: 1, 'odd key': 2 })).toEqual([
      'foo: is not a member of CreateVirtualNodeInput',
      '["odd key"]: is not a member of CreateVirtualNodeInput',
    ]);
    expect(node({}, { meshName: 'prod', meshOwner: '111122223333' })).toEqual([
      'meshName: must be given in the URI path, not in the body',
      'meshOwner: must be given in the query string, not in the body',
    ]);
    expect(node({}, JSON.parse('{"__proto__": {"x": 1}}') as Record<string, unknown>)).toEqual([
      '__proto__: is not a member of CreateVirtualNodeInput',
    ]);
    expect(problems('DescribeMesh', { path: { meshName: 'm' }, body: { x: 1 } })).toEqual([
      'x: is not a member of DescribeMeshInput',
    ]);
  });

  it('a body that is not an object', () => {
    expect(problems('CreateMesh', { body: [] })).toEqual(['body: must be a JSON object']);
    expect(problems('CreateMesh', { body: 'meshName=x' })).toEqual(['body: must be a JSON object']);
    expect(problems('CreateMesh', { body: undefined })).toEqual(['meshName: is required']);
  });

  it('lists every problem, with nested paths and list indexes', () => {
    const spec = {
      listeners: [
        listener({}),
        {
          portMapping: { port: 0, protocol: 'udp' },
          healthCheck: {
            protocol: 'tcp',
            healthyThreshold: 1,
            unhealthyThreshold: 2,
            intervalMillis: 1000,
            timeoutMillis: 2000,
          },
          tls: { mode: 'STRICT', certificate: {} },
        },
      ],
      serviceDiscovery: { dns: { hostname: 'h', responseType: 'ROUND_ROBIN' } },
      extra: true,
    };
    expect(
      problems('CreateVirtualNode', {
        path: { meshName: 'prod' },
        query: { meshOwner: 'x' },
        body: { virtualNodeName: '', spec, tags: [{ key: '' }] },
      }),
    ).toEqual([
      'meshOwner: must be exactly 12 characters long',
      'spec.listeners[1].healthCheck.healthyThreshold: must be between 2 and 10',
      'spec.listeners[1].healthCheck.intervalMillis: must be between 5000 and 300000',
      'spec.listeners[1].portMapping.port: must be between 1 and 65535',
      'spec.listeners[1].portMapping.protocol: must be one of http, tcp, http2, grpc',
      'spec.listeners[1].tls.certificate: must set exactly one of acm, file, sds',
      'spec.serviceDiscovery.dns.responseType: must be one of LOADBALANCER, ENDPOINTS',
      'spec.extra: is not a member of VirtualNodeSpec',
      'tags[0].key: must be between 1 and 128 characters long',
      'tags[0].value: is required',
      'virtualNodeName: must be between 1 and 255 characters long',
    ]);
  });

  it('caps the message at 100 problems', () => {
    const tags = Array.from({ length: 120 }, () => ({ key: '', value: 'v' }));
    const message = (() => {
      try {
        model.validateInput('TagResource', parts({ query: { resourceArn: 'a' }, body: { tags } }));
        return '';
      } catch (err) {
        return (err as Error).message;
      }
    })();
    expect(message.split('; ')).toHaveLength(101);
    expect(message.endsWith('; and 21 more problems')).toBe(true);
  });
});
