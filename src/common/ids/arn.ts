/**
 * App Mesh ARNs: `arn:aws:appmesh:<region>:<account>:mesh/<mesh>[/<kind>/<name>[/<childKind>/<child>]]`.
 * Routes and gateway routes nest under their router or gateway:
 * `mesh/m/virtualRouter/r/route/x`, `mesh/m/virtualGateway/g/gatewayRoute/x`.
 */
export interface ArnParts {
  readonly region: string;
  readonly accountId: string;
  readonly meshName: string;
  /** Absent for the mesh itself. */
  readonly kind?: string;
  /** Router or gateway name, for routes and gateway routes. */
  readonly parentName?: string;
  readonly name?: string;
}

const PARENT_OF: Record<string, string> = { route: 'virtualRouter', gatewayRoute: 'virtualGateway' };

export function formatArn(
  region: string,
  accountId: string,
  meshName: string,
  path?: { kind: string; name: string; parentName?: string },
): string {
  const base = `arn:aws:appmesh:${region}:${accountId}:mesh/${meshName}`;
  if (!path) return base;
  const parentKind = PARENT_OF[path.kind];
  if (parentKind) return `${base}/${parentKind}/${path.parentName ?? ''}/${path.kind}/${path.name}`;
  return `${base}/${path.kind}/${path.name}`;
}

/** Parses an App Mesh ARN; `undefined` when it is not one (callers report NotFound or BadRequest). */
export function parseArn(arn: string): ArnParts | undefined {
  const m = /^arn:aws:appmesh:([a-z0-9-]+):(\d{12}):mesh\/(.+)$/.exec(arn);
  if (!m) return undefined;
  const [, region = '', accountId = '', rest = ''] = m;
  const segments = rest.split('/');
  const [meshName = ''] = segments;
  if (meshName === '') return undefined;
  if (segments.length === 1) return { region, accountId, meshName };
  if (segments.length === 3) {
    const [, kind = '', name = ''] = segments;
    if (!name || Object.values(PARENT_OF).concat(['virtualNode', 'virtualService']).indexOf(kind) === -1)
      return undefined;
    return { region, accountId, meshName, kind, name };
  }
  if (segments.length === 5) {
    const [, parentKind = '', parentName = '', kind = '', name = ''] = segments;
    if (!parentName || !name || PARENT_OF[kind] !== parentKind) return undefined;
    return { region, accountId, meshName, kind, parentName, name };
  }
  return undefined;
}
