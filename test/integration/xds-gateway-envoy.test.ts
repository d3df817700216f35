import {
  CreateGatewayRouteCommand,
  CreateMeshCommand,
  CreateRouteCommand,
  CreateVirtualGatewayCommand,
  CreateVirtualNodeCommand,
  CreateVirtualRouterCommand,
  CreateVirtualServiceCommand,
  DescribeGatewayRouteCommand,
  UpdateGatewayRouteCommand,
  type AppMeshClient,
} from '@aws-sdk/client-app-mesh';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { CreatedTenant } from '../../src/tenants/tenants.service.js';
import { XdsGrpcServer } from '../../src/xds-fleet/server/xds-grpc-server.service.js';
import {
  freePorts,
  sendHttp,
  startEnvoy,
  startUpstream,
  type RunningEnvoy,
  type Upstream,
  type UpstreamRequest,
} from '../support/envoy.js';
import { eventually } from '../support/eventually.js';
import { signedAppMeshGet } from '../support/signed-http.js';
import { call, startTestApp, type TestApp } from '../support/test-app.js';
import { testEnv } from '../support/test-config.js';
import { appMeshClient, createTenant } from '../support/tenant-builder.js';

type Json = Record<string, any>;

/**
 * A virtual gateway configured only through the public API: the AWS SDK creates the mesh, its
 * gateway and gateway routes; the gateway's Envoy starts from the bootstrap `/v1` hands out and
 * gets everything else over xDS from this project's compiler and ADS server (so every resource it
 * holds went through the production encoder). Real HTTP goes through it to real upstreams.
 */
