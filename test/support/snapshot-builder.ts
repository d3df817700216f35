import { formatArn } from '../../src/common/ids/arn.js';
import type { MeshSnapshot, SnapshotEndpoint } from '../../src/xds-fleet/snapshot/mesh-snapshot.js';

/** A mesh written the way people read it (golden inputs, tests); names become ARNs of one test account. */
export interface MeshInput {
  readonly mesh: { readonly name: string; readonly spec?: unknown };
  readonly virtualNodes?: readonly { readonly name: string; readonly spec: unknown }[];
  readonly virtualServices?: readonly { readonly name: string; readonly spec: unknown }[];
  readonly virtualRouters?: readonly {
    readonly name: string;
    readonly spec: unknown;
    readonly routes?: readonly { readonly name: string; readonly spec: unknown }[];
  }[];
  readonly virtualGateways?: readonly {
    readonly name: string;
    readonly spec: unknown;
    readonly gatewayRoutes?: readonly { readonly name: string; readonly spec: unknown }[];
  }[];
  readonly endpoints?: Readonly<Record<string, readonly SnapshotEndpoint[]>>;
}

export const TEST_ACCOUNT = '111122223333';
export const TEST_REGION = 'us-east-1';

export function buildSnapshot(input: MeshInput, generation = '1'): MeshSnapshot {
  const mesh = input.mesh.name;
  const arn = (kind: string, name: string, parentName?: string) =>
    formatArn(TEST_REGION, TEST_ACCOUNT, mesh, { kind, name, ...(parentName ? { parentName } : {}) });
  return {
    accountId: TEST_ACCOUNT,
    region: TEST_REGION,
    meshName: mesh,
    meshArn: formatArn(TEST_REGION, TEST_ACCOUNT, mesh),
    generation,
    spec: input.mesh.spec ?? { egressFilter: { type: 'DROP_ALL' } },
    virtualNodes: (input.virtualNodes ?? []).map((n) => ({
      name: n.name,
      arn: arn('virtualNode', n.name),
      spec: n.spec,
    })),
    virtualServices: (input.virtualServices ?? []).map((s) => ({
      name: s.name,
      arn: arn('virtualService', s.name),
      spec: s.spec,
    })),
    virtualRouters: (input.virtualRouters ?? []).map((r) => ({
      name: r.name,
      arn: arn('virtualRouter', r.name),
      spec: r.spec,
      routes: (r.routes ?? []).map((x) => ({ name: x.name, arn: arn('route', x.name, r.name), spec: x.spec })),
    })),
    virtualGateways: (input.virtualGateways ?? []).map((g) => ({
      name: g.name,
      arn: arn('virtualGateway', g.name),
      spec: g.spec,
      gatewayRoutes: (g.gatewayRoutes ?? []).map((x) => ({
        name: x.name,
        arn: arn('gatewayRoute', x.name, g.name),
        spec: x.spec,
      })),
    })),
    endpoints: input.endpoints ?? {},
  };
}
