import { DomainError } from '../../common/errors/domain-error.js';
import { RULE, notAMember, notInBody } from './constraint-messages.js';
import { type CompiledValidators, type Validator, isPlainObject, memberPath } from './compile-validator.js';
import { uriLabels, type OperationSpec } from './operations.js';
import type { MemberSpec, ShapeSpec, StructureShape } from './shapes.js';

/** The three places restJson1 puts an operation's input. Path parameters arrive URL-decoded. */
export interface HttpInputParts {
  readonly path: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: unknown;
}

export type InputAssembler = (parts: HttpInputParts) => Record<string, unknown>;

/** At most this many problems are listed in one message (a body can hold thousands of bad items). */
export const MAX_LISTED_PROBLEMS = 100;

const INVALID = Symbol('invalid');
/** Parses a URI label or query value into the JSON value its shape validates, or reports why it cannot. */
type Coercer = (raw: string, path: string, errors: string[]) => unknown;

interface TextMember {
  readonly name: string;
  readonly key: string;
  readonly required: boolean;
  readonly list: boolean;
  readonly coerce: Coercer;
  readonly validate: Validator;
}

interface BodyMember {
  readonly name: string;
  readonly key: string;
  readonly path: string;
  readonly required: boolean;
  readonly validate: Validator;
}

/**
 * Compiles, for one operation, the function that validates and merges its path, query and body
 * into the input structure, or throws `DomainError('BAD_REQUEST')` listing every problem.
 */
export function compileInputAssembler(
  op: OperationSpec,
  shapes: ReadonlyMap<string, ShapeSpec>,
  validators: CompiledValidators,
): InputAssembler {
  const input = shapes.get(op.inputShape) as StructureShape;
  const uri: TextMember[] = [];
  const query: TextMember[] = [];
  const body: BodyMember[] = [];
  const elsewhere = new Map<string, 'uri' | 'querystring'>();
  for (const m of input.members) {
    if (m.location === 'uri' || m.location === 'querystring') {
      (m.location === 'uri' ? uri : query).push(textMember(m, input.name, shapes, validators, `${op.name}.${m.name}`));
      elsewhere.set(m.name, m.location);
    } else if (m.location === undefined) {
      body.push({
        name: m.name,
        key: m.locationName,
        path: memberPath('', m.locationName),
        required: m.required,
        validate: validators.memberValidator(input.name, m),
      });
    } else {
      throw new Error(
        `App Mesh model: ${op.name} input member ${m.name} is in an unsupported location (${m.location})`,
      );
    }
  }
  const labels = uriLabels(op.requestUri).sort().join(',');
  const uriKeys = uri.map((m) => m.key).sort();
  if (labels !== uriKeys.join(',')) {
    throw new Error(`App Mesh model: ${op.name} URI labels (${labels}) do not match its uri members`);
  }
  const bodyKeys: ReadonlySet<string> = new Set(body.map((m) => m.key));
  const unknownRule = notAMember(input.name);

  return (parts) => {
    const errors: string[] = [];
    const out: Record<string, unknown> = {};
    for (const m of uri) {
      const raw = parts.path[m.key];
      if (raw === undefined) {
        if (m.required) errors.push(`${m.key}: ${RULE.required}`);
      } else {
        readText(m, raw, out, errors);
      }
    }
    for (const m of query) {
      const raw = parts.query[m.key];
      if (raw === undefined || (Array.isArray(raw) && raw.length === 0)) {
        if (m.required) errors.push(`${m.key}: ${RULE.required}`);
      } else if (m.list || typeof raw === 'string') {
        readText(m, raw, out, errors);
      } else if (raw.length === 1) {
        readText(m, raw[0] as string, out, errors);
      } else {
        errors.push(`${m.key}: ${RULE.singleValue}`);
      }
    }
    let json = parts.body;
    if (json === undefined || json === null || json === '') json = {};
    if (!isPlainObject(json)) {
      errors.push(`body: ${RULE.bodyObject}`);
    } else {
      let present = 0;
      for (const m of body) {
        const v = Object.hasOwn(json, m.key) ? json[m.key] : undefined;
        if (v !== undefined) present++;
        if (v === undefined || v === null) {
          if (m.required) errors.push(`${m.path}: ${RULE.required}`);
          continue;
        }
        out[m.name] = m.validate(v, m.path, errors);
      }
      const keys = Object.keys(json);
      if (present !== keys.length) {
        for (const k of keys) {
          if (bodyKeys.has(k)) continue;
          const location = elsewhere.get(k);
          errors.push(`${memberPath('', k)}: ${location ? notInBody(location) : unknownRule}`);
        }
      }
    }
    if (errors.length > 0) throw new DomainError('BAD_REQUEST', describeProblems(errors));
    return out;
  };
}

function readText(m: TextMember, raw: string | string[], out: Record<string, unknown>, errors: string[]): void {
  const before = errors.length;
  let value: unknown;
  if (m.list) {
    const items = typeof raw === 'string' ? [raw] : raw;
    value = items.map((item, i) => m.coerce(item, `${m.key}[${i}]`, errors));
  } else {
    value = m.coerce(raw as string, m.key, errors);
  }
  if (errors.length === before) out[m.name] = m.validate(value, m.key, errors);
}

export function describeProblems(errors: readonly string[]): string {
  if (errors.length <= MAX_LISTED_PROBLEMS) return errors.join('; ');
  const more = errors.length - MAX_LISTED_PROBLEMS;
  return `${errors.slice(0, MAX_LISTED_PROBLEMS).join('; ')}; and ${more} more problem${more === 1 ? '' : 's'}`;
}

function textMember(
  m: MemberSpec,
  structure: string,
  shapes: ReadonlyMap<string, ShapeSpec>,
  validators: CompiledValidators,
  where: string,
): TextMember {
  const shape = shapes.get(m.shape);
  const list = shape?.type === 'list';
  const scalar = shape?.type === 'list' ? shapes.get(shape.member) : shape;
  if (scalar === undefined || (list && m.location === 'uri')) {
    throw new Error(`App Mesh model: ${where} cannot be carried in the ${m.location}`);
  }
  return {
    name: m.name,
    key: m.locationName,
    required: m.required,
    list,
    coerce: coercerFor(scalar, where),
    validate: validators.memberValidator(structure, m),
  };
}

const INTEGER = /^[+-]?\d+$/;

function coercerFor(shape: ShapeSpec, where: string): Coercer {
  switch (shape.type) {
    case 'string':
    case 'blob':
      return (raw) => raw;
    case 'integer':
    case 'long':
      return (raw, path, errors) => (INTEGER.test(raw) ? Number(raw) : fail(errors, path, RULE.integer));
    case 'float':
    case 'double':
      return (raw, path, errors) => {
        const n = raw.trim() === '' ? Number.NaN : Number(raw);
        return Number.isFinite(n) ? n : fail(errors, path, RULE.number);
      };
    case 'boolean':
      return (raw, path, errors) =>
        raw === 'true' ? true : raw === 'false' ? false : fail(errors, path, RULE.boolean);
    case 'timestamp':
      // restJson1 sends query and URI timestamps as ISO 8601; the validator takes epoch seconds.
      return (raw, path, errors) => {
        const ms = Date.parse(raw);
        return Number.isNaN(ms) ? fail(errors, path, RULE.isoTimestamp) : ms / 1000;
      };
    default:
      throw new Error(`App Mesh model: ${where} (${shape.type}) cannot be carried in a URI or query string`);
  }
}

function fail(errors: string[], path: string, rule: string): typeof INVALID {
  errors.push(`${path}: ${rule}`);
  return INVALID;
}
