import {
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLInputObjectType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { AppMeshModel, type StructureShape } from '../../meshes/api-model/app-mesh-model.js';
import { buildGraphqlSchema } from '../schema/print-schema.js';
import { enumValueName, SPEC_DATA_TYPE_NAMES, SPEC_SHAPES } from './spec-types.js';

/** The spec types are the model's shapes, member for member, with one rule for unions on both sides. */
describe('GraphQL spec types derived from the App Mesh model', () => {
  const model = AppMeshModel.load();
  let schema: GraphQLSchema;
  beforeAll(async () => {
    schema = await buildGraphqlSchema();
  });

  /** Every structure reachable from the spec shapes. */
  const structures = (): StructureShape[] => {
    const seen = new Map<string, StructureShape>();
    const visit = (name: string): void => {
      const shape = model.shape(name);
      if (shape.type === 'list') return visit(shape.member);
      if (shape.type !== 'structure' || seen.has(name)) return;
      seen.set(name, shape);
      for (const m of shape.members) visit(m.shape);
    };
    SPEC_SHAPES.forEach(visit);
    return [...seen.values()];
  };

  it('has an object and an input type for every structure, with its members under their JSON names', () => {
    const all = structures();
    expect(all.length).toBeGreaterThan(100);
    for (const shape of all) {
      const output = schema.getType(shape.name) as GraphQLObjectType;
      const input = schema.getType(`${shape.name}Input`) as GraphQLInputObjectType;
      expect(isObjectType(output), shape.name).toBe(true);
      expect(isInputObjectType(input), `${shape.name}Input`).toBe(true);
      const members = shape.members.map((m) => m.locationName).sort();
      expect(Object.keys(output.getFields()).sort(), shape.name).toEqual(members);
      expect(Object.keys(input.getFields()).sort(), shape.name).toEqual(members);
      expect(SPEC_DATA_TYPE_NAMES.has(shape.name)).toBe(true);
    }
  });

  it('makes unions @oneOf inputs and all-nullable outputs, and other structures as required as the model says', () => {
    let unions = 0;
    for (const shape of structures()) {
      const output = (schema.getType(shape.name) as GraphQLObjectType).getFields();
      const input = schema.getType(`${shape.name}Input`) as GraphQLInputObjectType;
      expect(input.isOneOf, shape.name).toBe(shape.union);
      if (shape.union) unions++;
      for (const m of shape.members) {
        const required = !shape.union && m.required;
        expect(isNonNullType(output[m.locationName]!.type), `${shape.name}.${m.name}`).toBe(required);
        expect(isNonNullType(input.getFields()[m.locationName]!.type), `${shape.name}Input.${m.name}`).toBe(required);
      }
    }
    expect(unions).toBe(20);
  });

  it("maps App Mesh's enums to GraphQL enums whose values are App Mesh's", () => {
    const protocol = schema.getType('PortProtocol');
    expect(isEnumType(protocol) && protocol.getValues().map((v) => [v.name, v.value])).toEqual(
      ['http', 'tcp', 'http2', 'grpc'].map((v) => [v, v]),
    );
    const tcpEvents = schema.getType('TcpRetryPolicyEvent');
    expect(isEnumType(tcpEvents) && tcpEvents.getValues().map((v) => [v.name, v.value])).toEqual([
      ['connection_error', 'connection-error'],
    ]);
    expect(enumValueName('IPv4_PREFERRED')).toBe('IPv4_PREFERRED');
    expect(() => enumValueName('1st')).toThrow(/no GraphQL name/);
  });

  it('types longs as SafeInt and lists as lists of non-null items', () => {
    const duration = (schema.getType('Duration') as GraphQLObjectType).getFields();
    expect(String(duration['value']!.type)).toBe('SafeInt');
    const spec = (schema.getType('VirtualNodeSpec') as GraphQLObjectType).getFields();
    const listeners = spec['listeners']!.type;
    expect(isListType(listeners) && isNonNullType(listeners.ofType)).toBe(true);
  });
});
