import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join } from 'node:path';
import protobuf from 'protobufjs';

/**
 * The Envoy v3 protos, loaded once into one protobufjs root. The .proto files come from
 * @grpc/grpc-js-xds, which vendors the Envoy, xds, googleapis and validate trees it needs itself
 * (google/protobuf is built into protobufjs). One root for every type matters: protobufjs packs
 * a `google.protobuf.Any` from `{'@type': url, ...}` only when the named type is in the same root.
 */
export const PROTO_FILES = [
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

/** Where the vendored proto trees are. */
export function protoIncludeDirs(): string[] {
  const require = createRequire(import.meta.url);
  const deps = join(dirname(require.resolve('@grpc/grpc-js-xds/package.json')), 'deps');
  return ['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].map((d) => join(deps, d));
}

let root: protobuf.Root | undefined;

/** Google's descriptor.proto (imported by the validate annotations) is bundled as JSON, not registered. */
function registerDescriptorProto(): void {
  const require = createRequire(import.meta.url);
  const json = require('protobufjs/google/protobuf/descriptor.json') as {
    nested: { google: { nested: { protobuf: { nested: Record<string, unknown> } } } };
  };
  protobuf.common('descriptor', json.nested.google.nested.protobuf.nested as protobuf.INamespace['nested'] & object);
}

/** The root with every xDS message type (field names as in the .proto files: snake_case). */
export function xdsRoot(): protobuf.Root {
  if (root) return root;
  registerDescriptorProto();
  const loading = new protobuf.Root();
  const dirs = protoIncludeDirs();
  const original = loading.resolvePath.bind(loading);
  loading.resolvePath = (origin, target) => {
    if (isAbsolute(target)) return target;
    for (const dir of dirs) {
      const candidate = join(dir, target);
      try {
        accessSync(candidate, constants.R_OK);
        return candidate;
      } catch {
        // not in this tree
      }
    }
    return original(origin, target);
  };
  loading.loadSync(PROTO_FILES, { keepCase: true });
  loading.resolveAll();
  root = loading;
  return root;
}

const types = new Map<string, protobuf.Type>();

/** A message type by full name, looked up once (requests are decoded with it on every ACK). */
export function messageType(name: string): protobuf.Type {
  let type = types.get(name);
  if (!type) types.set(name, (type = xdsRoot().lookupType(name)));
  return type;
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

/*
 * google.protobuf's own types come from protobufjs' bundled definitions, whose field names are
 * camelCase (`stringValue`), unlike the Envoy protos loaded with keepCase (`filter_metadata`).
 */
function valueObject(v: unknown): unknown {
  if (v === null) return { nullValue: 'NULL_VALUE' };
  if (typeof v === 'number') return { numberValue: v };
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (Array.isArray(v)) return { listValue: { values: v.map(valueObject) } };
  return { structValue: structObject(v as Record<string, unknown>) };
}

function structObject(v: Record<string, unknown>): unknown {
  return { fields: Object.fromEntries(Object.entries(v).map(([k, x]) => [k, valueObject(x)])) };
}

/**
 * Converts a proto3-JSON-shaped object of message type `typeName` (what the translator produces
 * and Envoy reads as YAML) into the object form protobufjs' `fromObject` takes: Durations from
 * strings, wrapper types from bare values, Struct/Value from plain JSON, `Any` kept as
 * `{'@type', ...fields}` with its fields converted for the named type. A field the message does
 * not have is an error: a typo would otherwise vanish on the wire.
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
  const message = messageType(typeName);
  const out: Record<string, unknown> = {};
  for (const [key, fieldValue] of Object.entries(value as Record<string, unknown>)) {
    if (fieldValue === undefined) continue;
    const field = message.fields[key];
    if (!field) throw new Error(`${path}: ${typeName} has no field ${key}`);
    const here = `${path}.${key}`;
    const resolved = field.resolve().resolvedType;
    if (!(resolved instanceof protobuf.Type)) {
      out[key] = fieldValue;
      continue;
    }
    const fieldType = resolved.fullName.slice(1);
    if (field instanceof protobuf.MapField) {
      out[key] = Object.fromEntries(
        Object.entries(fieldValue as Record<string, unknown>).map(([k, x]) => [
          k,
          toProtoObject(fieldType, x, `${here}.${k}`),
        ]),
      );
    } else if (field.repeated) {
      out[key] = (fieldValue as unknown[]).map((x, i) => toProtoObject(fieldType, x, `${here}[${i}]`));
    } else {
      out[key] = toProtoObject(fieldType, fieldValue, here);
    }
  }
  return out;
}

/** Encodes one proto3-JSON-shaped message of type `typeName` to protobuf bytes. */
export function encodeMessage(typeName: string, value: unknown): Uint8Array {
  const type = messageType(typeName);
  return type.encode(type.fromObject(toProtoObject(typeName, value) as Record<string, unknown>)).finish();
}

/** Decodes protobuf bytes of `typeName` into a plain object (snake_case fields, enums as names, 64-bit ints as strings). */
export function decodeMessage(typeName: string, bytes: Uint8Array): Record<string, unknown> {
  const type = messageType(typeName);
  return type.toObject(type.decode(bytes), { longs: String, enums: String, defaults: false, oneofs: false });
}

/** A `google.protobuf.Struct` as protobufjs decodes it, back to plain JSON. */
export function structToJson(struct: unknown): Record<string, unknown> {
  const fields = (struct as { fields?: Record<string, unknown> } | undefined)?.fields ?? {};
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, valueToJson(v)]));
}

function valueToJson(v: unknown): unknown {
  const value = v as Record<string, unknown>;
  if ('stringValue' in value) return value['stringValue'];
  if ('numberValue' in value) return value['numberValue'];
  if ('boolValue' in value) return value['boolValue'];
  if ('structValue' in value) return structToJson(value['structValue']);
  if ('listValue' in value) return ((value['listValue'] as { values?: unknown[] }).values ?? []).map(valueToJson);
  return null;
}
