import { RULE, exactlyOneOf, matchPattern, notAMember, oneOf, sizeRange, valueRange } from './constraint-messages.js';
import { textProblem } from '../../common/validation/text.js';
import { compilePattern } from './patterns.js';
import type { StringRefinement } from './refinements.js';
import type { ListShape, MapShape, NumberShape, ShapeSpec, StringShape, StructureShape } from './shapes.js';

/**
 * Checks a JSON value (found at `path`, never empty: top-level members are named by the input
 * assembler) against a shape, appending `<path>: <rule>` for every problem to `errors`,
 * and returns the value as the service should see it: structures rebuilt with only their declared
 * members (keyed by member name, `null` members omitted), timestamps as `Date`s. When `errors`
 * grew, the return value is meaningless.
 */
export type Validator = (value: unknown, path: string, errors: string[]) => unknown;

export interface CompiledValidators {
  validator(shape: string): Validator;
  /** The validator of one member of a structure: its shape's, with the member's refinement if any. */
  memberValidator(structure: string, member: { readonly name: string; readonly shape: string }): Validator;
  /** Patterns JavaScript cannot compile (not enforced), by shape. */
  readonly unsupportedPatterns: ReadonlyMap<string, string>;
}

interface Cell {
  fn: Validator;
}

/** Rules beyond the model's own constraints (see refinements.ts). */
export interface Refinements {
  /** By `Structure.member`. */
  readonly members: ReadonlyMap<string, StringRefinement>;
}

const NO_REFINEMENTS: Refinements = { members: new Map() };

const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));

/** Compiles one validator per shape up front; recursive shapes go through a cell filled in later. */
export function compileValidators(
  shapes: ReadonlyMap<string, ShapeSpec>,
  refinements: Refinements = NO_REFINEMENTS,
): CompiledValidators {
  const cells = new Map<string, Cell>();
  const unsupportedPatterns = new Map<string, string>();
  const cellOf = (name: string): Cell => {
    const cell = cells.get(name);
    if (!cell) throw new Error(`App Mesh model: no shape ${name}`);
    return cell;
  };
  for (const name of shapes.keys()) cells.set(name, { fn: () => undefined });
  for (const [name, shape] of shapes) {
    cellOf(name).fn = compileShape(shape, cellOf, unsupportedPatterns, refinements);
  }
  return {
    validator: (name) => cellOf(name).fn,
    memberValidator: (structure, member) =>
      memberCell(cellOf(member.shape), refinements.members.get(`${structure}.${member.name}`)).fn,
    unsupportedPatterns,
  };
}

function compileShape(
  shape: ShapeSpec,
  cellOf: (name: string) => Cell,
  unsupported: Map<string, string>,
  refinements: Refinements,
): Validator {
  switch (shape.type) {
    case 'string':
      return stringValidator(shape, unsupported);
    case 'integer':
    case 'long':
      return integerValidator(shape);
    case 'float':
    case 'double':
      return numberValidator(shape);
    case 'boolean':
      return (value, path, errors) => {
        if (typeof value !== 'boolean') errors.push(`${path}: ${RULE.boolean}`);
        return value;
      };
    case 'timestamp':
      return (value, path, errors) => {
        if (typeof value !== 'number' || !Number.isFinite(value)) {
          errors.push(`${path}: ${RULE.timestamp}`);
          return undefined;
        }
        return new Date(Math.round(value * 1000));
      };
    case 'blob':
      return (value, path, errors) => {
        if (typeof value !== 'string') errors.push(`${path}: ${RULE.string}`);
        else checkText(value, path, errors);
        return value;
      };
    case 'list':
      return listValidator(shape, cellOf(shape.member));
    case 'map':
      return mapValidator(shape, cellOf(shape.key), cellOf(shape.value));
    case 'structure':
      return structureValidator(shape, cellOf, refinements.members);
  }
}

