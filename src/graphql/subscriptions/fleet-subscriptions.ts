import { Injectable } from '@nestjs/common';
import type { TenantScope } from '../../common/tenancy/tenant-scope.js';
import { FleetEventStream } from '../../xds-fleet/events/fleet-event-stream.js';
import type { FleetEvent, FleetEventBatch, ProxyFleetEvent } from '../../xds-fleet/events/fleet-events.js';
import { MeshStatusService } from '../../xds-fleet/status/mesh-status.service.js';
import { shapeGraphqlError } from '../errors/graphql-error-formatter.js';
import { GRAPHQL_LIMITS } from '../graphql-limits.js';
import type { MeshPropagation } from '../meshes/mesh-propagation.models.js';
import { EventQueue } from './event-queue.js';
import { nameArg } from '../meshes/name-args.js';
import { PropagationWatches } from './propagation-watches.js';
import { ProxyEventType, type ProxyEvent, type RejectedChange } from './subscription.models.js';
import { WsConnections, type WsConnection } from './ws-connections.js';

const PROXY_EVENT_TYPES: Readonly<Record<ProxyFleetEvent['type'], ProxyEventType>> = {
  proxyConnected: ProxyEventType.CONNECTED,
  proxyDisconnected: ProxyEventType.DISCONNECTED,
  proxyNacked: ProxyEventType.NACKED,
  proxySynced: ProxyEventType.ACKED,
};

export interface ProxyEventFilter {
  /** Only proxies running as this virtual node or gateway. */
  readonly name?: string;
  readonly types?: readonly ProxyEventType[];
}

/**
 * The GraphQL subscriptions over fleet events (ADR 0019), transport-free below the resolver. Each
 * starts the same way: the connection admits one more subscription (cap, rate limit), the mesh
 * is looked up in the caller's tenant (NOT_FOUND otherwise, as for queries), and only then does
 * it listen, to the caller's tenant's channel only: what it receives is the tenant's by
 * construction, whatever the arguments, and it filters by the mesh's id.
 */
@Injectable()
export class FleetSubscriptions {
  constructor(
    private readonly connections: WsConnections,
    private readonly stream: FleetEventStream,
    private readonly status: MeshStatusService,
    private readonly watches: PropagationWatches,
  ) {}

  proxyEvents(
    scope: TenantScope,
    connection: WsConnection | undefined,
    meshName: string,
    filter: ProxyEventFilter,
  ): Promise<AsyncIterableIterator<ProxyEvent>> {
    const types = filter.types && filter.types.length > 0 ? new Set(filter.types) : undefined;
    return this.fromEvents(
      scope,
      connection,
      meshName,
      (event, meshId) => {
        if (event.meshId !== meshId || !(event.type in PROXY_EVENT_TYPES)) return undefined;
        const proxy = event as ProxyFleetEvent;
        const type = PROXY_EVENT_TYPES[proxy.type];
        if ((types && !types.has(type)) || (filter.name !== undefined && proxy.name !== filter.name)) return undefined;
        return proxyEventView(proxy, type);
      },
      () => filter.name !== undefined && nameArg('name', filter.name),
    );
  }

  rejections(
    scope: TenantScope,
    connection: WsConnection | undefined,
    meshName: string,
  ): Promise<AsyncIterableIterator<RejectedChange>> {
    return this.fromEvents(scope, connection, meshName, (event, meshId) =>
      event.type === 'meshRejected' && event.meshId === meshId
        ? {
            meshName: event.meshName,
            generation: event.rejection.generation,
            at: event.rejection.at,
            reason: event.rejection.reason,
            problems: event.rejection.problems.map((p) => ({
              arn: p.arn,
              message: p.message,
              regression: p.regression,
            })),
          }
        : undefined,
    );
  }

  /**
   * The mesh's propagation: the current state, then every change of it. `onlyPropagated`: only
   * the states where a generation is fully propagated (in sync), once per generation.
   */
  async propagation(
    scope: TenantScope,
    connection: WsConnection | undefined,
    meshName: string,
    onlyPropagated: boolean,
  ): Promise<AsyncIterableIterator<MeshPropagation>> {
    return this.start(connection, async (release) => {
      const mesh = await this.status.meshRef(scope, nameArg('meshName', meshName));
      let stop: (() => void) | undefined;
      const queue = new EventQueue<MeshPropagation>(GRAPHQL_LIMITS.subscriptionQueue, () => {
        stop?.();
        release();
      });
      let propagated: string | undefined;
      stop = await this.watches.watch(scope, mesh, {
        update: (p) => {
          if (!onlyPropagated) return queue.push(p);
          if (!p.inSync || p.generation === propagated) return;
          propagated = p.generation;
          queue.push(p);
        },
        end: (err) => queue.end(shapeGraphqlError(err)),
      });
      return queue;
    });
  }

  /** A subscription to the tenant's events of one mesh, each mapped (or left out: `undefined`). */
  private fromEvents<T>(
    scope: TenantScope,
    connection: WsConnection | undefined,
    meshName: string,
    view: (event: FleetEvent, meshId: string) => T | undefined,
    args: () => void = () => undefined,
  ): Promise<AsyncIterableIterator<T>> {
    return this.start(connection, async (release) => {
      args();
      const { meshId } = await this.status.meshRef(scope, nameArg('meshName', meshName));
      let stop: (() => void) | undefined;
      const queue = new EventQueue<T>(GRAPHQL_LIMITS.subscriptionQueue, () => {
        stop?.();
        release();
      });
      stop = await this.stream.listen(scope.tenantId, {
        events: (batch: FleetEventBatch) => {
          for (const event of batch.events) {
            const shown = view(event, meshId);
            if (shown !== undefined) queue.push(shown);
          }
        },
        // Events are not replayed: what was missed is in the state (Mesh.proxies, Mesh.propagation).
        resync: () => undefined,
      });
      return queue;
    });
  }

  /** Admits the subscription on its connection, then runs `open`; errors leave in GraphQL's shape. */
  private async start<T>(
    connection: WsConnection | undefined,
    open: (release: () => void) => Promise<AsyncIterableIterator<T>>,
  ): Promise<AsyncIterableIterator<T>> {
    let release: (() => void) | undefined;
    try {
      release = await this.connections.begin(connection);
      return await open(release);
    } catch (err) {
      release?.();
      throw shapeGraphqlError(err);
    }
  }
}

function proxyEventView(event: ProxyFleetEvent, type: ProxyEventType): ProxyEvent {
  return {
    type,
    meshName: event.meshName,
    sessionId: event.sessionId,
    kind: event.kind,
    name: event.name,
    nodeId: event.nodeId,
    protocol: event.protocol,
    at: event.at,
    ...(event.type === 'proxySynced' ? { version: event.version } : {}),
    ...(event.type === 'proxyNacked' ? { nack: { ...event.nack, resources: [...event.nack.resources] } } : {}),
  };
}
