import { formatArn } from '../../common/ids/arn.js';
import type { TenantScope } from '../../common/tenancy/tenant-scope.js';
import type { Mesh, MeshResource } from '../../generated/prisma/client.js';
import { KIND_RULES } from './kind-registry.js';
import type { Tag } from './tags.js';

/** `metadata` of every App Mesh resource. Timestamps stay Dates until a transport encodes them. */
export interface ResourceMetadata {
  readonly arn: string;
  readonly uid: string;
  readonly version: number;
  readonly createdAt: Date;
  readonly lastUpdatedAt: Date;
  readonly meshOwner: string;
  readonly resourceOwner: string;
}

export type ResourceStatus = 'ACTIVE' | 'INACTIVE' | 'DELETED';

/**
 * `{meshName, <kind>Name, [parent]Name, spec, metadata, status}`: App Mesh's XxxData shapes, and
 * the resource's `tags`, which App Mesh's Describe does not show (ListTagsForResource does: REST's
 * output serializer keeps only the members the model declares) and the GraphQL API does. Absent
 * from results stored for clientToken replays before tags were kept here.
 */
export type ResourceData = Record<string, unknown> & {
  readonly meshName: string;
  readonly spec: unknown;
  readonly metadata: ResourceMetadata;
  readonly status: { readonly status: ResourceStatus };
  readonly tags?: readonly Tag[];
};

/** App Mesh's XxxRef shapes, as lists return them. */
export type ResourceRef = Record<string, unknown> & { readonly meshName: string; readonly arn: string };

function metadata(scope: TenantScope, region: string, row: Mesh | MeshResource, meshName: string): ResourceMetadata {
  const arn =
    'kind' in row
      ? formatArn(region, scope.accountId, meshName, { kind: row.kind, name: row.name, parentName: row.parentName })
      : formatArn(region, scope.accountId, meshName);
  return {
    arn,
    uid: row.id,
    version: row.version,
    createdAt: row.createdAt,
    lastUpdatedAt: row.updatedAt,
    meshOwner: scope.accountId,
    resourceOwner: scope.accountId,
  };
}

function names(row: MeshResource): Record<string, string> {
  const rules = KIND_RULES[row.kind];
  return { [rules.nameMember]: row.name, ...(rules.parent ? { [rules.parent.nameMember]: row.parentName } : {}) };
}

export function meshData(
  scope: TenantScope,
  region: string,
  mesh: Mesh,
  status: ResourceStatus = 'ACTIVE',
): ResourceData {
  return {
    meshName: mesh.name,
    spec: mesh.spec,
    metadata: metadata(scope, region, mesh, mesh.name),
    status: { status },
    tags: mesh.tags as unknown as Tag[],
  };
}

export function meshRef(scope: TenantScope, region: string, mesh: Mesh): ResourceRef {
  const { createdAt, lastUpdatedAt, version, arn, meshOwner, resourceOwner } = metadata(scope, region, mesh, mesh.name);
  return { meshName: mesh.name, arn, version, createdAt, lastUpdatedAt, meshOwner, resourceOwner };
}

export function resourceData(
  scope: TenantScope,
  region: string,
  meshName: string,
  row: MeshResource,
  status: ResourceStatus = 'ACTIVE',
): ResourceData {
  return {
    meshName,
    ...names(row),
    spec: row.spec,
    metadata: metadata(scope, region, row, meshName),
    status: { status },
    tags: row.tags as unknown as Tag[],
  };
}

export function resourceRef(scope: TenantScope, region: string, meshName: string, row: MeshResource): ResourceRef {
  const { createdAt, lastUpdatedAt, version, arn, meshOwner, resourceOwner } = metadata(scope, region, row, meshName);
  return { meshName, ...names(row), arn, version, createdAt, lastUpdatedAt, meshOwner, resourceOwner };
}
