import {
  CreateMeshCommand,
  CreateVirtualNodeCommand,
  CreateVirtualServiceCommand,
  type AppMeshClient,
  type AwsCloudMapServiceDiscovery,
} from '@aws-sdk/client-app-mesh';
import { parse } from 'yaml';
import type { CreatedTenant } from '../../src/tenants/tenants.service.js';
import { XdsGrpcServer } from '../../src/xds-fleet/server/xds-grpc-server.service.js';
import { countUpstreams, freePorts, startEnvoy, type RunningEnvoy } from './envoy.js';
import { eventually } from './eventually.js';
import { call, type TestApp } from './test-app.js';

/** A node whose endpoints come from the service registry: its listener port and its selector. */
export interface CloudMapNode {
  readonly name: string;
  readonly port: number;
  readonly awsCloudMap: AwsCloudMapServiceDiscovery;
}

/**
 * The mesh the registry's endpoint tests route through, built with the real App Mesh API: mesh
 * `shop`; per node, an HTTP listener on its port, `awsCloudMap` discovery and a virtual service
 * `<name>.shop.local` it provides; and `frontend` (DNS discovery, port 9080), the client whose
 * backends are all those services, so its Envoy has a route and an EDS cluster to each.
 */
export async function createCloudMapMesh(client: AppMeshClient, nodes: readonly CloudMapNode[]): Promise<void> {
  await client.send(new CreateMeshCommand({ meshName: 'shop' }));
  for (const { name, port, awsCloudMap } of nodes) {
    await client.send(
      new CreateVirtualNodeCommand({
        meshName: 'shop',
        virtualNodeName: name,
        spec: {
          listeners: [{ portMapping: { port, protocol: 'http' } }],
          serviceDiscovery: { awsCloudMap },
        },
      }),
    );
    await client.send(
      new CreateVirtualServiceCommand({
        meshName: 'shop',
        virtualServiceName: `${name}.shop.local`,
        spec: { provider: { virtualNode: { virtualNodeName: name } } },
      }),
    );
  }
  await client.send(
    new CreateVirtualNodeCommand({
      meshName: 'shop',
      virtualNodeName: 'frontend',
      spec: {
        listeners: [{ portMapping: { port: 9080, protocol: 'http' } }],
        serviceDiscovery: { dns: { hostname: 'frontend.local' } },
        backends: nodes.map(({ name }) => ({ virtualService: { virtualServiceName: `${name}.shop.local` } })),
      },
    }),
  );
}

/** A registry namespace and its services, created through /v1/registry as `tenant`. */
export async function createRegistryServices(
  app: TestApp,
  tenant: CreatedTenant,
  namespace: string,
  services: readonly string[],
): Promise<void> {
  const post = async (path: string, body: unknown) => {
    const res = await call(
      app.baseUrl,
      'POST',
      `/v1/registry/namespaces${path}`,
      {
        authorization: `Bearer ${tenant.apiToken.token}`,
      },
      body,
    );
    if (res.status !== 201)
      throw new Error(`POST /v1/registry/namespaces${path}: ${res.status} ${JSON.stringify(res.body)}`);
  };
  await post('', { Name: namespace });
  for (const service of services) await post(`/${namespace}/services`, { Name: service });
}

export interface FrontendEnvoy {
  readonly envoy: RunningEnvoy;
  /** The port of its egress listener: send requests there with a virtual service's host. */
  readonly egressPort: number;
  /**
   * Waits until 30 requests to `host` through the egress listener are answered by exactly the
   * `expected` upstreams (their names, or a status code such as '503' when none answers).
   */
  reached(host: string, expected: readonly string[]): Promise<Record<string, number>>;
}

/**
 * A real Envoy running as `tenant`'s `frontend` of mesh `shop`, from the bootstrap the API hands
 * out (the app must run the xds role). The caller stops it (`envoy.stop()`).
 */
export async function startFrontendEnvoy(
  app: TestApp,
  tenant: CreatedTenant,
  reachTimeoutMs = 20_000,
): Promise<FrontendEnvoy> {
  const [admin, ingress, egress] = (await freePorts(3)) as [number, number, number];
  const query = `xdsHost=127.0.0.1&xdsPort=${app.app.get(XdsGrpcServer).port}&adminPort=${admin}&ingressPort=${ingress}&egressPort=${egress}`;
  const res = await call(app.baseUrl, 'GET', `/v1/meshes/shop/virtualNodes/frontend/bootstrap?${query}`, {
    authorization: `Bearer ${tenant.apiToken.token}`,
  });
  if (res.status !== 200) throw new Error(`the frontend's bootstrap: ${res.status} ${JSON.stringify(res.body)}`);
  const envoy = await startEnvoy(parse(res.body as string) as object, { readyTimeoutMs: 30_000 });
  return {
    envoy,
    egressPort: egress,
    reached: (host, expected) =>
      eventually(`${host} answered by ${expected.join(', ')}`, reachTimeoutMs, async () => {
        const seen = await countUpstreams(egress, host, 30);
        return Object.keys(seen).sort().join(',') === [...expected].sort().join(',') ? seen : undefined;
      }),
  };
}
