import { gql } from './client';
import { KINDS, kindById, type KindDef } from './kinds';
import { readSpec, SPEC_SELECTION, specInput, type Spec } from '../spec/access';

/** A resource of a mesh as the console lists it. */
export interface Resource {
  readonly kind: KindDef['id'];
  readonly name: string;
  /** The virtual router or gateway of a route or gateway route. */
  readonly parent?: string;
  readonly arn: string;
  readonly version: number;
  readonly status: string;
  readonly lastUpdatedAt: string;
  readonly spec: Spec;
}

const FIELDS = `name arn version status lastUpdatedAt ${SPEC_SELECTION}`;
// Bounded so a query stays within the API's cost limit (10,000): 25 parents × 25 children.
const PAGE = 100;
const NESTED = 25;

/** Every resource of one kind in a mesh (the first pages: 100 of a kind, 25 × 25 of children). */
export async function listResources(mesh: string, kind: KindDef): Promise<Resource[]> {
  if (kind.parent) {
    const parent = kindById(kind.parent.kind)!;
    type Parents = { nodes: ({ name: string } & Record<string, { nodes: any[] }>)[] };
    const data = await gql<{ mesh: Record<string, Parents> }>(
      `query($m: String!) { mesh(name: $m) { ${parent.connection}(first: ${NESTED}) { nodes { name
         ${kind.connection}(first: ${NESTED}) { nodes { ${FIELDS} } } } } } }`,
      { m: mesh },
    );
    return data.mesh[parent.connection]!.nodes.flatMap((p) =>
      (p[kind.connection] as { nodes: any[] }).nodes.map((r) => toResource(kind, r, p.name)),
    );
  }
  const data = await gql<{ mesh: Record<string, { nodes: any[] }> }>(
    `query($m: String!) { mesh(name: $m) { ${kind.connection}(first: ${PAGE}) { nodes { ${FIELDS} } } } }`,
    { m: mesh },
  );
  return data.mesh[kind.connection]!.nodes.map((r) => toResource(kind, r));
}

function toResource(kind: KindDef, r: any, parent?: string): Resource {
  return {
    kind: kind.id,
    name: r.name,
    parent,
    arn: r.arn,
    version: r.version,
    status: r.status,
    lastUpdatedAt: r.lastUpdatedAt,
    spec: readSpec(r),
  };
}

function inputOf(mesh: string, kind: KindDef, name: string, parent: string | undefined) {
  const input: Record<string, unknown> = { meshName: mesh, [kind.nameArg]: name };
  if (kind.parent) input[kind.parent.arg] = parent ?? '';
  return input;
}

export async function saveResource(
  mode: 'create' | 'update',
  mesh: string,
  kind: KindDef,
  name: string,
  parent: string | undefined,
  spec: Spec,
): Promise<Resource> {
  const op = `${mode}${kind.typeName}`;
  const data = await gql<Record<string, any>>(
    `mutation($input: ${mode === 'create' ? 'Create' : 'Update'}${kind.typeName}Input!) { ${op}(input: $input) { ${FIELDS} } }`,
    { input: { ...inputOf(mesh, kind, name, parent), ...specInput(spec) } },
  );
  return toResource(kind, data[op], parent);
}

export async function deleteResource(mesh: string, kind: KindDef, name: string, parent?: string): Promise<void> {
  await gql(`mutation($input: Delete${kind.typeName}Input!) { delete${kind.typeName}(input: $input) { name } }`, {
    input: inputOf(mesh, kind, name, parent),
  });
}

export { KINDS };
