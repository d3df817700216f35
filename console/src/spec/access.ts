/**
 * The one place the console touches App Mesh specs as the API carries them (ADR 0018): a resource
 * is read through `specJson` (the spec exactly as the REST API answers it), and a write passes the
 * same JSON as the typed `spec` input, whose members are App Mesh's. The one difference: enum
 * values that are not GraphQL names (the retry events `server-error`, `connection-error`,
 * `deadline-exceeded`...) are spelt with `_` in the typed input.
 */
export type Spec = Record<string, unknown>;

/** The selection that reads a resource's spec, inside a resource's fields. */
export const SPEC_SELECTION = 'spec: specJson';

/** A resource's spec as the API answered it. */
export function readSpec(resource: { readonly spec?: unknown }): Spec {
  const spec = resource.spec;
  return spec !== null && typeof spec === 'object' && !Array.isArray(spec) ? (spec as Spec) : {};
}

/** The members holding lists of enum values that have `-` in App Mesh's spelling. */
const HYPHENATED_ENUM_LISTS = new Set(['httpRetryEvents', 'tcpRetryEvents', 'grpcRetryEvents']);

/** The spec as the typed input takes it: hyphenated enum values spelt with `_`. */
function toInput(value: unknown, key?: string): unknown {
  if (Array.isArray(value)) {
    return key !== undefined && HYPHENATED_ENUM_LISTS.has(key)
      ? value.map((v) => (typeof v === 'string' ? v.replace(/-/g, '_') : v))
      : value.map((v) => toInput(v));
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toInput(v, k)]));
  }
  return value;
}

/** The members of a create/update input that carry the spec. */
export function specInput(spec: Spec): { spec: Spec } {
  return { spec: toInput(spec) as Spec };
}

type Step = string | number;

/** `a.b[0].c` → ['a', 'b', 0, 'c'], the API's field-path notation (extensions.fields). */
export function parsePath(path: string): Step[] {
  const steps: Step[] = [];
  for (const part of path.split('.')) {
    const m = /^([^[]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) throw new Error(`bad path ${path}`);
    if (m[1]) steps.push(m[1]);
    for (const idx of m[2]!.matchAll(/\[(\d+)\]/g)) steps.push(Number(idx[1]));
  }
  return steps;
}

export function getAt(spec: unknown, path: string): unknown {
  let value: unknown = spec;
  for (const step of parsePath(path)) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<Step, unknown>)[step];
  }
  return value;
}

/**
 * A copy of `spec` with `path` set to `value` (created on the way). `undefined` removes the member
 * and (unless `prune` is false) the objects it leaves empty, so an emptied optional field leaves
 * nothing for the API to refuse. The generated forms do not prune: a structure the operator added
 * stays, empty, until removed, and the validator names the members it still needs.
 */
export function setAt(spec: Spec, path: string, value: unknown, { prune = true }: { prune?: boolean } = {}): Spec {
  const steps = parsePath(path);
  const put = (node: unknown, i: number): unknown => {
    const step = steps[i]!;
    const copy: Record<Step, unknown> | unknown[] = Array.isArray(node)
      ? [...node]
      : node !== null && typeof node === 'object'
        ? { ...(node as object) }
        : typeof step === 'number'
          ? []
          : {};
    const next = i === steps.length - 1 ? value : put((copy as Record<Step, unknown>)[step], i + 1);
    if (next === undefined && !Array.isArray(copy)) delete (copy as Record<Step, unknown>)[step];
    else (copy as Record<Step, unknown>)[step] = next;
    // An object left empty goes too: `provider: { virtualNode: {} }` would be refused, none is not.
    return prune && i > 0 && !Array.isArray(copy) && Object.keys(copy).length === 0 ? undefined : copy;
  };
  return put(spec, 0) as Spec;
}
