import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { TYPE, type EnvoyResource, type ResourceSet } from '../../src/xds-fleet/translator/envoy-types.js';

/**
 * A minimal state-of-the-world ADS server for tests, and the encoding it uses: translator output
 * (proto3-JSON-shaped objects) → protobufjs objects → wire. It is a test harness for checking what
 * real xDS clients accept, not the product's xDS server; the encoding lives here so the product's
 * can be compared with it.
 */

/** The Envoy, xds, googleapis and validate protos that @grpc/grpc-js-xds ships (google/protobuf is built into proto-loader). */
function protoIncludeDirs(): string[] {
  const require = createRequire(import.meta.url);
  const deps = join(dirname(require.resolve('@grpc/grpc-js-xds/package.json')), 'deps');
  return ['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].map((d) => join(deps, d));
}

/** The ADS service and every message type the translator can put inside an `Any`, loaded together. */
const PROTO_FILES = [
  'envoy/service/discovery/v3/ads.proto',
  'envoy/config/listener/v3/listener.proto',
  'envoy/config/route/v3/route.proto',
  'envoy/config/cluster/v3/cluster.proto',
  'envoy/config/endpoint/v3/endpoint.proto',
  'envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto',
  'envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy.proto',
  'envoy/extensions/filters/http/router/v3/router.proto',
  'envoy/extensions/filters/listener/original_dst/v3/original_dst.proto',
  'envoy/extensions/filters/listener/http_inspector/v3/http_inspector.proto',
  'envoy/extensions/upstreams/http/v3/http_protocol_options.proto',
  'envoy/extensions/access_loggers/file/v3/file.proto',
  'envoy/extensions/transport_sockets/tls/v3/tls.proto',
  'envoy/extensions/transport_sockets/tls/v3/secret.proto',
];

let loaded: protoLoader.PackageDefinition | undefined;

/**
 * All types in one protobufjs root: only then does protobufjs pack a `google.protobuf.Any` from an
 * object carrying `'@type'` (it looks the type up in the same root).
 */
export function xdsProtos(): protoLoader.PackageDefinition {
  loaded ??= protoLoader.loadSync(PROTO_FILES, {
    keepCase: true,
    longs: String,
    enums: String,
    defaults: false,
    oneofs: true,
    includeDirs: protoIncludeDirs(),
  });
  return loaded;
}

interface FieldDescriptor {
  name: string;
  label: string;
  type: string;
  typeName: string;
}
interface MessageDescriptor {
  name: string;
  field: FieldDescriptor[];
  nestedType: MessageDescriptor[];
  options?: { mapEntry?: boolean } | null;
}

let messages: Map<string, MessageDescriptor> | undefined;

/** Every message type by full name, nested ones included (the package definition lists top-level types only). */
function messageIndex(): Map<string, MessageDescriptor> {
  if (messages) return messages;
  messages = new Map();
  const add = (name: string, message: MessageDescriptor) => {
    messages!.set(name, message);
    for (const nested of message.nestedType) add(`${name}.${nested.name}`, nested);
  };
  for (const [name, entry] of Object.entries(xdsProtos())) {
    const { format, type } = entry as { format?: string; type?: unknown };
    if (format === 'Protocol Buffer 3 DescriptorProto') add(name, type as MessageDescriptor);
  }
  return messages;
}

function descriptor(typeName: string): MessageDescriptor {
  const message = messageIndex().get(typeName);
  if (!message) throw new Error(`${typeName} is not a loaded message type`);
  return message;
}

/** A message type reference as written in a descriptor (often relative), resolved from the scope it appears in. */
function resolve(scope: string, ref: string): string {
  if (ref.startsWith('.')) return ref.slice(1);
  const parts = scope.split('.');
  for (let i = parts.length; i >= 0; i--) {
    const candidate = [...parts.slice(0, i), ref].join('.');
    if (messageIndex().has(candidate)) return candidate;
  }
  throw new Error(`cannot resolve type ${ref} from ${scope}`);
}

const WRAPPERS = new Set(
  ['Double', 'Float', 'Int64', 'UInt64', 'Int32', 'UInt32', 'Bool', 'String', 'Bytes'].map(
    (t) => `google.protobuf.${t}Value`,
  ),
);

/** A proto3 JSON Duration ("1.5s") as protobufjs wants it. */
function durationObject(text: string): { seconds: string; nanos: number } {
  const match = /^(-?)(\d+)(?:\.(\d{1,9}))?s$/.exec(text);
  if (!match) throw new Error(`not a Duration: ${text}`);
  const nanos = Number((match[3] ?? '').padEnd(9, '0'));
  return { seconds: `${match[1]}${match[2]}`, nanos: match[1] ? -nanos : nanos };
}

function valueObject(v: unknown): unknown {
  if (v === null) return { null_value: 'NULL_VALUE' };
  if (typeof v === 'number') return { number_value: v };
  if (typeof v === 'string') return { string_value: v };
  if (typeof v === 'boolean') return { bool_value: v };
  if (Array.isArray(v)) return { list_value: { values: v.map(valueObject) } };
  return { struct_value: structObject(v as Record<string, unknown>) };
}

function structObject(v: Record<string, unknown>): unknown {
  return { fields: Object.fromEntries(Object.entries(v).map(([k, x]) => [k, valueObject(x)])) };
}

/**
 * Converts a proto3-JSON-shaped object of message type `typeName` into the object form protobufjs'
 * `fromObject` takes: Durations from strings, wrapper types from bare values, Struct/Value from
 * plain JSON, `Any` kept as `{'@type', ...fields}` with its fields converted for the named type.
 * A field the message does not have is an error (a typo would otherwise vanish on the wire).
 */
export function toProtoObject(typeName: string, value: unknown, path = typeName): unknown {
  if (typeName === 'google.protobuf.Duration') return typeof value === 'string' ? durationObject(value) : value;
  if (WRAPPERS.has(typeName)) return typeof value === 'object' && value !== null ? value : { value };
  if (typeName === 'google.protobuf.Struct') return structObject(value as Record<string, unknown>);
  if (typeName === 'google.protobuf.Value') return valueObject(value);
  if (typeName === 'google.protobuf.ListValue') return { values: (value as unknown[]).map(valueObject) };
  if (typeName === 'google.protobuf.Empty') return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error(`${path}: expected a ${typeName} object, got ${JSON.stringify(value)}`);
  if (typeName === 'google.protobuf.Any') {
    const { '@type': url, ...fields } = value as Record<string, unknown>;
    if (typeof url !== 'string') throw new Error(`${path}: Any without @type`);
    return { '@type': url, ...(toProtoObject(url.slice(url.lastIndexOf('/') + 1), fields, path) as object) };
  }
  const message = descriptor(typeName);
  const out: Record<string, unknown> = {};
  for (const [key, fieldValue] of Object.entries(value as Record<string, unknown>)) {
    if (fieldValue === undefined) continue;
    const field = message.field.find((f) => f.name === key);
    if (!field) throw new Error(`${path}: ${typeName} has no field ${key}`);
    const here = `${path}.${key}`;
    if (field.type !== 'TYPE_MESSAGE') {
      out[key] = fieldValue;
      continue;
    }
    const entry = message.nestedType.find(
      (n) => n.options?.mapEntry && n.name === field.typeName.slice(field.typeName.lastIndexOf('.') + 1),
    );
    if (entry) {
      const valueField = entry.field.find((f) => f.name === 'value')!;
      const convert = (x: unknown, k: string) =>
        valueField.type === 'TYPE_MESSAGE'
          ? toProtoObject(resolve(typeName, valueField.typeName), x, `${here}.${k}`)
          : x;
      out[key] = Object.fromEntries(
        Object.entries(fieldValue as Record<string, unknown>).map(([k, x]) => [k, convert(x, k)]),
      );
      continue;
    }
    const fieldType = resolve(typeName, field.typeName);
    out[key] =
      field.label === 'LABEL_REPEATED'
        ? (fieldValue as unknown[]).map((x, i) => toProtoObject(fieldType, x, `${here}[${i}]`))
        : toProtoObject(fieldType, fieldValue, here);
  }
  return out;
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
