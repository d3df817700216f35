import { compileValidators, type Validator } from '../../../src/meshes/api-model/compile-validator.js';
import {
  shapeSpecsOf,
  type FormKindId,
  type FormSchema,
  type FormShape,
} from '../../../src/meshes/api-model/form-schema-format.js';
import { parsePath, type Spec } from '../spec/access';
import schemaJson from './generated/form-schema.json';

/**
 * The spec forms' model (ADR 0027): the schema generated from the App Mesh model at build time
 * (`npm run gen:console`) and the API's own validator compiled over it. This module is loaded on
 * demand, with the first form, so the first render of every page goes without it.
 *
 * `validate()` runs the same compiled checks as the API (types, required members, unions, enums,
 * lengths, ranges, patterns, unknown members) with the same words; the API still checks
 * everything on save (meshplane's refinements, references, the kind rules), and its answer is the
 * one that counts.
 */
export interface FormModel {
  shape(name: string): FormShape;
  specShape(kind: FormKindId): string;
  /** The validator's messages by field path (`spec.listeners[0].portMapping.port`); empty when valid. */
  validate(kind: FormKindId, spec: Spec): Map<string, string>;
  /** Whether the form has a control (or fieldset) for `path` (relative to the spec). */
  covers(kind: FormKindId, path: string): boolean;
}

const schema = schemaJson as unknown as FormSchema;

function createModel(): FormModel {
  const validators = compileValidators(shapeSpecsOf(schema));
  const shape = (name: string): FormShape => {
    const found = schema.shapes[name];
    if (!found) throw new Error(`the form schema has no shape ${name}`);
    return found;
  };
  const byKind = new Map<FormKindId, Validator>();
  return {
    shape,
    specShape: (kind) => schema.specs[kind],
    validate(kind, spec) {
      let validator = byKind.get(kind);
      if (!validator) byKind.set(kind, (validator = validators.validator(schema.specs[kind])));
      const problems: string[] = [];
      validator(spec, 'spec', problems);
      const out = new Map<string, string>();
      for (const problem of problems) {
        // `<path>: <rule>`; spec paths hold no ': ' (specs have no maps, so no quoted keys).
        const at = problem.indexOf(': ');
        const path = problem.slice(0, at);
        if (!out.has(path)) out.set(path, problem.slice(at + 2));
      }
      return out;
    },
    covers(kind, path) {
      let current = shape(schema.specs[kind]);
      for (const step of parsePath(path)) {
        if (typeof step === 'number') {
          if (current.type !== 'list') return false;
          current = shape(current.member);
        } else {
          if (current.type !== 'structure') return false;
          const member = current.members.find((m) => m.name === step);
          if (!member) return false;
          current = shape(member.shape);
        }
      }
      return true;
    },
  };
}

export const formModel: FormModel = createModel();
