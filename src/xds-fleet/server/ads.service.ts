import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { status, type Metadata, type ServerDuplexStream, type ServiceDefinition } from '@grpc/grpc-js';
import { RateLimiterMemory, RateLimiterQueue } from 'rate-limiter-flexible';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import { PlansService } from '../../billing/plans/plans.service.js';
import { DEFAULT_PORTS_KEY, parsePortsKey, portsKey } from '../cache/compiled-mesh.js';
import {
  decodeDeltaDiscoveryRequest,
  decodeDiscoveryRequest,
  type DeltaDiscoveryRequest,
  type DiscoveryRequest,
  type OutboundMessage,
  type XdsNode,
} from '../encoding/wire.js';
import { proxyEndpoint } from '../endpoints/proxy-endpoint.js';
import { nodeIdMatches } from '../identity/node-id.js';
import type { ProxyIdentity } from '../identity/proxy-identity.js';
import { SessionRegistry, type SessionRecord } from '../sessions/session-registry.js';
import { DEFAULT_PORTS } from '../translator/names.js';
import { DeltaSession } from './delta-session.js';
import { ProxyAuthority, type GuardedStream } from './proxy-authority.js';
import { SotwSession } from './sotw-session.js';
import { StreamRefused } from './stream-refused.js';
import { XdsShard } from './xds-shard.service.js';
import { XdsMetrics } from './xds.metrics.js';

const SERVICE = '/envoy.service.discovery.v3.AggregatedDiscoveryService';

/** grpc-js frames an OutboundMessage by copying it once, straight into the frame (see OutboundMessage). */
const outbound = (message: OutboundMessage) => message as unknown as Buffer;

/**
 * The ADS service with pass-through response serialisation: responses are assembled from bytes
 * encoded once per compile (see encoding/wire.ts), so grpc-js must not encode them again.
 */
export const ADS_SERVICE: ServiceDefinition = {
  StreamAggregatedResources: {
    path: `${SERVICE}/StreamAggregatedResources`,
    requestStream: true,
    responseStream: true,
    requestSerialize: (value: Buffer) => value,
    requestDeserialize: (bytes: Buffer) => decodeDiscoveryRequest(bytes),
    responseSerialize: outbound,
    responseDeserialize: (bytes: Buffer) => bytes,
  },
  DeltaAggregatedResources: {
    path: `${SERVICE}/DeltaAggregatedResources`,
    requestStream: true,
    responseStream: true,
    requestSerialize: (value: Buffer) => value,
    requestDeserialize: (bytes: Buffer) => decodeDeltaDiscoveryRequest(bytes),
    responseSerialize: outbound,
    responseDeserialize: (bytes: Buffer) => bytes,
  },
};

type AnyRequest = DiscoveryRequest | DeltaDiscoveryRequest;

/**
 * Accepts ADS streams (state of the world and Delta) and turns each into a session: admission
 * control, authentication by proxy token, `node.id` check, the identity's connection quota, and
 * waiting for the mesh's compiled snapshot before anything is served. Every stream is guarded by
 * the ProxyAuthority from its arrival to its end, which ends it when its token or tenant loses
 * its standing.
 */
