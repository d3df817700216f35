import { buildSchema, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { queryCostRule } from './query-cost.rule.js';

const schema = buildSchema(`
  type Query { meshes(first: Int, after: String): MeshConnection! mesh(name: String!): Mesh }
  type MeshConnection { nodes: [Mesh!]! }
  type Mesh { name: String! routers(first: Int): RouterConnection! }
  type RouterConnection { nodes: [Router!]! }
  type Router { name: String! spec: String! typed: RouterSpec! }
  type RouterSpec { listeners: [Listener!]! }
  type Listener { port: Int! timeout: Timeout }
  type Timeout { idle: Int perRequest: Int }
`);

/** The cost the rule computes, read from its message (`undefined` when under the limit). */
function costOf(document: string, limit = 0, dataTypes: ReadonlySet<string> = new Set()): number | undefined {
  const errors = validate(schema, parse(document), [queryCostRule(limit, dataTypes)]);
  const match = /resolve up to (\d+) fields/.exec(errors[0]?.message ?? '');
  return match ? Number(match[1]) : undefined;
}

describe('queryCostRule', () => {
  it('counts every field once outside connections', () => {
    // mesh, name
    expect(costOf('{ mesh(name: "a") { name } }')).toBe(2);
  });

  it("multiplies a connection's fields by its page size: `first`, the default 25, or 100 for a variable", () => {
    // meshes + 10 × (nodes + name)
    expect(costOf('{ meshes(first: 10) { nodes { name } } }')).toBe(21);
    expect(costOf('{ meshes { nodes { name } } }')).toBe(51);
    expect(costOf('query($n: Int) { meshes(first: $n) { nodes { name } } }')).toBe(201);
    // A page larger than the maximum counts as the maximum (the resolver refuses it anyway).
    expect(costOf('{ meshes(first: 100000) { nodes { name } } }')).toBe(201);
  });

  it('multiplies nested connections, through fragments and aliases', () => {
    const nested = '{ meshes(first: 100) { nodes { routers(first: 100) { nodes { spec } } } } }';
    // meshes + 100 × (nodes + routers + 100 × (nodes + spec))
    expect(costOf(nested)).toBe(1 + 100 * (1 + 1 + 100 * 2));
    const viaFragment = `fragment R on Mesh { routers(first: 100) { nodes { spec } } }
      { a: meshes(first: 100) { nodes { ...R } } b: meshes(first: 100) { nodes { ...R } } }`;
    expect(costOf(viaFragment)).toBe(2 * (1 + 100 * (1 + 1 + 100 * 2)));
  });

  it('counts a field of a data type once, whatever is selected below it', () => {
    const document =
      '{ mesh(name: "a") { routers(first: 10) { nodes { typed { listeners { port timeout { idle perRequest } } } } } } }';
    // mesh + routers + 10 × (nodes + typed): the spec, read with its router, costs one field.
    expect(costOf(document, 0, new Set(['RouterSpec']))).toBe(1 + 1 + 10 * 2);
    // Not declared as data, each of its fields counts: + 10 × (listeners + port + timeout + idle + perRequest).
    expect(costOf(document)).toBe(1 + 1 + 10 * 7);
  });

  it('accepts what stays within the limit and refuses what does not', () => {
    expect(costOf('{ meshes(first: 10) { nodes { name } } }', 21)).toBeUndefined();
    expect(costOf('{ meshes(first: 10) { nodes { name } } }', 20)).toBe(21);
  });

  it('stays cheap on a document that fans fragments out exponentially', () => {
    // Each fragment spreads the previous one twice: expanded, 2^30 fields; memoised, 30 steps.
    const fragments = Array.from({ length: 30 }, (_, i) =>
      i === 0 ? 'fragment F0 on Router { name }' : `fragment F${i} on Router { ...F${i - 1} ...F${i - 1} }`,
    ).join('\n');
    const document = `${fragments}\n{ meshes(first: 1) { nodes { routers(first: 1) { nodes { ...F29 } } } } }`;
    expect(costOf(document, 10_000)).toBeGreaterThan(10_000);
  });
});
