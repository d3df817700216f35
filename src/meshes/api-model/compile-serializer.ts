import type { ShapeSpec, StructureShape } from './shapes.js';

/**
 * Shapes a value for the wire: structures keep only their declared members (under their JSON
 * keys, `null`/`undefined` members omitted), timestamps become epoch seconds with a millisecond
 * fraction, `bigint`s become numbers. Shapes whose values pass through unchanged compile to
 * `undefined` so that callers copy instead of calling.
 */
export type Serializer = (value: unknown) => unknown;

interface Cell {
  fn: Serializer;
}

export interface CompiledSerializers {
  serializer(shape: string): Serializer;
}

const identity: Serializer = (value) => value;

export function compileSerializers(shapes: ReadonlyMap<string, ShapeSpec>): CompiledSerializers {
  const cells = new Map<string, Cell>();
  const passThrough = new Map<string, boolean>();
  const shapeOf = (name: string): ShapeSpec => {
    const shape = shapes.get(name);
    if (!shape) throw new Error(`App Mesh model: no shape ${name}`);
    return shape;
  };
  /** Strings, booleans, floats and lists of them need no work. */
  const isPassThrough = (name: string): boolean => {
    let known = passThrough.get(name);
    if (known === undefined) {
      const shape = shapeOf(name);
      passThrough.set(name, false); // a list can only reach itself again through a structure
      known = isScalarPassThrough(shape) || (shape.type === 'list' && isPassThrough(shape.member));
      passThrough.set(name, known);
    }
    return known;
  };
  const cellOf = (name: string): Cell => cells.get(name) as Cell;
  const callee = (name: string): Cell | undefined => (isPassThrough(name) ? undefined : cellOf(name));
  for (const name of shapes.keys()) cells.set(name, { fn: identity });
  for (const [name, shape] of shapes) {
    (cells.get(name) as Cell).fn = compileShape(shape, callee);
  }
  return { serializer: (name) => cellOf(shapeOf(name).name).fn };
}

function isScalarPassThrough(shape: ShapeSpec): boolean {
  return shape.type === 'string' || shape.type === 'boolean' || shape.type === 'float' || shape.type === 'double';
}

function compileShape(shape: ShapeSpec, callee: (name: string) => Cell | undefined): Serializer {
  switch (shape.type) {
    case 'timestamp':
      return (value) => {
        if (value instanceof Date) {
          const ms = value.getTime();
          if (Number.isNaN(ms)) throw new TypeError(`invalid Date for the timestamp shape ${shape.name}`);
          return ms / 1000;
        }
        if (typeof value === 'string') return Date.parse(value) / 1000;
        return value;
      };
    case 'integer':
    case 'long':
      return (value) => (typeof value === 'bigint' ? Number(value) : value);
    case 'blob':
      return (value) => (value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value);
    case 'list': {
      const member = callee(shape.member);
      if (member === undefined) return identity;
      return (value) => (Array.isArray(value) ? value.map((item) => member.fn(item)) : value);
    }
    case 'map': {
      const entry = callee(shape.value);
      return (value) => {
        if (typeof value !== 'object' || value === null) return value;
        const out: Record<string, unknown> = {};
        const entries = value instanceof Map ? [...(value as Map<string, unknown>)] : Object.entries(value);
        for (const [k, v] of entries) if (v !== undefined && v !== null) out[k] = entry ? entry.fn(v) : v;
        return out;
      };
    }
    case 'structure':
      return structureSerializer(shape, callee);
    default:
      return identity;
  }
}

function structureSerializer(shape: StructureShape, callee: (name: string) => Cell | undefined): Serializer {
  const members = shape.members
    .filter((m) => m.location === undefined)
    .map((m) => ({ name: m.name, key: m.locationName, own: m.name in Object.prototype, cell: callee(m.shape) }));
  return (value) => {
    if (typeof value !== 'object' || value === null) return value;
    const source = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const m of members) {
      const v = m.own && !Object.hasOwn(source, m.name) ? undefined : source[m.name];
      if (v === undefined || v === null) continue;
      out[m.key] = m.cell === undefined ? v : m.cell.fn(v);
    }
    return out;
  };
}
