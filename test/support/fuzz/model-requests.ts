import type { AppMeshModel, OperationSpec, ShapeSpec } from '../../../src/meshes/api-model/app-mesh-model.js';

/**
 * Requests for the App Mesh surface generated from the model itself: a valid-shaped input for an
 * operation, then one mutation of one member (NUL, lone surrogates, lengths at and past the
 * limits, `/` in names, huge and negative numbers, wrong types, invalid regexes, unknown or
 * missing members, deep nesting, every bounded number at its minimum or maximum, every free-text
 * string replaced by text with characters that mean something to URLs, headers, Envoy or SQL). Deterministic for a given random source.
 */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
}

/** mulberry32: tiny, fast and good enough to pick cases; one seed gives one sequence. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return {
    next() {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}

const pick = <T>(rng: Random, items: readonly T[]): T => items[Math.floor(rng.next() * items.length)]!;
const between = (rng: Random, lo: number, hi: number) => lo + Math.floor(rng.next() * (hi - lo + 1));

/**
 * JSON written out as given: a number literal (so 2^63-1 travels exactly, past what a JS number
 * holds), or nesting deeper than JSON.stringify can recurse.
 */
export class NumberLiteral {
  constructor(readonly text: string) {}
}

export const MUTATIONS = [
  'none',
  'nul',
  'loneSurrogate',
  'length255',
  'length256',
  'astral256',
  'slash',
  'dotSegment',
  'controlCharacters',
  'lineBreak',
  'emptyString',
  'hugeNumber',
  'negativeNumber',
  'fraction',
  'wrongType',
  'invalidRegex',
  'unknownMember',
  'missingRequired',
  'deepNesting',
  'longList',
  'extremes',
  'oddText',
] as const;
export type Mutation = (typeof MUTATIONS)[number];

/** Text that is valid everywhere yet means something to URLs, headers, Envoy, regexes or SQL. */
const ODD_TEXT = [
  '*',
  '*.example.com',
  'a*b',
  '/a b/%zz?x=1#f',
  '100%',
  '%REQ(x)%',
  'it\'s "quoted" \\ ;--',
  'Ünïcödé.例え.テスト',
  'UPPER.Case.Local',
  ':authority',
  'a:b:c',
  '{}[]()<>',
  ' leading and trailing ',
  'x'.repeat(255),
  '\u{1F600}',
  '\t tab',
];

/** Names of resources the fuzz tenant owns, so that generated requests reach past NotFound. */
export const EXISTING_NAMES = ['fuzz', 'node', 'router', 'route', 'gateway', 'groute', 'svc.fuzz.local'];

export interface GeneratedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly body?: string;
  readonly mutation: Mutation;
  /** Where the mutation landed: `body.spec.listeners[0]`, `uri.meshName`, `query.limit`. */
  readonly target: string;
  /** A URI label ended up empty, so the path names no operation. */
  readonly emptyLabel: boolean;
}

type Json = unknown;

interface Slot {
  readonly where: 'uri' | 'querystring' | 'body';
  /** The value's container and key within it. */
  readonly parent: Record<string, Json> | Json[];
  readonly key: string | number;
  readonly path: string;
  readonly shape: ShapeSpec;
  /** The member this value is, e.g. `regex` (for structure members). */
  readonly member?: string;
}

interface Structure {
  readonly value: Record<string, Json>;
  readonly shape: ShapeSpec & { type: 'structure' };
  readonly path: string;
}

export class ModelRequestGenerator {
  constructor(private readonly model: AppMeshModel) {}

  generate(op: OperationSpec, mutation: Mutation, rng: Random): GeneratedRequest {
    const input = this.model.shape(op.inputShape);
    if (input.type !== 'structure') throw new Error(`${op.inputShape} is not a structure`);
    const uri: Record<string, Json> = {};
    const query: Record<string, Json> = {};
    const body: Record<string, Json> = {};
    const slots: Slot[] = [];
    const structures: Structure[] = [{ value: body, shape: input, path: 'body' }];
    for (const m of input.members) {
      const where = m.location === 'uri' ? 'uri' : m.location === 'querystring' ? 'querystring' : 'body';
      if (where !== 'uri' && !m.required && rng.next() < 0.5) continue;
      const container = where === 'uri' ? uri : where === 'querystring' ? query : body;
      const shape = this.model.shape(m.shape);
      const value =
        m.name.endsWith('Name') && shape.type === 'string' && rng.next() < 0.7
          ? pick(rng, EXISTING_NAMES)
          : this.value(
              shape,
              rng,
              0,
              where === 'body' ? `body.${m.locationName}` : `${where}.${m.locationName}`,
              slots,
              structures,
              where,
            );
      container[m.locationName] = value;
      slots.push({
        where,
        parent: container,
        key: m.locationName,
        path: `${where}.${m.locationName}`,
        shape,
        member: m.name,
      });
    }
    const target = this.mutate(mutation, slots, structures, rng);
    let emptyLabel = false;
    const path = op.requestUri.split('?')[0]!.replace(/\{([A-Za-z0-9_]+)\}/g, (_, label: string) => {
      const text = textOf(uri[label]);
      if (text === '') emptyLabel = true;
      return encodeURIComponent(text);
    });
    const queryText: Record<string, string> = {};
    for (const [k, v] of Object.entries(query)) queryText[k] = textOf(v);
    // GET and DELETE carry no body (the model gives them no body members); an unknown member of
    // their input travels in the query string instead.
    const hasBody = op.method === 'PUT' || op.method === 'POST' || op.method === 'PATCH';
    if (!hasBody) for (const [k, v] of Object.entries(body)) queryText[k] = textOf(v);
    return {
      method: op.method,
      path,
      query: queryText,
      ...(hasBody ? { body: encodeJson(body) } : {}),
      mutation,
      target,
      emptyLabel,
    };
  }

