import type { AppMeshModel } from './app-mesh-model.js';
import { firstSentence } from './doc-summary.js';
import { FORM_SPEC_SHAPES, type FormSchema, type FormShape } from './form-schema-format.js';
import { referencedShapes, type ShapeSpec } from './shapes.js';

export * from './form-schema-format.js';

/** The schema of the seven specs, shapes in alphabetical order (a deterministic file). */
export function renderFormSchema(model: AppMeshModel): FormSchema {
  const reached = new Set<string>();
  const visit = (name: string) => {
    if (reached.has(name)) return;
    reached.add(name);
    referencedShapes(model.shape(name)).forEach(visit);
  };
  Object.values(FORM_SPEC_SHAPES).forEach(visit);
  const shapes: Record<string, FormShape> = {};
  for (const name of [...reached].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    shapes[name] = formShape(model, model.shape(name));
  }
  return { specs: FORM_SPEC_SHAPES, shapes };
}

function formShape(model: AppMeshModel, shape: ShapeSpec): FormShape {
  const bounds = (s: { min?: number; max?: number }) => ({
    ...(s.min !== undefined ? { min: s.min } : {}),
    ...(s.max !== undefined ? { max: s.max } : {}),
  });
  switch (shape.type) {
    case 'string':
      return {
        type: 'string',
        ...(shape.enum ? { enum: shape.enum } : {}),
        ...bounds(shape),
        ...(shape.pattern !== undefined ? { pattern: shape.pattern } : {}),
      };
    case 'integer':
    case 'long':
    case 'float':
    case 'double':
      return { type: shape.type, ...bounds(shape) };
    case 'boolean':
      return { type: 'boolean' };
    case 'list':
      return { type: 'list', member: shape.member, ...bounds(shape) };
    case 'structure':
      return {
        type: 'structure',
        ...(shape.union ? { union: true as const } : {}),
        members: shape.members.map((m) => {
          if (m.location !== undefined || m.locationName !== m.name) {
            throw new Error(`App Mesh model: spec member ${shape.name}.${m.name} is not a plain JSON member`);
          }
          const hint = firstSentence(m.documentation ?? model.shape(m.shape).documentation);
          return {
            name: m.name,
            shape: m.shape,
            ...(m.required ? { required: true as const } : {}),
            ...(hint !== '' ? { hint } : {}),
          };
        }),
      };
    default:
      throw new Error(`App Mesh model: ${shape.name} is a ${shape.type}, which the console's forms do not edit`);
  }
}
