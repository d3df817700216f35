/**
 * The one place the console touches App Mesh specs as the API carries them. Today every resource
 * has `spec: JSON` and every write takes `input.spec` as JSON (ADR 0017); when typed specs land,
 * only this file (and the field paths in forms.ts) change.
 */
export type Spec = Record<string, unknown>;

/** The selection that reads a resource's spec, inside a resource's fields. */
export const SPEC_SELECTION = 'spec';

/** A resource's spec as the API answered it. */
export function readSpec(resource: { readonly spec?: unknown }): Spec {
  const spec = resource.spec;
  return spec !== null && typeof spec === 'object' && !Array.isArray(spec) ? (spec as Spec) : {};
}

/** The members of a create/update input that carry the spec. */
export function specInput(spec: Spec): { spec: Spec } {
  return { spec };
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
 * and the objects it leaves empty, so an emptied optional field leaves nothing for the API to refuse.
 */
export function setAt(spec: Spec, path: string, value: unknown): Spec {
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
    return i > 0 && !Array.isArray(copy) && Object.keys(copy).length === 0 ? undefined : copy;
  };
  return put(spec, 0) as Spec;
}