/** Text PostgreSQL and UTF-8 cannot hold (NUL, lone surrogates) is refused in every string. */
function checkText(value: string, path: string, errors: string[]): boolean {
  const rule = textProblem(value);
  if (rule === undefined) return true;
  errors.push(`${path}: ${rule}`);
  return false;
}

/** A member's cell: its shape's, refined. Reads the shape's cell when called (recursive shapes are filled in later). */
function memberCell(cell: Cell, refine: StringRefinement | undefined): Cell {
  return refine === undefined ? cell : { fn: refined((v, p, e) => cell.fn(v, p, e), refine) };
}

/** Applies a refinement to a value that passed its shape's own checks. */
function refined(fn: Validator, refine: StringRefinement): Validator {
  return (value, path, errors) => {
    const before = errors.length;
    const out = fn(value, path, errors);
    if (errors.length === before && typeof value === 'string') {
      const rule = refine(value);
      if (rule !== undefined) errors.push(`${path}: ${rule}`);
    }
    return out;
  };
}

/** Smithy lengths count Unicode code points, which never exceed UTF-16 code units. */
function codePoints(value: string): number {
  let n = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff || i + 1 >= value.length) n++;
    else {
      const d = value.charCodeAt(i + 1);
      n++;
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
  }
  return n;
}

function stringValidator(shape: StringShape, unsupported: Map<string, string>): Validator {
  const values = shape.enum ? new Set(shape.enum) : undefined;
  const enumRule = shape.enum ? oneOf(shape.enum) : '';
  const lengthRule = sizeRange('characters', shape.min, shape.max);
  const min = shape.min ?? 0;
  const max = shape.max ?? Number.POSITIVE_INFINITY;
  const compiled = shape.pattern === undefined ? undefined : compilePattern(shape.pattern);
  if (compiled?.unsupported !== undefined) unsupported.set(shape.name, compiled.unsupported);
  const regex = compiled?.regex;
  const patternRule = shape.pattern === undefined ? '' : matchPattern(shape.pattern);
  return (value, path, errors) => {
    if (typeof value !== 'string') {
      errors.push(`${path}: ${RULE.string}`);
      return value;
    }
    if (!checkText(value, path, errors)) return value;
    if (values !== undefined && !values.has(value)) {
      errors.push(`${path}: ${enumRule}`);
    } else if (lengthRule !== undefined) {
      // Code units bound code points from above and (halved) from below: count only when it matters.
      const units = value.length;
      const n = units <= max && units >= 2 * min ? units : codePoints(value);
      if (n < min || n > max) errors.push(`${path}: ${lengthRule}`);
      else if (regex !== undefined && !regex.test(value)) errors.push(`${path}: ${patternRule}`);
    } else if (regex !== undefined && !regex.test(value)) {
      errors.push(`${path}: ${patternRule}`);
    }
    return value;
  };
}

function integerValidator(shape: NumberShape): Validator {
  const rule = valueRange(shape.min, shape.max);
  const min = shape.min ?? Number.NEGATIVE_INFINITY;
  const max = shape.max ?? Number.POSITIVE_INFINITY;
  return (value, path, errors) => {
    // A bound of the model's own (a port's 65535) is the clearer message when both are broken.
    if (typeof value !== 'number' || !Number.isInteger(value)) errors.push(`${path}: ${RULE.integer}`);
    else if (value < min || value > max) errors.push(`${path}: ${rule ?? ''}`);
    else if (!Number.isSafeInteger(value)) errors.push(`${path}: ${RULE.safeInteger}`);
    return value;
  };
}

function numberValidator(shape: NumberShape): Validator {
  const rule = valueRange(shape.min, shape.max);
  const min = shape.min ?? Number.NEGATIVE_INFINITY;
  const max = shape.max ?? Number.POSITIVE_INFINITY;
  return (value, path, errors) => {
    if (typeof value !== 'number' || !Number.isFinite(value)) errors.push(`${path}: ${RULE.number}`);
    else if (value < min || value > max) errors.push(`${path}: ${rule ?? ''}`);
    return value;
  };
}

