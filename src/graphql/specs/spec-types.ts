import type { Type } from '@nestjs/common';
import { Field, Float, InputType, Int, ObjectType, registerEnumType, type ReturnTypeFuncValue } from '@nestjs/graphql';
import { GraphQLSafeInt } from 'graphql-scalars';
import {
  AppMeshModel,
  type MemberSpec,
  type StringShape,
  type StructureShape,
} from '../../meshes/api-model/app-mesh-model.js';
import { firstSentence } from '../../meshes/api-model/doc-summary.js';

/**
 * The GraphQL types of the App Mesh specs, derived from the App Mesh model
 * (`reference/appmesh-2019-01-25.service-2.json`) when this module loads, with the same decorators
 * a hand-written code-first class would use: one object type per structure (named as in the
 * model: `VirtualNodeSpec`, `Listener`...), one input type per structure (`VirtualNodeSpecInput`)
 * and one enum per string enum (`PortProtocol`), shared by inputs and outputs. Nothing is written
 * by hand, so the types cannot drift from the model; the printed schema (`schema.gql`, checked by
 * a test) shows every change.
 *
 * Field names are the model's JSON member names, so a typed spec is the JSON the REST API takes
 * and returns, and a spec read as JSON (`specJson`) can be sent back as a typed input as is.
 *
 * - Structures with `"union": true` (exactly one member set) are `@oneOf` input objects, and
 *   object types whose members are all nullable (the one that is set is non-null).
 * - Other structures: required members are non-null, optional ones nullable, in and out.
 * - Strings are `String`, enums GraphQL enums (a value that is not a GraphQL name, such as
 *   `connection-error`, is named with `_` for `-`: `connection_error`), integers `Int`, longs
 *   `SafeInt` (integers up to 2^53, as JSON carries them), doubles `Float`, booleans `Boolean`,
 *   lists `[T!]`. The specs have no maps, timestamps or blobs: meeting one is an error at load.
 *
 * Rules the types cannot say (lengths, patterns, ranges, semantic rules) stay with the model's
 * validator and the kind rules, so a problem is named by the same field path on both APIs.
 */
class SpecTypeBuilder {
  private readonly objects = new Map<string, Type<unknown>>();
  private readonly inputs = new Map<string, Type<unknown>>();
  private readonly enums = new Map<string, object>();

  constructor(private readonly model: AppMeshModel) {}

  /** The object type of a structure shape (built with everything it refers to on first use). */
  object(shapeName: string): Type<unknown> {
    return this.structure(shapeName, 'output');
  }

  /** The input type of a structure shape. */
  input(shapeName: string): Type<unknown> {
    return this.structure(shapeName, 'input');
  }

  /** Names of every object type built: plain data read with its resource, resolved without I/O. */
  objectTypeNames(): ReadonlySet<string> {
    return new Set(this.objects.keys());
  }

  private structure(shapeName: string, side: 'input' | 'output'): Type<unknown> {
    const built = side === 'input' ? this.inputs : this.objects;
    const known = built.get(shapeName);
    if (known) return known;
    const shape = this.model.shape(shapeName);
    if (shape.type !== 'structure') throw new Error(`App Mesh model: ${shapeName} is not a structure`);
    const typeName = side === 'input' ? `${shapeName}Input` : shapeName;
    const cls = class {};
    Object.defineProperty(cls, 'name', { value: typeName });
    // Registered before the members, which may refer back to it through their type thunks.
    built.set(shapeName, cls);
    for (const member of shape.members) this.member(cls, shape, member, side);
    const description = describeShape(shape);
    if (side === 'input') {
      InputType(typeName, { ...(description ? { description } : {}), ...(shape.union ? { isOneOf: true } : {}) })(cls);
    } else {
      ObjectType(typeName, description ? { description } : {})(cls);
    }
    return cls;
  }

  private member(cls: Type<unknown>, parent: StructureShape, member: MemberSpec, side: 'input' | 'output'): void {
    const nullable = parent.union || !member.required;
    const description = firstSentence(member.documentation ?? this.model.shape(member.shape).documentation);
    const type = this.fieldType(member.shape, side);
    Field(() => type(), { nullable, ...(description ? { description } : {}) })(cls.prototype, member.locationName);
  }

  /** A thunk for the GraphQL type of a reference to a shape (lists as `[T]`, items non-null). */
  private fieldType(shapeName: string, side: 'input' | 'output'): () => ReturnTypeFuncValue {
    const shape = this.model.shape(shapeName);
    switch (shape.type) {
      case 'string':
        if (shape.enum) {
          const values = this.enumOf(shape);
          return () => values as ReturnTypeFuncValue;
        }
        return () => String;
      case 'integer':
        return () => Int;
      case 'long':
        return () => GraphQLSafeInt;
      case 'float':
      case 'double':
        return () => Float;
      case 'boolean':
        return () => Boolean;
      case 'list': {
        const item = this.fieldType(shape.member, side);
        return () => [item()];
      }
      case 'structure': {
        const cls = this.structure(shapeName, side);
        return () => cls;
      }
      default:
        throw new Error(`App Mesh model: a spec member of type ${shape.type} (${shapeName}) has no GraphQL mapping`);
    }
  }

  private enumOf(shape: StringShape): object {
    const known = this.enums.get(shape.name);
    if (known) return known;
    const values = Object.fromEntries((shape.enum ?? []).map((value) => [enumValueName(value), value]));
    const description = firstSentence(shape.documentation);
    registerEnumType(values, { name: shape.name, ...(description ? { description } : {}) });
    this.enums.set(shape.name, values);
    return values;
  }
}

/** A GraphQL name for an enum value: the value itself when it is one, `-` and `.` made `_` otherwise. */
export function enumValueName(value: string): string {
  const name = value.replace(/[^_0-9A-Za-z]/g, '_');
  if (!/^[_A-Za-z]/.test(name) || ['true', 'false', 'null'].includes(name)) {
    throw new Error(`App Mesh model: enum value ${value} has no GraphQL name`);
  }
  return name;
}

function describeShape(shape: StructureShape): string {
  return [firstSentence(shape.documentation), ...(shape.union ? ['Exactly one member is set.'] : [])]
    .filter((part) => part !== '')
    .join(' ');
}

const builder = new SpecTypeBuilder(AppMeshModel.load());

/** The object type of an App Mesh structure (`VirtualNodeSpec`, `TagRef`...). */
export function specObjectType(shapeName: string): Type<unknown> {
  return builder.object(shapeName);
}

/** The input type of an App Mesh structure (`VirtualNodeSpecInput`, `TagRefInput`...). */
export function specInputType(shapeName: string): Type<unknown> {
  return builder.input(shapeName);
}

/**
 * The spec shapes of every kind, built now: the object types must exist before the schema is
 * built, and which names are plain data is known from here on (the query cost rule reads it).
 */
export const SPEC_SHAPES = [
  'MeshSpec',
  'VirtualNodeSpec',
  'VirtualServiceSpec',
  'VirtualRouterSpec',
  'RouteSpec',
  'VirtualGatewaySpec',
  'GatewayRouteSpec',
  'TagRef',
] as const;
for (const shape of SPEC_SHAPES) {
  specObjectType(shape);
  specInputType(shape);
}

/** Object types that are App Mesh data (specs and their parts): resolved from memory, never by a query. */
export const SPEC_DATA_TYPE_NAMES: ReadonlySet<string> = builder.objectTypeNames();
