import {
  ModelFormatError,
  optionalFlag,
  optionalNumber,
  optionalString,
  optionalStringArray,
  rawObject,
  rawString,
} from './raw-json.js';

/**
 * A typed view of the botocore shapes: what the validators, serializers and the OpenAPI
 * document are generated from. Documentation strings are the model's HTML, untouched.
 */
export type ShapeSpec =
  StringShape | NumberShape | BooleanShape | TimestampShape | BlobShape | ListShape | MapShape | StructureShape;

interface ShapeBase {
  readonly name: string;
  readonly documentation?: string;
}

export interface StringShape extends ShapeBase {
  readonly type: 'string';
  readonly enum?: readonly string[];
  /** Length bounds, in Unicode code points. */
  readonly min?: number;
  readonly max?: number;
  /** As written in the model (Java-style); see `patterns.ts` for how it is compiled. */
  readonly pattern?: string;
}

export interface NumberShape extends ShapeBase {
  readonly type: 'integer' | 'long' | 'float' | 'double';
  /** Value bounds (inclusive). */
  readonly min?: number;
  readonly max?: number;
}

export interface BooleanShape extends ShapeBase {
  readonly type: 'boolean';
}

export interface TimestampShape extends ShapeBase {
  readonly type: 'timestamp';
  readonly timestampFormat?: string;
}

export interface BlobShape extends ShapeBase {
  readonly type: 'blob';
  readonly min?: number;
  readonly max?: number;
}

export interface ListShape extends ShapeBase {
  readonly type: 'list';
  readonly member: string;
  /** Size bounds (number of items). */
  readonly min?: number;
  readonly max?: number;
}

export interface MapShape extends ShapeBase {
  readonly type: 'map';
  readonly key: string;
  readonly value: string;
  /** Size bounds (number of entries). */
  readonly min?: number;
  readonly max?: number;
}

export type MemberLocation = 'uri' | 'querystring' | 'header' | 'headers' | 'statusCode';

export interface MemberSpec {
  readonly name: string;
  readonly shape: string;
  readonly required: boolean;
  /** Where restJson1 carries the member; absent for JSON body members. */
  readonly location?: MemberLocation;
  /** The URI label, query parameter or header name; for body members, the JSON key. */
  readonly locationName: string;
  readonly idempotencyToken: boolean;
  readonly documentation?: string;
}

export interface StructureShape extends ShapeBase {
  readonly type: 'structure';
  /** In model order. */
  readonly members: readonly MemberSpec[];
  readonly required: readonly string[];
  /** Exactly one member must be set. */
  readonly union: boolean;
  /** For outputs: the member that is the whole HTTP body. */
  readonly payload?: string;
  /** For error shapes. */
  readonly error?: { readonly httpStatusCode: number; readonly senderFault: boolean; readonly code?: string };
}

const LOCATIONS: ReadonlySet<string> = new Set<MemberLocation>([
  'uri',
  'querystring',
  'header',
  'headers',
  'statusCode',
]);

/** Parses `shapes` and checks that every shape reference resolves. */
export function parseShapes(raw: unknown): ReadonlyMap<string, ShapeSpec> {
  const shapes = new Map<string, ShapeSpec>();
  for (const [name, value] of Object.entries(rawObject(raw, 'shapes'))) {
    shapes.set(name, parseShape(name, rawObject(value, `shapes.${name}`)));
  }
  for (const shape of shapes.values()) {
    for (const ref of referencedShapes(shape)) {
      if (!shapes.has(ref)) throw new ModelFormatError(`a reference to ${ref} in shapes.${shape.name}`, 'a shape');
    }
  }
  return shapes;
}

/** The shapes a shape refers to directly (members, list items, map keys and values). */
export function referencedShapes(shape: ShapeSpec): string[] {
  switch (shape.type) {
    case 'structure':
      return shape.members.map((m) => m.shape);
    case 'list':
      return [shape.member];
    case 'map':
      return [shape.key, shape.value];
    default:
      return [];
  }
}

