import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';
import descriptor from 'protobufjs/ext/descriptor/index.js';

/**
 * The Envoy xDS API this project encodes with: a FileDescriptorSet of the Envoy release the
 * project supports (the protos go-control-plane generated its packages from), written by
 * `npm run gen:protos` (protos/main.go) and committed. Why this set and not another:
 * docs/adr/0009-envoy-proto-set.md. The path is the same from src/ and from dist/.
 */
export const ENVOY_PROTOS_URL = new URL('../../../protos/envoy-api.binpb', import.meta.url);

/** The descriptor set's bytes (also what gRPC test clients build their service definitions from). */
export function envoyProtoDescriptorSet(): Buffer {
  return readFileSync(ENVOY_PROTOS_URL);
}

let root: protobuf.Root | undefined;

/**
 * The root with every xDS message type, google.protobuf's included: field names as in the .proto
 * files (snake_case). One root for every type matters: protobufjs packs a `google.protobuf.Any`
 * from `{'@type': url, ...}` only when the named type is in the same root.
 */
export function xdsRoot(): protobuf.Root {
  if (root) return root;
  const set = descriptor.FileDescriptorSet.decode(envoyProtoDescriptorSet());
  const fromDescriptor = (protobuf.Root as unknown as { fromDescriptor(d: protobuf.Message): protobuf.Root })
    .fromDescriptor;
  const loaded = fromDescriptor(set);
  restoreMapFields(loaded);
  loaded.resolveAll();
  root = loaded;
  return loaded;
}

/**
 * Whether `entry` is the entry message protoc synthesises for a map field of `owner`: nested in
 * it, `map_entry` set, fields `key = 1` and `value = 2` only. (The option alone is not enough:
 * protobufjs' reader also sets it on the message that contains a map entry.)
 */
function isMapEntryOf(owner: protobuf.Type, entry: protobuf.Type): boolean {
  return (
    entry.parent === owner &&
    entry.options?.['map_entry'] === true &&
    entry.fieldsArray.length === 2 &&
    entry.fieldsById[1]?.name === 'key' &&
    entry.fieldsById[2]?.name === 'value'
  );
}

/**
 * protobufjs' descriptor reader leaves a `map<K, V>` field as what the descriptor spells it:
 * a repeated `XxxEntry {key = 1; value = 2}` message (the same bytes on the wire, but the object
 * form would be a list of `{key, value}`). Makes each one a map field again, as parsing the .proto
 * text would, so that objects carry maps as plain objects (`filter_metadata`, Struct `fields`).
 */
function restoreMapFields(namespace: protobuf.NamespaceBase): void {
  for (const nested of namespace.nestedArray) {
    if (nested instanceof protobuf.Type) {
      for (const field of [...nested.fieldsArray]) {
        if (!field.repeated) continue;
        const entry = field.resolve().resolvedType;
        if (!(entry instanceof protobuf.Type) || !isMapEntryOf(nested, entry)) continue;
        const key = entry.fieldsById[1]!;
        const value = entry.fieldsById[2]!;
        nested.remove(field);
        nested.add(new protobuf.MapField(field.name, field.id, key.type, value.type, field.options));
      }
    }
    if (nested instanceof protobuf.Namespace || nested instanceof protobuf.Type) restoreMapFields(nested);
  }
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
 * Converts a proto3-JSON-shaped object of message type `typeName` (what the translator produces
 * and Envoy reads as YAML) into the object form protobufjs' `fromObject` takes: Durations from
 * strings, wrapper types from bare values, Struct/Value from plain JSON, `Any` kept as
 * `{'@type', ...fields}` with its fields converted for the named type. A field the message does
 * not have, or an enum name its enum does not have, is an error: either would otherwise vanish on
 * the wire without a word (protobufjs ignores both).
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
    if (resolved instanceof protobuf.Enum) {
      for (const [i, v] of (field.repeated ? (fieldValue as unknown[]) : [fieldValue]).entries())
        checkEnumValue(resolved, v, field.repeated ? `${here}[${i}]` : here);
    }
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

/** protobufjs' fromObject drops an enum name it does not know without a word; refuse it here instead. */
function checkEnumValue(type: protobuf.Enum, value: unknown, path: string): void {
  if (typeof value === 'number' ? Number.isInteger(value) : typeof value === 'string' && value in type.values) return;
  throw new Error(`${path}: ${JSON.stringify(value)} is not a value of ${type.fullName.slice(1)}`);
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
  if ('string_value' in value) return value['string_value'];
  if ('number_value' in value) return value['number_value'];
  if ('bool_value' in value) return value['bool_value'];
  if ('struct_value' in value) return structToJson(value['struct_value']);
  if ('list_value' in value) return ((value['list_value'] as { values?: unknown[] }).values ?? []).map(valueToJson);
  return null;
}