  private value(
    shape: ShapeSpec,
    rng: Random,
    depth: number,
    path: string,
    slots: Slot[],
    structures: Structure[],
    where: Slot['where'],
  ): Json {
    switch (shape.type) {
      case 'string': {
        if (shape.enum) return pick(rng, shape.enum);
        const lo = Math.max(shape.min ?? 1, 1);
        const hi = Math.max(lo, Math.min(shape.max ?? 16, 16));
        const n = between(rng, lo, hi);
        let s = '';
        for (let i = 0; i < n; i++) s += pick(rng, [...'abcdefghijklmnopqrstuvwxyz0123456789']);
        return s;
      }
      case 'integer':
      case 'long': {
        const lo = shape.min ?? 0;
        const hi = Math.min(shape.max ?? lo + 1000, lo + 100_000);
        return between(rng, lo, hi);
      }
      case 'float':
      case 'double':
        return (shape.min ?? 0) + rng.next() * Math.min((shape.max ?? 100) - (shape.min ?? 0), 100);
      case 'boolean':
        return rng.next() < 0.5;
      case 'timestamp':
        return 1767225600 + between(rng, 0, 1000);
      case 'blob':
        return 'YmxvYg==';
      case 'list': {
        const member = this.model.shape(shape.member);
        const n = depth > 6 ? (shape.min ?? 0) : between(rng, shape.min ?? 0, Math.min(shape.max ?? 2, 2));
        const out: Json[] = [];
        for (let i = 0; i < n; i++) {
          out.push(this.value(member, rng, depth + 1, `${path}[${i}]`, slots, structures, where));
          slots.push({ where, parent: out, key: i, path: `${path}[${i}]`, shape: member });
        }
        return out;
      }
      case 'map': {
        const out: Record<string, Json> = {};
        const n = between(rng, shape.min ?? 0, Math.min(shape.max ?? 2, 2));
        for (let i = 0; i < n; i++) {
          const k = `k${i}`;
          out[k] = this.value(this.model.shape(shape.value), rng, depth + 1, `${path}.${k}`, slots, structures, where);
        }
        return out;
      }
      case 'structure': {
        const out: Record<string, Json> = {};
        const members = shape.union ? [pick(rng, shape.members)] : shape.members;
        for (const m of members) {
          if (!shape.union && !m.required && (depth > 6 || rng.next() < 0.5)) continue;
          const memberShape = this.model.shape(m.shape);
          const at = `${path}.${m.locationName}`;
          out[m.locationName] = this.value(memberShape, rng, depth + 1, at, slots, structures, where);
          slots.push({ where, parent: out, key: m.locationName, path: at, shape: memberShape, member: m.name });
        }
        structures.push({ value: out, shape, path });
        return out;
      }
    }
  }

