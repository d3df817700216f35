import { Args, Context, Resolver, Subscription } from '@nestjs/graphql';
import type { TenantScope } from '../../common/tenancy/tenant-scope.js';
import { Authenticate, CurrentScope } from '../../tenants/auth/auth-policy.decorators.js';
import { MeshPropagation } from '../meshes/mesh-propagation.models.js';
import { FleetSubscriptions } from './fleet-subscriptions.js';
import { ProxyEvent, ProxyEventType, RejectedChange } from './subscription.models.js';
import { WS_CONNECTION, type WsConnection } from './ws-connections.js';

/**
 * Live events of the caller's meshes over graphql-ws (ADR 0019). The tenant is the connection's,
 * authenticated in `connection_init`; arguments only choose among its own meshes.
 */
@Resolver()
@Authenticate('tenant')
export class FleetSubscriptionsResolver {
  constructor(private readonly subscriptions: FleetSubscriptions) {}

  @Subscription(() => ProxyEvent, {
    description:
      "The mesh's proxies connecting, disconnecting, NACKing (with Envoy's error text and resources) and ACKing compiled versions.",
    resolve: (event: ProxyEvent) => event,
  })
  proxyEvents(
    @CurrentScope() scope: TenantScope,
    @Context(WS_CONNECTION) connection: WsConnection | undefined,
    @Args('meshName') meshName: string,
    @Args('name', {
      type: () => String,
      nullable: true,
      description: 'Only the proxies running as this virtual node or virtual gateway.',
    })
    name?: string | null,
    @Args('types', { type: () => [ProxyEventType], nullable: true, description: 'Only events of these types.' })
    types?: ProxyEventType[] | null,
  ): Promise<AsyncIterableIterator<ProxyEvent>> {
    return this.subscriptions.proxyEvents(scope, connection, meshName, {
      ...(name === null || name === undefined ? {} : { name }),
      ...(types ? { types } : {}),
    });
  }

  @Subscription(() => MeshPropagation, {
    description:
      "The mesh's propagation (as Mesh.propagation): the current state first, then each time it changes (a compile, a proxy connecting, leaving, ACKing or NACKing).",
    resolve: (propagation: MeshPropagation) => propagation,
  })
  meshPropagation(
    @CurrentScope() scope: TenantScope,
    @Context(WS_CONNECTION) connection: WsConnection | undefined,
    @Args('meshName') meshName: string,
  ): Promise<AsyncIterableIterator<MeshPropagation>> {
    return this.subscriptions.propagation(scope, connection, meshName, false);
  }

  @Subscription(() => MeshPropagation, {
    description:
      'Each generation of the mesh that is fully propagated: compiled, published, and ACKed by every connected proxy (inSync). The current one first, when it is.',
    resolve: (propagation: MeshPropagation) => propagation,
  })
  meshPropagated(
    @CurrentScope() scope: TenantScope,
    @Context(WS_CONNECTION) connection: WsConnection | undefined,
    @Args('meshName') meshName: string,
  ): Promise<AsyncIterableIterator<MeshPropagation>> {
    return this.subscriptions.propagation(scope, connection, meshName, true);
  }

  @Subscription(() => RejectedChange, {
    description:
      'Changes of the mesh that compiled and were not published (ADR 0006), with the problems that stopped them.',
    resolve: (change: RejectedChange) => change,
  })
  meshRejections(
    @CurrentScope() scope: TenantScope,
    @Context(WS_CONNECTION) connection: WsConnection | undefined,
    @Args('meshName') meshName: string,
  ): Promise<AsyncIterableIterator<RejectedChange>> {
    return this.subscriptions.rejections(scope, connection, meshName);
  }
}
