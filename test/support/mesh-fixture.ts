import {
  CreateMeshCommand,
  CreateRouteCommand,
  CreateVirtualNodeCommand,
  CreateVirtualRouterCommand,
  CreateVirtualServiceCommand,
  UpdateRouteCommand,
  type AppMeshClient,
} from '@aws-sdk/client-app-mesh';

export interface ShopMeshOptions {
  readonly mesh?: string;
  /** The service's port (the router's listener). */
  readonly apiPort?: number;
  /** The nodes behind the service, by name: where their instances are (DNS hostname or IP) and their port. Default `api` at api.local:apiPort. */
  readonly nodes?: Readonly<Record<string, { readonly host: string; readonly port: number }>>;
  /** Weighted targets of the `main` route, by node name; default all to the first node. */
  readonly weights?: Readonly<Record<string, number>>;
}

/**
 * A small mesh built through the real App Mesh API, the shape most xDS tests need:
 * `web` (a client, backend `api.<mesh>.local`) → virtual service → router `api-router` →
 * route `main` (prefix `/`) → node `api` (or the given nodes), all HTTP.
 */
export async function createShopMesh(client: AppMeshClient, options: ShopMeshOptions = {}): Promise<void> {
  const meshName = options.mesh ?? 'shop';
  const port = options.apiPort ?? 8080;
  const service = `api.${meshName}.local`;
  await client.send(new CreateMeshCommand({ meshName }));
  const nodes = options.nodes ?? { api: { host: 'api.local', port } };
  for (const [virtualNodeName, at] of Object.entries(nodes)) {
    await client.send(
      new CreateVirtualNodeCommand({
        meshName,
        virtualNodeName,
        spec: {
          listeners: [{ portMapping: { port: at.port, protocol: 'http' } }],
          serviceDiscovery: { dns: { hostname: at.host } },
        },
      }),
    );
  }
  await client.send(
    new CreateVirtualRouterCommand({
      meshName,
      virtualRouterName: 'api-router',
      spec: { listeners: [{ portMapping: { port, protocol: 'http' } }] },
    }),
  );
  const weights = options.weights ?? { [Object.keys(nodes)[0]!]: 1 };
  await client.send(
    new CreateRouteCommand({
      meshName,
      virtualRouterName: 'api-router',
      routeName: 'main',
      spec: {
        httpRoute: {
          match: { prefix: '/' },
          action: {
            weightedTargets: Object.entries(weights).map(([virtualNode, weight]) => ({ virtualNode, weight })),
          },
        },
      },
    }),
  );
  await client.send(
    new CreateVirtualServiceCommand({
      meshName,
      virtualServiceName: service,
      spec: { provider: { virtualRouter: { virtualRouterName: 'api-router' } } },
    }),
  );
  await client.send(
    new CreateVirtualNodeCommand({
      meshName,
      virtualNodeName: 'web',
      spec: {
        listeners: [{ portMapping: { port: 9080, protocol: 'http' } }],
        serviceDiscovery: { dns: { hostname: 'web.local' } },
        backends: [{ virtualService: { virtualServiceName: service } }],
      },
    }),
  );
}

/** The `main` route of {@link createShopMesh} with new weights (and optionally another prefix). */
export function mainRouteUpdate(
  weights: Readonly<Record<string, number>>,
  prefix = '/',
  meshName = 'shop',
): UpdateRouteCommand {
  return new UpdateRouteCommand({
    meshName,
    virtualRouterName: 'api-router',
    routeName: 'main',
    spec: {
      httpRoute: {
        match: { prefix },
        action: { weightedTargets: Object.entries(weights).map(([virtualNode, weight]) => ({ virtualNode, weight })) },
      },
    },
  });
}