function listValidator(shape: ListShape, member: Cell): Validator {
  const rule = sizeRange('items', shape.min, shape.max);
  const min = shape.min ?? 0;
  const max = shape.max ?? Number.POSITIVE_INFINITY;
  return (value, path, errors) => {
    if (!Array.isArray(value)) {
      errors.push(`${path}: ${RULE.list}`);
      return undefined;
    }
    if (rule !== undefined && (value.length < min || value.length > max)) errors.push(`${path}: ${rule}`);
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = member.fn(value[i], `${path}[${i}]`, errors);
    return out;
  };
}

function mapValidator(shape: MapShape, key: Cell, entry: Cell): Validator {
  const rule = sizeRange('entries', shape.min, shape.max);
  const min = shape.min ?? 0;
  const max = shape.max ?? Number.POSITIVE_INFINITY;
  return (value, path, errors) => {
    if (!isPlainObject(value)) {
      errors.push(`${path}: ${RULE.object}`);
      return undefined;
    }
    const keys = Object.keys(value);
    if (rule !== undefined && (keys.length < min || keys.length > max)) errors.push(`${path}: ${rule}`);
    const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const k of keys) {
      const at = memberPath(path, k);
      key.fn(k, `${at} (key)`, errors);
      out[k] = entry.fn(value[k], at, errors);
    }
    return out;
  };
}

interface CompiledMember {
  readonly name: string;
  /** The JSON key. */
  readonly key: string;
  readonly required: boolean;
  /** `.key` or `["key"]`, appended to the parent's path. */
  readonly step: string;
  /** The key also names something on Object.prototype, so presence needs an own-property check. */
  readonly shadowsPrototype: boolean;
  readonly cell: Cell;
}

function structureValidator(
  shape: StructureShape,
  cellOf: (name: string) => Cell,
  memberRefinements: ReadonlyMap<string, StringRefinement>,
): Validator {
  const members: CompiledMember[] = shape.members.map((m) => {
    const refine = memberRefinements.get(`${shape.name}.${m.name}`);
    const cell = cellOf(m.shape);
    return {
      name: m.name,
      key: m.locationName,
      required: m.required,
      step: memberPath('_', m.locationName).slice(1),
      shadowsPrototype: PROTOTYPE_KEYS.has(m.locationName),
      cell: memberCell(cell, refine),
    };
  });
  const keys: ReadonlySet<string> = new Set(members.map((m) => m.key));
  const unionRule = shape.union ? exactlyOneOf(members.map((m) => m.key)) : undefined;
  const unknownRule = notAMember(shape.name);
  return (value, path, errors) => {
    if (!isPlainObject(value)) {
      errors.push(`${path}: ${RULE.object}`);
      return undefined;
    }
    const out: Record<string, unknown> = {};
    let present = 0;
    let set = 0;
    for (const m of members) {
      const v = m.shadowsPrototype && !Object.hasOwn(value, m.key) ? undefined : value[m.key];
      if (v === undefined || v === null) {
        if (v === null) present++;
        if (m.required) errors.push(`${path}${m.step}: ${RULE.required}`);
        continue;
      }
      present++;
      set++;
      out[m.name] = m.cell.fn(v, path + m.step, errors);
    }
    if (unionRule !== undefined && set !== 1) errors.push(`${path}: ${unionRule}`);
    if (present !== Object.keys(value).length) {
      for (const k of Object.keys(value)) {
        if (!keys.has(k)) errors.push(`${memberPath(path, k)}: ${unknownRule}`);
      }
    }
    return out;
  };
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `spec.listeners`, or `tags["odd key"]` for keys that are not identifiers. */
export function memberPath(parent: string, key: string): string {
  const step = IDENTIFIER.test(key) ? key : `[${JSON.stringify(key)}]`;
  if (parent === '') return step;
  return step.startsWith('[') ? parent + step : `${parent}.${step}`;
}