  /** Applies one mutation in place; returns where it landed. */
  private mutate(mutation: Mutation, slots: Slot[], structures: Structure[], rng: Random): string {
    const set = (candidates: Slot[], value: Json): string => {
      if (candidates.length === 0) return 'nowhere';
      const slot = pick(rng, candidates);
      (slot.parent as Record<string | number, Json>)[slot.key] = value;
      return slot.path;
    };
    const strings = slots.filter((s) => s.shape.type === 'string');
    const textual = strings.length > 0 ? strings : slots;
    const inBody = (list: Slot[]) => list.filter((s) => s.where === 'body');
    const numbers = slots.filter((s) => ['integer', 'long', 'float', 'double'].includes(s.shape.type));
    switch (mutation) {
      case 'none':
        return 'nothing';
      case 'nul':
        return set(textual, `a\u0000b`);
      case 'loneSurrogate':
        // Only JSON can carry a lone surrogate (as a \ud800 escape); a URI cannot encode one.
        return set(inBody(textual), pick(rng, ['\ud800', 'x\udfff', '\udc00\ud800']));
      case 'length255':
        return set(textual, 'n'.repeat(255));
      case 'length256':
        return set(textual, pick(rng, ['n'.repeat(256), 'n'.repeat(5000)]));
      case 'astral256':
        return set(textual, '\u{1F600}'.repeat(256));
      case 'slash':
        return set(textual, pick(rng, ['x/virtualNode/y', '/', 'a/b']));
      case 'dotSegment':
        return set(textual, pick(rng, ['.', '..']));
      case 'controlCharacters':
        return set(textual, pick(rng, ['a\nb', '\t', '\u001f\u007f\u0085']));
      case 'lineBreak':
        return set(textual, pick(rng, ['a\r\nb', '\n', 'x\r']));
      case 'emptyString':
        return set(textual, '');
      case 'hugeNumber':
        return set(
          numbers.length > 0 ? inBody(numbers).concat(numbers) : slots,
          pick(rng, [
            new NumberLiteral('9223372036854775807'),
            new NumberLiteral('18446744073709551616'),
            new NumberLiteral('1e400'),
            new NumberLiteral('9007199254740993'),
            2 ** 53,
          ]),
        );
      case 'negativeNumber':
        return set(
          numbers.length > 0 ? numbers : slots,
          pick(rng, [-1, new NumberLiteral('-9223372036854775808'), -0]),
        );
      case 'fraction':
        return set(numbers.length > 0 ? numbers : slots, pick(rng, [1.5, new NumberLiteral('1e-400'), 0.1]));
      case 'wrongType':
        return set(inBody(slots), pick(rng, [true, [], {}, 'text', 42, null, [[]], { a: 1 }]));
      case 'invalidRegex': {
        const regexes = slots.filter((s) => s.member === 'regex');
        return set(
          regexes.length > 0 ? regexes : textual,
          pick(rng, ['(a', '(?=x)', '(a)\\1', 'a{1001}', '[z-a]', '*']),
        );
      }
      case 'unknownMember': {
        const s = pick(rng, structures);
        const key = pick(rng, ['notAMember', '__proto__', 'constructor', 'toString', 'hasOwnProperty', '\u0000']);
        Object.defineProperty(s.value, key, { value: 1, enumerable: true, configurable: true, writable: true });
        return `${s.path}.${key}`;
      }
      case 'missingRequired': {
        const withRequired = structures.filter((s) =>
          s.shape.members.some((m) => m.required && m.locationName in s.value),
        );
        if (withRequired.length === 0) return 'nowhere';
        const s = pick(rng, withRequired);
        const m = pick(
          rng,
          s.shape.members.filter((x) => x.required && x.locationName in s.value),
        );
        delete s.value[m.locationName];
        return `${s.path}.${m.locationName}`;
      }
      case 'deepNesting': {
        const depth = pick(rng, [64, 1000, 20000]);
        const [open, close] = pick(rng, [
          ['[', ']'],
          ['{"a":', '}'],
        ]);
        return set(inBody(slots), new NumberLiteral(`${open.repeat(depth)}"x"${close.repeat(depth)}`));
      }
      case 'extremes': {
        // Every bounded number at one end of its range: valid input that reaches what it becomes
        // (an Envoy field) at its limit.
        const bounded = numbers.filter((s) => s.shape.type !== 'float' && s.shape.type !== 'double');
        for (const slot of bounded) {
          const { min, max } = slot.shape as { min?: number; max?: number };
          const end = rng.next() < 0.5 ? (min ?? max) : (max ?? min);
          if (end !== undefined) (slot.parent as Record<string | number, Json>)[slot.key] = end;
        }
        return bounded.length > 0 ? 'every bounded number' : 'nowhere';
      }
      case 'oddText': {
        // Valid text (no NUL, no lone surrogate) that means something elsewhere: wildcards,
        // Envoy's %, separators of URLs and headers, quotes, non-ASCII, letter case.
        const free = strings.filter(
          (s) => !('enum' in s.shape && s.shape.enum) && s.where === 'body' && !s.member?.endsWith('Name'),
        );
        for (const slot of free) {
          const { min = 1, max = 255 } = slot.shape as { min?: number; max?: number };
          const text = pick(rng, ODD_TEXT);
          const fitted = [...text].length > max ? [...text].slice(0, max).join('') : text.padEnd(min, 'x');
          (slot.parent as Record<string | number, Json>)[slot.key] = fitted;
        }
        return free.length > 0 ? 'every free-text string' : 'nowhere';
      }
      case 'longList':
        return set(
          inBody(slots),
          Array.from({ length: 2000 }, (_, i) => ({ key: `k${i}`, value: '\u0000' })),
        );
    }
  }
}

function textOf(value: Json): string {
  if (value instanceof NumberLiteral) return value.text;
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** JSON text, with number literals written out exactly. Iterative: bodies can nest 20,000 deep. */
export function encodeJson(value: Json): string {
  const literals: string[] = [];
  const text = JSON.stringify(value, (_k, v: unknown) => {
    if (v instanceof NumberLiteral) {
      literals.push(v.text);
      return `\u0001LITERAL${literals.length - 1}\u0001`;
    }
    return v;
  });
  return text.replace(/"\\u0001LITERAL(\d+)\\u0001"/g, (_, i: string) => literals[Number(i)]!);
}
