import {
  CreateGatewayRouteCommand,
  CreateMeshCommand,
  CreateRouteCommand,
  CreateVirtualGatewayCommand,
  CreateVirtualNodeCommand,
  CreateVirtualRouterCommand,
  CreateVirtualServiceCommand,
  DeleteGatewayRouteCommand,
  DeleteVirtualGatewayCommand,
  DeleteVirtualServiceCommand,
  DescribeGatewayRouteCommand,
  DescribeVirtualGatewayCommand,
  ListGatewayRoutesCommand,
  ListVirtualGatewaysCommand,
  UpdateGatewayRouteCommand,
  UpdateVirtualGatewayCommand,
  type AppMeshClient,
} from '@aws-sdk/client-app-mesh';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedTenant } from '../../src/tenants/tenants.service.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { appMeshClient, createTenant, uniqueName } from '../support/tenant-builder.js';
import { errorOf } from '../support/sdk-errors.js';

describe('App Mesh API contract: virtual gateways, gateway routes and semantic rules', () => {
  let api: TestApp;
  let tenant: CreatedTenant;
  let client: AppMeshClient;
  const meshName = uniqueName('gw');

  beforeAll(async () => {
    api = await startTestApp();
    tenant = await createTenant(api);
    client = appMeshClient(api, tenant.accessKey);
    await client.send(new CreateMeshCommand({ meshName }));
    await client.send(
      new CreateVirtualNodeCommand({
        meshName,
        virtualNodeName: 'web',
        spec: {
          listeners: [{ portMapping: { port: 8080, protocol: 'http' } }],
          serviceDiscovery: { dns: { hostname: 'web.local' } },
        },
      }),
    );
    await client.send(
      new CreateVirtualServiceCommand({
        meshName,
        virtualServiceName: 'web.local',
        spec: { provider: { virtualNode: { virtualNodeName: 'web' } } },
      }),
    );
  });
  afterAll(async () => {
    await api?.close();
  });

  it('manages a virtual gateway and its gateway routes through every operation', async () => {
    const gw = await client.send(
      new CreateVirtualGatewayCommand({
        meshName,
        virtualGatewayName: 'ingress',
        spec: { listeners: [{ portMapping: { port: 443, protocol: 'http' } }] },
      }),
    );
    expect(gw.virtualGateway?.metadata?.arn).toBe(
      `arn:aws:appmesh:us-east-1:${tenant.accountId}:mesh/${meshName}/virtualGateway/ingress`,
    );

    const route = await client.send(
      new CreateGatewayRouteCommand({
        meshName,
        virtualGatewayName: 'ingress',
        gatewayRouteName: 'to-web',
        spec: {
          httpRoute: {
            match: { prefix: '/', hostname: { exact: 'www.example.com' } },
            action: {
              target: { virtualService: { virtualServiceName: 'web.local' } },
              rewrite: { prefix: { value: '/app/' } },
            },
          },
        },
      }),
    );
    expect(route.gatewayRoute).toMatchObject({
      virtualGatewayName: 'ingress',
      gatewayRouteName: 'to-web',
      metadata: {
        arn: `arn:aws:appmesh:us-east-1:${tenant.accountId}:mesh/${meshName}/virtualGateway/ingress/gatewayRoute/to-web`,
      },
    });
    expect(
      (await client.send(new ListGatewayRoutesCommand({ meshName, virtualGatewayName: 'ingress' }))).gatewayRoutes?.map(
        (r) => r.gatewayRouteName,
      ),
    ).toEqual(['to-web']);
    expect(
      (await client.send(new ListVirtualGatewaysCommand({ meshName }))).virtualGateways?.map(
        (g) => g.virtualGatewayName,
      ),
    ).toEqual(['ingress']);
    expect(
      (
        await client.send(
          new DescribeGatewayRouteCommand({ meshName, virtualGatewayName: 'ingress', gatewayRouteName: 'to-web' }),
        )
      ).gatewayRoute?.spec?.httpRoute?.match?.hostname?.exact,
    ).toBe('www.example.com');

    const updated = await client.send(
      new UpdateGatewayRouteCommand({
        meshName,
        virtualGatewayName: 'ingress',
        gatewayRouteName: 'to-web',
        spec: {
          httpRoute: {
            match: { prefix: '/v2' },
            action: { target: { virtualService: { virtualServiceName: 'web.local' } } },
          },
        },
      }),
    );
    expect(updated.gatewayRoute?.metadata?.version).toBe(2);
    const gwUpdated = await client.send(
      new UpdateVirtualGatewayCommand({
        meshName,
        virtualGatewayName: 'ingress',
        spec: { listeners: [{ portMapping: { port: 8443, protocol: 'http' } }] },
      }),
    );
    expect(gwUpdated.virtualGateway?.metadata?.version).toBe(2);

    // In use: the gateway has a route; the service is a gateway route target.
    expect(
      (await errorOf(client.send(new DeleteVirtualGatewayCommand({ meshName, virtualGatewayName: 'ingress' })))).name,
    ).toBe('ResourceInUseException');
    expect(
      (await errorOf(client.send(new DeleteVirtualServiceCommand({ meshName, virtualServiceName: 'web.local' })))).name,
    ).toBe('ResourceInUseException');

    await client.send(
      new DeleteGatewayRouteCommand({ meshName, virtualGatewayName: 'ingress', gatewayRouteName: 'to-web' }),
    );
    expect(
      (await client.send(new DeleteVirtualGatewayCommand({ meshName, virtualGatewayName: 'ingress' }))).virtualGateway
        ?.status?.status,
    ).toBe('DELETED');
    expect(
      (await errorOf(client.send(new DescribeVirtualGatewayCommand({ meshName, virtualGatewayName: 'ingress' })))).name,
    ).toBe('NotFoundException');
  });

  it.each([
    [
      'two listeners on one port',
      () =>
        new CreateVirtualNodeCommand({
          meshName,
          virtualNodeName: 'dup',
          spec: {
            listeners: [
              { portMapping: { port: 80, protocol: 'http' } },
              { portMapping: { port: 80, protocol: 'tcp' } },
            ],
            serviceDiscovery: { dns: { hostname: 'x' } },
          },
        }),
      'spec.listeners[1].portMapping.port: each listener needs its own port',
    ],
    [
      'an HTTP health check without a path',
      () =>
        new CreateVirtualNodeCommand({
          meshName,
          virtualNodeName: 'hc',
          spec: {
            listeners: [
              {
                portMapping: { port: 80, protocol: 'http' },
                healthCheck: {
                  protocol: 'http',
                  healthyThreshold: 2,
                  unhealthyThreshold: 2,
                  intervalMillis: 5000,
                  timeoutMillis: 2000,
                },
              },
            ],
            serviceDiscovery: { dns: { hostname: 'x' } },
          },
        }),
      'spec.listeners[0].healthCheck.path: is required when the health check protocol is http',
    ],
    [
      'listeners without service discovery',
      () =>
        new CreateVirtualNodeCommand({
          meshName,
          virtualNodeName: 'sd',
          spec: { listeners: [{ portMapping: { port: 80, protocol: 'http' } }] },
        }),
      'spec.serviceDiscovery: is required',
    ],
    [
      'a gateway route to a virtual service that does not exist',
      () =>
        new CreateGatewayRouteCommand({
          meshName,
          virtualGatewayName: 'gw2',
          gatewayRouteName: 'r',
          spec: {
            httpRoute: {
              match: { prefix: '/' },
              action: { target: { virtualService: { virtualServiceName: 'ghost.local' } } },
            },
          },
        }),
      'spec.httpRoute.action.target.virtualService.virtualServiceName: VirtualService ghost.local does not exist',
    ],
    [
      'a hostname match with both exact and suffix',
      () =>
        new CreateGatewayRouteCommand({
          meshName,
          virtualGatewayName: 'gw2',
          gatewayRouteName: 'r',
          spec: {
            httpRoute: {
              match: { prefix: '/', hostname: { exact: 'a', suffix: 'b' } },
              action: { target: { virtualService: { virtualServiceName: 'web.local' } } },
            },
          },
        }),
      'spec.httpRoute.match.hostname: must set exactly one of exact, suffix',
    ],
    [
      'a grpc gateway route on an http gateway',
      () =>
        new CreateGatewayRouteCommand({
          meshName,
          virtualGatewayName: 'gw2',
          gatewayRouteName: 'r',
          spec: {
            grpcRoute: {
              match: { serviceName: 's' },
              action: { target: { virtualService: { virtualServiceName: 'web.local' } } },
            },
          },
        }),
      'spec.grpcRoute: the virtual gateway has no grpc listener',
    ],
    [
      'a route setting two route types',
      () =>
        new CreateRouteCommand({
          meshName,
          virtualRouterName: 'r2',
          routeName: 'x',
          spec: {
            httpRoute: { match: { prefix: '/' }, action: { weightedTargets: [{ virtualNode: 'web', weight: 1 }] } },
            tcpRoute: { action: { weightedTargets: [{ virtualNode: 'web', weight: 1 }] } },
          },
        }),
      'spec: must set exactly one of httpRoute, http2Route, grpcRoute, tcpRoute (found httpRoute, tcpRoute)',
    ],
    [
      'a route prefix not starting with /',
      () =>
        new CreateRouteCommand({
          meshName,
          virtualRouterName: 'r2',
          routeName: 'x',
          spec: {
            httpRoute: { match: { prefix: 'api' }, action: { weightedTargets: [{ virtualNode: 'web', weight: 1 }] } },
          },
        }),
      'spec.httpRoute.match.prefix: must start with /',
    ],
    [
      'a route whose port is not a router listener',
      () =>
        new CreateRouteCommand({
          meshName,
          virtualRouterName: 'r2',
          routeName: 'x',
          spec: {
            httpRoute: {
              match: { prefix: '/', port: 9999 },
              action: { weightedTargets: [{ virtualNode: 'web', weight: 1 }] },
            },
          },
        }),
      'spec.httpRoute.match.port: must be the port of one of the virtual router',
    ],
    [
      'a route with only zero weights',
      () =>
        new CreateRouteCommand({
          meshName,
          virtualRouterName: 'r2',
          routeName: 'x',
          spec: {
            httpRoute: { match: { prefix: '/' }, action: { weightedTargets: [{ virtualNode: 'web', weight: 0 }] } },
          },
        }),
      'at least one target needs a weight above 0',
    ],
  ])('rejects %s with BadRequestException naming the field and rule', async (_case, command, message) => {
    await client
      .send(
        new CreateVirtualGatewayCommand({
          meshName,
          virtualGatewayName: 'gw2',
          spec: { listeners: [{ portMapping: { port: 80, protocol: 'http' } }] },
        }),
      )
      .catch(() => undefined);
    await client
      .send(
        new CreateVirtualRouterCommand({
          meshName,
          virtualRouterName: 'r2',
          spec: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }] },
        }),
      )
      .catch(() => undefined);
    const err = await errorOf(client.send(command() as never));
    expect(err.name).toBe('BadRequestException');
    expect(err.message).toContain(message);
  });
});