@Injectable()
export class AdsService {
  private readonly log = new Logger(AdsService.name);
  /** Admission control: XDS_ADMISSION_RATE new streams a second, the rest wait in order (bounded). */
  private readonly admission: RateLimiterQueue;
  /** Streams between arrival and session start (they count towards the shard's limit). */
  private starting = 0;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly shard: XdsShard,
    private readonly authority: ProxyAuthority,
    private readonly registry: SessionRegistry,
    private readonly metrics: XdsMetrics,
    private readonly plans: PlansService,
  ) {
    this.admission = new RateLimiterQueue(new RateLimiterMemory({ points: config.xdsAdmissionRate, duration: 1 }), {
      maxQueueSize: Math.max(1, Math.floor((config.xdsAdmissionRate * config.xdsAdmissionMaxWaitMs) / 1000)),
    });
  }

  implementation() {
    return {
      StreamAggregatedResources: (call: ServerDuplexStream<DiscoveryRequest, OutboundMessage>) =>
        this.serve(call, 'sotw'),
      DeltaAggregatedResources: (call: ServerDuplexStream<DeltaDiscoveryRequest, OutboundMessage>) =>
        this.serve(call, 'delta'),
    };
  }

  private serve(call: ServerDuplexStream<AnyRequest, OutboundMessage>, protocol: 'sotw' | 'delta'): void {
    let closed = false;
    let session: SotwSession | DeltaSession | undefined;
    let record: SessionRecord | undefined;
    let admitted = false;
    const queued: AnyRequest[] = [];
    /** Resolves true once admission control lets the stream start (false: refused). Set below. */
    let cleared: Promise<boolean> = Promise.resolve(false);
    let starting = true;
    this.starting++;
    const doneStarting = () => {
      if (starting) this.starting--;
      starting = false;
    };

    const fail = (code: status, message: string) => {
      if (closed) return;
      closed = true;
      doneStarting();
      call.emit('error', { code, details: message });
    };
    const guard = this.authority.guard(fail);
    let cleaned = false;
    const cleanup = () => {
      closed = true;
      doneStarting();
      if (cleaned) return; // 'cancelled', 'close', 'end' and 'error' may all fire for one stream
      cleaned = true;
      this.authority.release(guard);
      if (session) void this.shard.detach(session, record);
      else if (admitted && record) void this.registry.remove(record.tenantId, record).catch(() => undefined);
    };
    call.on('cancelled', cleanup);
    call.on('close', cleanup);
    call.on('end', () => {
      cleanup();
      call.end();
    });
    call.on('error', () => cleanup());

    const handle = (request: AnyRequest) => {
      try {
        if (session instanceof SotwSession) session.handle(request as DiscoveryRequest);
        else if (session) session.handle(request as DeltaDiscoveryRequest);
      } catch (err) {
        this.log.error(`session ${session?.id}: ${(err as Error).stack ?? String(err)}`);
        fail(status.INTERNAL, 'internal error');
      }
    };

    call.on('data', (request: AnyRequest) => {
      if (closed) return;
      if (session) return handle(request);
      queued.push(request);
      if (queued.length > 1) return; // the first request is being processed
      const send = (message: OutboundMessage) => {
        if (!closed) call.write(message);
      };
      // Nothing is done for a stream before admission control lets it start.
      void cleared.then((ok) => {
        if (!ok || closed) return;
        this.start(guard, call.metadata, request, protocol, call.getPeer(), send, (r) => (record = r))
          .then((started) => {
            admitted = true;
            if (closed) {
              void this.shard.detach(started, record);
              return;
            }
            session = started;
            doneStarting();
            this.shard.attach(started, record!);
            for (const r of queued.splice(0)) handle(r);
          })
          .catch((err: unknown) => {
            if (err instanceof StreamRefused) {
              this.metrics.streamsRejected.inc({ reason: err.reason });
              fail(err.code, err.message);
            } else {
              this.log.error(`starting a stream: ${(err as Error).stack ?? String(err)}`);
              fail(status.UNAVAILABLE, 'the xDS server could not start this stream; retry');
            }
          });
      });
    });

    // Admission control happens before any work. Streams beyond the rate wait their turn (a
    // reconnect storm is served in order at the rate, instead of refused streams backing off for
    // ever longer), unless the queue already holds XDS_ADMISSION_MAX_WAIT_MS of them.
    if (this.shard.sessionCount + this.starting > this.config.xdsMaxStreams) {
      this.metrics.streamsRejected.inc({ reason: 'shard_full' });
      fail(status.UNAVAILABLE, 'this xDS shard is at its stream limit; retry (another shard may take it)');
      return;
    }
    cleared = this.admission.removeTokens(1).then(
      () => true,
      () => {
        this.metrics.streamsRejected.inc({ reason: 'admission' });
        fail(status.UNAVAILABLE, 'too many new xDS streams are waiting on this shard; retry with backoff');
        return false;
      },
    );
  }

  /** Authenticates, authorises and admits the stream whose first request is `first`; resolves once it can be served. */
  private async start(
    guard: GuardedStream,
    metadata: Metadata,
    first: AnyRequest,
    protocol: 'sotw' | 'delta',
    peer: string,
    send: (message: OutboundMessage) => void,
    onRecord: (r: SessionRecord) => void,
  ): Promise<SotwSession | DeltaSession> {
    const node = first.node;
    if (!node || node.id === '')
      throw new StreamRefused(
        status.INVALID_ARGUMENT,
        'the first request of a stream must carry node with node.id',
        'invalid',
      );
    const token = bearer(metadata) ?? metadataToken(node);
    if (!token)
      throw new StreamRefused(
        status.UNAUTHENTICATED,
        'missing proxy token: send "authorization: Bearer <token>" (get one from the bootstrap endpoint)',
        'unauthenticated',
      );
    const identity = await this.authority.authenticate(guard, token);
    if (!nodeIdMatches(identity, node.id, this.config.region))
      throw new StreamRefused(
        status.PERMISSION_DENIED,
        `node.id ${JSON.stringify(node.id.slice(0, 300))} does not name the resource this token is for (mesh/${identity.meshName}/${identity.kind}/${identity.name} or its ARN)`,
        'permission_denied',
      );
    const declared = proxyPorts(identity, node);
    if ('error' in declared) throw new StreamRefused(status.INVALID_ARGUMENT, declared.error, 'invalid');
    const ports = declared.key;
    const registered = proxyEndpoint(identity.kind, node, peer);
    if (registered.error !== undefined) {
      this.log.warn(
        `refused a stream of ${identity.kind} ${identity.name} (tenant ${identity.tenantId}): ${registered.error}`,
      );
      throw new StreamRefused(status.INVALID_ARGUMENT, registered.error, 'invalid');
    }

    const { plan, quotas } = await this.plans.inForce(identity.tenantId);
    const limit =
      identity.kind === 'virtualNode'
        ? quotas.connectedProxiesPerVirtualNode
        : quotas.connectedProxiesPerVirtualGateway;
    const sessionId = randomUUID();
    const record: SessionRecord = {
      tenantId: identity.tenantId,
      sessionId,
      shard: this.shard.shardId,
      meshId: identity.meshId,
      meshName: identity.meshName,
      kind: identity.kind,
      name: identity.name,
      nodeId: node.id,
      cluster: node.cluster,
      ...(node.locality ? { locality: node.locality as Record<string, string> } : {}),
      metadata: withoutToken(node.metadata),
      userAgent: `${node.userAgentName}/${node.userAgentVersion}`,
      protocol,
      peer,
      ...(registered.endpoint ? { endpoint: registered.endpoint } : {}),
      connectedAt: new Date().toISOString(),
      acked: {},
    };
    if (!(await this.registry.admit(record, identity.tenantId, limit)))
      throw new StreamRefused(
        status.RESOURCE_EXHAUSTED,
        `${identity.kind} ${identity.name} already has ${limit} connected proxies, the limit of the ${plan.name} plan`,
        'quota',
      );
    onRecord(record);

    const ref = { tenantId: identity.tenantId, meshId: identity.meshId };
    const cache = this.shard.meshCache(ref);
    await this.shard.requestVariant(ref, ports);
    await cache.ready();
    const init = {
      id: sessionId,
      identity,
      node,
      portsKey: ports,
      cache,
      reporter: this.shard,
      send,
    };
    return protocol === 'sotw' ? new SotwSession(init) : new DeltaSession(init);
  }
}

