import type { ResourceKind } from '../../generated/prisma/client.js';
import { KIND_RULES } from '../../meshes/resources/kind-registry.js';
import type { ResourceData, ResourceRef } from '../../meshes/resources/resource-views.js';
import type { ResourceFields } from './resource.models.js';

/**
 * GraphQL views of the service's App Mesh shapes (XxxData from a describe or a write, XxxRef from
 * a listing). Listed resources are ACTIVE: deleted ones are gone from the store.
 */
export function meshView(from: ResourceData | ResourceRef): ResourceFields {
  const metadata = 'metadata' in from ? (from as ResourceData).metadata : (from as ResourceRef);
  return {
    name: from.meshName,
    arn: metadata.arn as string,
    version: metadata.version as number,
    createdAt: metadata.createdAt as Date,
    lastUpdatedAt: metadata.lastUpdatedAt as Date,
    status: 'metadata' in from ? (from as ResourceData).status.status : 'ACTIVE',
    tags: 'tags' in from ? ((from as ResourceData).tags ?? []) : [],
    meshName: from.meshName,
    kind: 'mesh',
    parentName: '',
    ...('spec' in from ? { loadedSpec: from.spec } : {}),
  };
}

export function resourceView(kind: ResourceKind, from: ResourceData | ResourceRef): ResourceFields {
  const rules = KIND_RULES[kind];
  const base = meshView(from);
  const parentName = rules.parent ? String(from[rules.parent.nameMember]) : '';
  return {
    ...base,
    name: String(from[rules.nameMember]),
    kind,
    parentName,
    ...(rules.parent ? { [rules.parent.nameMember]: parentName } : {}),
  };
}
