import type { FormKind } from '../spec/forms';

/** A kind of resource inside a mesh, as the GraphQL API names it. */
export interface KindDef {
  readonly id: Exclude<FormKind, 'mesh'>;
  readonly label: string;
  readonly plural: string;
  /** The suffix of its mutations (createVirtualNode …) and input types. */
  readonly typeName: string;
  /** Its name member in inputs. */
  readonly nameArg: string;
  /** The connection on Mesh (top-level kinds) or on the parent (routes, gateway routes). */
  readonly connection: string;
  readonly parent?: { readonly kind: 'virtualRouter' | 'virtualGateway'; readonly arg: string };
  /** Its TopologyNodeKind. */
  readonly topology: string;
}

export const KINDS: readonly KindDef[] = [
  {
    id: 'virtualNode',
    label: 'Virtual node',
    plural: 'Virtual nodes',
    typeName: 'VirtualNode',
    nameArg: 'virtualNodeName',
    connection: 'virtualNodes',
    topology: 'VIRTUAL_NODE',
  },
  {
    id: 'virtualService',
    label: 'Virtual service',
    plural: 'Virtual services',
    typeName: 'VirtualService',
    nameArg: 'virtualServiceName',
    connection: 'virtualServices',
    topology: 'VIRTUAL_SERVICE',
  },
  {
    id: 'virtualRouter',
    label: 'Virtual router',
    plural: 'Virtual routers',
    typeName: 'VirtualRouter',
    nameArg: 'virtualRouterName',
    connection: 'virtualRouters',
    topology: 'VIRTUAL_ROUTER',
  },
  {
    id: 'route',
    label: 'Route',
    plural: 'Routes',
    typeName: 'Route',
    nameArg: 'routeName',
    connection: 'routes',
    parent: { kind: 'virtualRouter', arg: 'virtualRouterName' },
    topology: 'ROUTE',
  },
  {
    id: 'virtualGateway',
    label: 'Virtual gateway',
    plural: 'Virtual gateways',
    typeName: 'VirtualGateway',
    nameArg: 'virtualGatewayName',
    connection: 'virtualGateways',
    topology: 'VIRTUAL_GATEWAY',
  },
  {
    id: 'gatewayRoute',
    label: 'Gateway route',
    plural: 'Gateway routes',
    typeName: 'GatewayRoute',
    nameArg: 'gatewayRouteName',
    connection: 'gatewayRoutes',
    parent: { kind: 'virtualGateway', arg: 'virtualGatewayName' },
    topology: 'GATEWAY_ROUTE',
  },
];

export function kindById(id: string): KindDef | undefined {
  return KINDS.find((k) => k.id === id);
}

export function kindByTopology(topology: string): KindDef | undefined {
  return KINDS.find((k) => k.topology === topology);
}
