import type { TenantScope } from '../../common/tenancy/tenant-scope.js';
import type { ResourceKind } from '../../generated/prisma/client.js';
import type { OperationName } from '../api-model/app-mesh-model.js';
import { KIND_RULES } from '../resources/kind-registry.js';
import type { Spec } from '../resources/kind-rules.js';
import type { MeshResourcesService, ResourceTarget } from '../resources/mesh-resources.service.js';
import type { ResourceTagsService } from '../resources/resource-tags.service.js';
import type { Tag } from '../resources/tags.js';

/** A validated operation input: the members of the model's input structure. */
export type OperationInput = Record<string, unknown>;

/**
 * Where an output carries meshplane's extension members: added to the encoded body after the
 * model's encoder (which keeps only modelled members). AWS SDKs and the CLI ignore members they do
 * not know. See docs/api/app-mesh.md.
 */
export const EXTENSION_MEMBERS = Symbol('extension members');

/** The members of the model's output structure, before wire encoding (and extension members). */
export type OperationOutput = Record<string, unknown> & { [EXTENSION_MEMBERS]?: Record<string, unknown> };

export interface Services {
  readonly resources: MeshResourcesService;
  readonly tags: ResourceTagsService;
}

type Handler = (services: Services, scope: TenantScope, input: OperationInput) => Promise<OperationOutput>;

/** The output member that carries a list, per kind (App Mesh pluralises `mesh` as `meshes`). */
const LIST_MEMBER: Record<ResourceKind | 'mesh', string> = {
  mesh: 'meshes',
  virtualNode: 'virtualNodes',
  virtualService: 'virtualServices',
  virtualRouter: 'virtualRouters',
  route: 'routes',
  virtualGateway: 'virtualGateways',
  gatewayRoute: 'gatewayRoutes',
};

/** The output member that carries the resource, for Create/Describe/Update/Delete. */
const DATA_MEMBER = (kind: ResourceKind | 'mesh') => kind;

/**
 * Mesh and tag operations use the model's member names unchanged, and their input passed the
 * model's validation (types included), so it is read as the service's input type directly.
 */
const as = <T>(input: OperationInput): T => input as T;

/** Kind operations name the resource `<kind>Name` (and its parent `<parent>Name`); the services say `name`/`parentName`. */
function target(
  kind: ResourceKind,
  input: OperationInput,
): ResourceTarget & { spec: Spec; tags?: Tag[]; clientToken?: string; limit?: number; nextToken?: string } {
  const rules = KIND_RULES[kind];
  const { [rules.nameMember]: name, ...rest } = input;
  const parentName = rules.parent ? input[rules.parent.nameMember] : undefined;
  return {
    ...as<{ meshName: string; spec: Spec }>(rest),
    name: String(name ?? ''),
    ...(typeof parentName === 'string' ? { parentName } : {}),
  };
}

function kindHandlers(kind: ResourceKind): [OperationName, Handler][] {
  const api = KIND_RULES[kind].apiName;
  const data = DATA_MEMBER(kind);
  return [
    [
      `Create${api}` as OperationName,
      async (s, scope, input) => ({ [data]: await s.resources.create(scope, kind, target(kind, input)) }),
    ],
    [
      `Describe${api}` as OperationName,
      async (s, scope, input) => {
        const { data: resource, translation } = await s.resources.describeWithTranslation(
          scope,
          kind,
          target(kind, input),
        );
        // `meshplaneStatus`: the translation status, next to App Mesh's `status` (unchanged).
        return { [data]: resource, ...(translation ? { [EXTENSION_MEMBERS]: { meshplaneStatus: translation } } : {}) };
      },
    ],
    [
      `Update${api}` as OperationName,
      async (s, scope, input) => ({ [data]: await s.resources.update(scope, kind, target(kind, input)) }),
    ],
    [
      `Delete${api}` as OperationName,
      async (s, scope, input) => ({ [data]: await s.resources.delete(scope, kind, target(kind, input)) }),
    ],
    [
      `List${api}s` as OperationName,
      async (s, scope, input) => {
        const page = await s.resources.list(scope, kind, target(kind, input));
        return { [LIST_MEMBER[kind]]: page.items, ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
      },
    ],
  ];
}

/**
 * Every App Mesh operation, mapped onto the transport-free services. A start-up check (and a
 * test) makes sure each of the model's operations has exactly one handler here.
 */
export const OPERATION_HANDLERS: ReadonlyMap<OperationName, Handler> = new Map<OperationName, Handler>([
  ['CreateMesh', async (s, scope, i) => ({ mesh: await s.resources.createMesh(scope, as(i)) })],
  ['DescribeMesh', async (s, scope, i) => ({ mesh: await s.resources.describeMesh(scope, as(i)) })],
  ['UpdateMesh', async (s, scope, i) => ({ mesh: await s.resources.updateMesh(scope, as(i)) })],
  ['DeleteMesh', async (s, scope, i) => ({ mesh: await s.resources.deleteMesh(scope, as(i)) })],
  [
    'ListMeshes',
    async (s, scope, i) => {
      const page = await s.resources.listMeshes(scope, as(i));
      return { meshes: page.items, ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
    },
  ],
  ...(Object.keys(KIND_RULES) as ResourceKind[]).flatMap(kindHandlers),
  ['ListTagsForResource', async (s, scope, i) => s.tags.list(scope, as(i))],
  ['TagResource', async (s, scope, i) => (await s.tags.tag(scope, as(i)), {})],
  ['UntagResource', async (s, scope, i) => (await s.tags.untag(scope, as(i)), {})],
]);
