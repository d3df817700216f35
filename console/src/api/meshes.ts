import { gql } from './client';
import { readSpec, SPEC_SELECTION, specInput, type Spec } from '../spec/access';

export interface MeshSummary {
  readonly name: string;
  readonly arn: string;
  readonly version: number;
  readonly lastUpdatedAt: string;
  readonly propagation: { readonly inSync: boolean; readonly proxies: { readonly connected: number } };
}

export async function listMeshes(): Promise<MeshSummary[]> {
  const data = await gql<{ meshes: { nodes: MeshSummary[] } }>(
    `{ meshes(first: 100) { nodes { name arn version lastUpdatedAt propagation { inSync proxies { connected } } } } }`,
  );
  return data.meshes.nodes;
}

export async function createMesh(name: string, spec: Spec): Promise<void> {
  await gql(`mutation($input: CreateMeshInput!) { createMesh(input: $input) { name } }`, {
    input: { meshName: name, ...specInput(spec) },
  });
}

export async function updateMesh(name: string, spec: Spec): Promise<void> {
  await gql(`mutation($input: UpdateMeshInput!) { updateMesh(input: $input) { name } }`, {
    input: { meshName: name, ...specInput(spec) },
  });
}

export async function deleteMesh(name: string): Promise<void> {
  await gql(`mutation($input: DeleteMeshInput!) { deleteMesh(input: $input) { name } }`, { input: { meshName: name } });
}

export async function meshSpec(name: string): Promise<Spec> {
  const data = await gql<{ mesh: { spec: unknown } }>(`query($m: String!) { mesh(name: $m) { ${SPEC_SELECTION} } }`, {
    m: name,
  });
  return readSpec(data.mesh);
}

export interface TopologyNode {
  readonly id: string;
  readonly kind: string;
  readonly name: string;
  readonly proxies: number | null;
}
export interface TopologyEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: string;
  readonly weight: number | null;
}
export interface ProxyView {
  readonly kind: string;
  readonly name: string;
  readonly nodeId: string;
  readonly protocol: string;
  readonly userAgent: string;
  readonly connectedAt: string;
  readonly syncedVersion: string | null;
  readonly inSync: boolean;
  readonly lastNack: { readonly typeUrl: string; readonly message: string; readonly at: string } | null;
}

const PROXY_FIELDS =
  'kind name nodeId protocol userAgent connectedAt syncedVersion inSync lastNack { typeUrl message at }';

/** The topology with the proxies that connect to it (for NACK and out-of-sync markers). */
export async function meshTopology(
  mesh: string,
): Promise<{ nodes: TopologyNode[]; edges: TopologyEdge[]; proxies: ProxyView[] }> {
  const data = await gql<{
    mesh: { topology: { nodes: TopologyNode[]; edges: TopologyEdge[] }; proxies: ProxyView[] };
  }>(
    `query($m: String!) { mesh(name: $m) {
       topology { nodes { id kind name proxies } edges { from to kind weight } }
       proxies { ${PROXY_FIELDS} } } }`,
    { m: mesh },
  );
  return { ...data.mesh.topology, proxies: data.mesh.proxies };
}

export async function meshProxies(mesh: string): Promise<ProxyView[]> {
  const data = await gql<{ mesh: { proxies: ProxyView[] } }>(
    `query($m: String!) { mesh(name: $m) { proxies { ${PROXY_FIELDS} } } }`,
    { m: mesh },
  );
  return data.mesh.proxies;
}