describe('a virtual gateway on the xDS fleet (API → worker → xDS → gateway Envoy)', () => {
  let app: TestApp;
  let tenant: CreatedTenant;
  let mesh: AppMeshClient;
  let alpha: Upstream;
  let beta: Upstream;
  let gateway: RunningEnvoy;
  let gatewayPort: number;

  const get = async (path: string) =>
    (await call(app.baseUrl, 'GET', path, { authorization: `Bearer ${tenant.apiToken.token}` })).body as Json;
  const last = (upstream: Upstream): UpstreamRequest => upstream.requests[upstream.requests.length - 1]!;
  const send = (host: string, path: string) => sendHttp(gatewayPort, host, path);

  beforeAll(async () => {
    app = await startTestApp(['api', 'worker', 'xds'], testEnv({ RECONCILE_DEBOUNCE_MS: '20' }));
    [alpha, beta] = await Promise.all([startUpstream('alpha'), startUpstream('beta')]);
    tenant = await createTenant(app);
    mesh = appMeshClient(app, tenant.accessKey);
    const [listenerPort, admin] = await freePorts(2);
    gatewayPort = listenerPort!;

    const meshName = 'edge';
    await mesh.send(new CreateMeshCommand({ meshName, spec: { egressFilter: { type: 'DROP_ALL' } } }));
    for (const [name, upstream] of [
      ['alpha', alpha],
      ['beta', beta],
    ] as const) {
      await mesh.send(
        new CreateVirtualNodeCommand({
          meshName,
          virtualNodeName: name,
          spec: {
            listeners: [{ portMapping: { port: upstream.port, protocol: 'http' } }],
            serviceDiscovery: { dns: { hostname: '127.0.0.1' } },
          },
        }),
      );
    }
    await mesh.send(
      new CreateVirtualRouterCommand({
        meshName,
        virtualRouterName: 'web',
        spec: { listeners: [{ portMapping: { port: 80, protocol: 'http' } }] },
      }),
    );
    await mesh.send(
      new CreateRouteCommand({
        meshName,
        virtualRouterName: 'web',
        routeName: 'all',
        spec: {
          httpRoute: { match: { prefix: '/' }, action: { weightedTargets: [{ virtualNode: 'beta', weight: 1 }] } },
        },
      }),
    );
    await mesh.send(
      new CreateVirtualServiceCommand({
        meshName,
        virtualServiceName: 'alpha.local',
        spec: { provider: { virtualNode: { virtualNodeName: 'alpha' } } },
      }),
    );
    await mesh.send(
      new CreateVirtualServiceCommand({
        meshName,
        virtualServiceName: 'web.local',
        spec: { provider: { virtualRouter: { virtualRouterName: 'web' } } },
      }),
    );
    await mesh.send(
      new CreateVirtualGatewayCommand({
        meshName,
        virtualGatewayName: 'ingress',
        spec: { listeners: [{ portMapping: { port: gatewayPort, protocol: 'http' } }] },
      }),
    );
    const target = (virtualServiceName: string) => ({ virtualService: { virtualServiceName } });
    await mesh.send(
      new CreateGatewayRouteCommand({
        meshName,
        virtualGatewayName: 'ingress',
        gatewayRouteName: 'a-host',
        spec: {
          httpRoute: {
            match: { prefix: '/', hostname: { exact: 'a.example.com' } },
            action: { target: target('alpha.local') },
          },
        },
      }),
    );
    await mesh.send(
      new CreateGatewayRouteCommand({
        meshName,
        virtualGatewayName: 'ingress',
        gatewayRouteName: 'api',
        spec: {
          priority: 10,
          httpRoute: {
            match: { prefix: '/api/' },
            action: { target: target('web.local'), rewrite: { prefix: { value: '/internal/' } } },
          },
        },
      }),
    );

    const query = `xdsHost=127.0.0.1&xdsPort=${app.app.get(XdsGrpcServer).port}&adminPort=${admin}`;
    const res = await call(app.baseUrl, 'GET', `/v1/meshes/edge/virtualGateways/ingress/bootstrap?${query}`, {
      authorization: `Bearer ${tenant.apiToken.token}`,
    });
    expect(res.status).toBe(200);
    gateway = await startEnvoy(parse(res.body as string) as Json, { readyTimeoutMs: 30_000 });
  }, 90_000);

  afterAll(async () => {
    await gateway?.stop();
    await Promise.all([alpha?.close(), beta?.close()]);
    await app?.close();
  });

  it('routes by hostname to the virtual service the gateway route names', async () => {
    const answer = await eventually('the gateway routes a.example.com', 15_000, async () => {
      const r = await send('a.example.com', '/hello');
      return r.status === 200 ? r : undefined;
    });
    expect(answer).toEqual({ status: 200, upstream: 'alpha' });
    // App Mesh's default: the Host becomes the target virtual service's name.
    expect(last(alpha)).toMatchObject({ path: '/hello', headers: { host: 'alpha.local' } });
    // No gateway route matches another host at /hello.
    expect((await send('b.example.com', '/hello')).status).toBe(404);
  });

  it("rewrites the matched prefix, then the service's router picks the node", async () => {
    expect(await send('anything.example.org', '/api/items?x=1')).toEqual({ status: 200, upstream: 'beta' });
    expect(last(beta)).toMatchObject({ path: '/internal/items?x=1', headers: { host: 'web.local' } });
  });

  it('shows the gateway in sync, its routes translated, and the mesh not rejected', async () => {
    const status = await eventually('mesh in sync', 10_000, async () => {
      const s = await get('/v1/meshes/edge/status');
      return s['inSync'] ? s : undefined;
    });
    expect(status['rejected']).toBeUndefined();
    expect(status['problems']).toEqual([]);
    expect(status['proxies']).toMatchObject({ connected: 1, inSync: 1, withNack: 0 });
    expect(status['proxyDetails'][0]).toMatchObject({ kind: 'virtualGateway', name: 'ingress' });
    const route = await mesh.send(
      new DescribeGatewayRouteCommand({ meshName: 'edge', virtualGatewayName: 'ingress', gatewayRouteName: 'a-host' }),
    );
    expect(route.gatewayRoute?.status?.status).toBe('ACTIVE');
    // The SDK drops members the model does not know: read the extension off the wire.
    const raw = await signedAppMeshGet(
      app,
      tenant.accessKey,
      '/v20190125/meshes/edge/virtualGateway/ingress/gatewayRoutes/a-host',
    );
    expect(raw.status).toBe(200);
    expect(raw.body['meshplaneStatus']).toMatchObject({ translation: 'OK' });
  });

  it('follows a change to a gateway route', async () => {
    await mesh.send(
      new UpdateGatewayRouteCommand({
        meshName: 'edge',
        virtualGatewayName: 'ingress',
        gatewayRouteName: 'a-host',
        spec: {
          httpRoute: {
            match: { prefix: '/', hostname: { exact: 'a.example.com' } },
            action: { target: { virtualService: { virtualServiceName: 'web.local' } } },
          },
        },
      }),
    );
    await eventually('a.example.com now reaches web.local', 5_000, async () =>
      (await send('a.example.com', '/hello')).upstream === 'beta' ? true : undefined,
    );
    expect(last(beta)).toMatchObject({ path: '/hello', headers: { host: 'web.local' } });
  });
});
