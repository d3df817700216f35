import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { toProtoObject, xdsRoot } from '../../src/xds-fleet/encoding/protos.js';
import { TYPE, type EnvoyResource, type ResourceSet } from '../../src/xds-fleet/translator/envoy-types.js';

/**
 * A minimal state-of-the-world ADS server for tests that check what real xDS clients accept of
 * the translator's output in isolation (no API, worker or Redis), and that record what a client
 * sends. Not the product's xDS server (src/xds-fleet/server); it shares the product's protobuf
 * conversion (src/xds-fleet/encoding/protos.ts).
 */

let loaded: protoLoader.PackageDefinition | undefined;

/**
 * The production encoder's proto set (all types in one protobufjs root: only then does protobufjs
 * pack a `google.protobuf.Any` from an object carrying `'@type'`), as a gRPC package definition.
 */
export function xdsProtos(): protoLoader.PackageDefinition {
  loaded ??= protoLoader.fromJSON(xdsRoot().toJSON(), {
    keepCase: true,
    longs: String,
    enums: String,
    defaults: false,
    oneofs: true,
  });
  return loaded;
}

/** Resource type URL → where a view keeps those resources and how each is named. */
const KINDS: Record<string, { kind: keyof ResourceSet; nameOf: (r: EnvoyResource) => string }> = {
  [TYPE.listener]: { kind: 'listeners', nameOf: (r) => r['name'] as string },
  [TYPE.routeConfiguration]: { kind: 'routes', nameOf: (r) => r['name'] as string },
  [TYPE.cluster]: { kind: 'clusters', nameOf: (r) => r['name'] as string },
  [TYPE.clusterLoadAssignment]: { kind: 'endpoints', nameOf: (r) => r['cluster_name'] as string },
  [TYPE.secret]: { kind: 'secrets', nameOf: (r) => r['name'] as string },
};

/** One DiscoveryResponse for the requested resources (all of the type when `names` is empty: wildcard). */
export function discoveryResponse(
  view: ResourceSet,
  typeUrl: string,
  names: readonly string[],
  versionInfo: string,
  nonce: string,
): unknown {
  const kind = KINDS[typeUrl];
  const all = kind ? [...view[kind.kind].values()] : [];
  const wanted = names.length === 0 ? all : all.filter((r) => names.includes(kind!.nameOf(r)));
  return toProtoObject('envoy.service.discovery.v3.DiscoveryResponse', {
    version_info: versionInfo,
    type_url: typeUrl,
    nonce,
    resources: wanted.map((r) => ({ '@type': typeUrl, ...r })),
  });
}

/** A DiscoveryRequest as received, in arrival order. */
export interface AdsRequest {
  readonly stream: number;
  readonly typeUrl: string;
  readonly resourceNames: readonly string[];
  readonly versionInfo: string;
  readonly responseNonce: string;
  /** Set on a NACK: the client rejected the response with this nonce. */
  readonly errorDetail?: { readonly code?: number; readonly message?: string };
  /** Sent on a stream's first request only. */
  readonly node?: Record<string, unknown>;
}

/** A DiscoveryResponse as sent. */
export interface AdsResponse {
  readonly stream: number;
  readonly typeUrl: string;
  readonly resourceNames: readonly string[];
  readonly versionInfo: string;
  readonly nonce: string;
}

export interface AdsServer {
  readonly port: number;
  readonly requests: AdsRequest[];
  readonly responses: AdsResponse[];
  /** Requests that rejected a response (error_detail set). */
  nacks(): AdsRequest[];
  /** Replaces what is served; later responses use it (open subscriptions are not pushed). */
  serve(view: ResourceSet): void;
  close(): void;
}

interface RawRequest {
  version_info?: string;
  node?: Record<string, unknown>;
  resource_names?: string[];
  type_url?: string;
  response_nonce?: string;
  error_detail?: { code?: number; message?: string } | null;
}

/**
 * Serves `view` over ADS (state of the world) on 127.0.0.1 (ephemeral port). Per stream and type,
 * it answers the first request and every request that changes the subscribed names, with exactly
 * the requested resources that exist; ACKs and NACKs get no answer. Versions and nonces are counters.
 */
export async function startAdsServer(view: ResourceSet): Promise<AdsServer> {
  const definition = grpc.loadPackageDefinition(xdsProtos()) as unknown as {
    envoy: { service: { discovery: { v3: { AggregatedDiscoveryService: { service: grpc.ServiceDefinition } } } } };
  };
  let current = view;
  let version = 1;
  let streams = 0;
  const requests: AdsRequest[] = [];
  const responses: AdsResponse[] = [];
  const server = new grpc.Server();
  server.addService(definition.envoy.service.discovery.v3.AggregatedDiscoveryService.service, {
    StreamAggregatedResources: (call: grpc.ServerDuplexStream<RawRequest, unknown>) => {
      const stream = ++streams;
      const subscribed = new Map<string, string>();
      let nonce = 0;
      call.on('data', (raw: RawRequest) => {
        const typeUrl = raw.type_url ?? '';
        const names = [...(raw.resource_names ?? [])];
        requests.push({
          stream,
          typeUrl,
          resourceNames: names,
          versionInfo: raw.version_info ?? '',
          responseNonce: raw.response_nonce ?? '',
          ...(raw.error_detail ? { errorDetail: raw.error_detail } : {}),
          ...(raw.node ? { node: raw.node } : {}),
        });
        if (raw.error_detail) return;
        const key = [...names].sort().join('\n');
        if (subscribed.get(typeUrl) === key) return; // an ACK
        subscribed.set(typeUrl, key);
        const sent = { stream, typeUrl, resourceNames: names, versionInfo: String(version), nonce: String(++nonce) };
        responses.push(sent);
        call.write(discoveryResponse(current, typeUrl, names, sent.versionInfo, sent.nonce));
      });
      call.on('end', () => call.end());
      call.on('error', () => undefined);
    },
    DeltaAggregatedResources: (call: grpc.ServerDuplexStream<unknown, unknown>) => {
      call.emit('error', { code: grpc.status.UNIMPLEMENTED, details: 'state of the world only' });
    },
  });
  const port = await new Promise<number>((done, fail) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, bound) =>
      err ? fail(err) : done(bound),
    ),
  );
  return {
    port,
    requests,
    responses,
    nacks: () => requests.filter((r) => r.errorDetail !== undefined),
    serve: (next) => {
      current = next;
      version++;
    },
    close: () => server.forceShutdown(),
  };
}
