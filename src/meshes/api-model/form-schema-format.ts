// The console type-checks and bundles this file with its own (DOM, no Node) configuration: it
// imports nothing but types of plain modules.
import type { MemberSpec, ShapeSpec } from './shapes.js';

/**
 * The web console's form schema (ADR 0027): every shape reachable from the seven resource specs,
 * with the constraints the API's validator enforces (after meshplane's own bounds,
 * `restrictShapes`) and each member's documentation reduced to its first sentence, the form's
 * hint. The console renders its forms from it and compiles the API's own validator
 * (`compile-validator.ts`) over it, so a check in the browser is the server's check, word for word.
 * It is committed as `console/src/forms/generated/form-schema.json` (`npm run gen:console`), a JSON
 * document the bundle loads with the forms, never at first render.
 */
export interface FormSchema {
  /** The spec shape of each form kind. */
  readonly specs: Readonly<Record<FormKindId, string>>;
  readonly shapes: Readonly<Record<string, FormShape>>;
}

export type FormKindId =
  'mesh' | 'virtualNode' | 'virtualService' | 'virtualRouter' | 'route' | 'virtualGateway' | 'gatewayRoute';

export const FORM_SPEC_SHAPES: Readonly<Record<FormKindId, string>> = {
  mesh: 'MeshSpec',
  virtualNode: 'VirtualNodeSpec',
  virtualService: 'VirtualServiceSpec',
  virtualRouter: 'VirtualRouterSpec',
  route: 'RouteSpec',
  virtualGateway: 'VirtualGatewaySpec',
  gatewayRoute: 'GatewayRouteSpec',
};

/** The types a spec holds. Specs have no maps, timestamps or blobs (ADR 0018): meeting one fails generation. */
export type FormShape =
  | {
      readonly type: 'string';
      readonly enum?: readonly string[];
      readonly min?: number;
      readonly max?: number;
      readonly pattern?: string;
    }
  | { readonly type: 'integer' | 'long' | 'float' | 'double'; readonly min?: number; readonly max?: number }
  | { readonly type: 'boolean' }
  | { readonly type: 'list'; readonly member: string; readonly min?: number; readonly max?: number }
  | { readonly type: 'structure'; readonly union?: true; readonly members: readonly FormMember[] };

export interface FormMember {
  /** The JSON key (spec members are body members: name and key are the same). */
  readonly name: string;
  readonly shape: string;
  readonly required?: true;
  /** The first sentence of the model's documentation of the member (or of its shape). */
  readonly hint?: string;
}

/**
 * The schema's shapes as the validator compiler (`compileValidators`) takes them: the model's own
 * `ShapeSpec`s, which the schema only abbreviates (spec members are body members).
 */
export function shapeSpecsOf(schema: FormSchema): Map<string, ShapeSpec> {
  const out = new Map<string, ShapeSpec>();
  for (const [name, shape] of Object.entries(schema.shapes)) {
    if (shape.type !== 'structure') {
      out.set(name, { name, ...shape } as ShapeSpec);
      continue;
    }
    const members = shape.members.map((m): MemberSpec => ({
      name: m.name,
      shape: m.shape,
      required: m.required === true,
      locationName: m.name,
      idempotencyToken: false,
    }));
    out.set(name, {
      name,
      type: 'structure',
      members,
      required: members.filter((m) => m.required).map((m) => m.name),
      union: shape.union === true,
    });
  }
  return out;
}