function parseShape(name: string, raw: Readonly<Record<string, unknown>>): ShapeSpec {
  const where = `shapes.${name}`;
  const type = rawString(raw.type, `${where}.type`);
  const base = { name, ...docOf(raw, where) };
  const bounds = () => ({
    ...defined('min', optionalNumber(raw.min, `${where}.min`)),
    ...defined('max', optionalNumber(raw.max, `${where}.max`)),
  });
  switch (type) {
    case 'string': {
      const values = optionalStringArray(raw.enum, `${where}.enum`);
      return {
        ...base,
        type,
        ...bounds(),
        ...(values.length > 0 ? { enum: values } : {}),
        ...defined('pattern', optionalString(raw.pattern, `${where}.pattern`)),
      };
    }
    case 'integer':
    case 'long':
    case 'float':
    case 'double':
      return { ...base, type, ...bounds() };
    case 'boolean':
      return { ...base, type };
    case 'timestamp':
      return {
        ...base,
        type,
        ...defined('timestampFormat', optionalString(raw.timestampFormat, `${where}.timestampFormat`)),
      };
    case 'blob':
      return { ...base, type, ...bounds() };
    case 'list':
      return { ...base, type, member: refOf(raw.member, `${where}.member`), ...bounds() };
    case 'map':
      return {
        ...base,
        type,
        key: refOf(raw.key, `${where}.key`),
        value: refOf(raw.value, `${where}.value`),
        ...bounds(),
      };
    case 'structure':
      return parseStructure(base, raw, where);
    default:
      throw new ModelFormatError(`${where}.type`, `a supported shape type (not ${JSON.stringify(type)})`);
  }
}

function parseStructure(
  base: { name: string; documentation?: string },
  raw: Readonly<Record<string, unknown>>,
  where: string,
): StructureShape {
  const required = optionalStringArray(raw.required, `${where}.required`);
  const rawMembers = rawObject(raw.members ?? {}, `${where}.members`);
  for (const name of required) {
    if (!(name in rawMembers)) throw new ModelFormatError(`${where}.required (${name})`, 'a member name');
  }
  const members = Object.entries(rawMembers).map(([name, value]): MemberSpec => {
    const at = `${where}.members.${name}`;
    const m = rawObject(value, at);
    const location = optionalString(m.location, `${at}.location`);
    if (location !== undefined && !LOCATIONS.has(location)) {
      throw new ModelFormatError(`${at}.location`, `one of ${[...LOCATIONS].join(', ')}`);
    }
    return {
      name,
      shape: rawString(m.shape, `${at}.shape`),
      required: required.includes(name),
      ...(location !== undefined ? { location: location as MemberLocation } : {}),
      locationName: optionalString(m.locationName, `${at}.locationName`) ?? name,
      idempotencyToken: optionalFlag(m.idempotencyToken, `${at}.idempotencyToken`),
      ...docOf(m, at),
    };
  });
  const payload = optionalString(raw.payload, `${where}.payload`);
  if (payload !== undefined && !(payload in rawMembers)) {
    throw new ModelFormatError(`${where}.payload (${payload})`, 'a member name');
  }
  const error = raw.error === undefined ? undefined : rawObject(raw.error, `${where}.error`);
  return {
    ...base,
    type: 'structure',
    members,
    required,
    union: optionalFlag(raw.union, `${where}.union`),
    ...defined('payload', payload),
    ...(error
      ? {
          error: {
            httpStatusCode: optionalNumber(error.httpStatusCode, `${where}.error.httpStatusCode`) ?? 400,
            senderFault: optionalFlag(error.senderFault, `${where}.error.senderFault`),
            ...defined('code', optionalString(error.code, `${where}.error.code`)),
          },
        }
      : {}),
  };
}

function refOf(raw: unknown, where: string): string {
  return rawString(rawObject(raw, where).shape, `${where}.shape`);
}

function docOf(raw: Readonly<Record<string, unknown>>, where: string): { documentation?: string } {
  return defined('documentation', optionalString(raw.documentation, `${where}.documentation`));
}

function defined<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