function bearer(metadata: Metadata): string | undefined {
  const value = metadata.get('authorization')[0];
  if (typeof value !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(value.trim());
  return match?.[1];
}

/** Proxyless gRPC clients cannot add headers to their xDS stream; their bootstrap carries the token in node metadata. */
function metadataToken(node: XdsNode): string | undefined {
  const token = (node.metadata['meshplane'] as { token?: unknown } | undefined)?.token;
  return typeof token === 'string' ? token : undefined;
}

/** Node metadata larger than this is not kept in the session registry (a client chooses its size). */
const MAX_RECORDED_METADATA = 8 * 1024;

/** Node metadata as the registry keeps it: never the token, and only when it is of a reasonable size. */
function withoutToken(metadata: Record<string, unknown>): Record<string, unknown> {
  const meshplane = metadata['meshplane'];
  let kept = metadata;
  if (meshplane && typeof meshplane === 'object') {
    const { token: _token, ...rest } = meshplane as Record<string, unknown>;
    kept = { ...metadata, meshplane: rest };
  }
  const size = JSON.stringify(kept).length;
  return size > MAX_RECORDED_METADATA ? { omitted: `node metadata of ${size} bytes is not recorded` } : kept;
}

/**
 * The proxy ports a virtual node's Envoy declared in its bootstrap (`node.metadata.meshplane.
 * ingressPort/egressPort`), as a variant key; the defaults otherwise. Gateways listen where their
 * spec says, so they always use the default variant. A message for an invalid declaration.
 */
function proxyPorts(identity: ProxyIdentity, node: XdsNode): { key: string } | { error: string } {
  if (identity.kind !== 'virtualNode') return { key: DEFAULT_PORTS_KEY };
  const declared = node.metadata['meshplane'] as { ingressPort?: unknown; egressPort?: unknown } | undefined;
  const ingress = declared?.ingressPort ?? DEFAULT_PORTS.ingress;
  const egress = declared?.egressPort ?? DEFAULT_PORTS.egress;
  const parsed = parsePortsKey(`${String(ingress)}-${String(egress)}`);
  if (!parsed)
    return {
      error: `node.metadata.meshplane.ingressPort/egressPort must be two different TCP ports (1-65535), got ${String(ingress)} and ${String(egress)}`,
    };
  return { key: portsKey(parsed) };
}
