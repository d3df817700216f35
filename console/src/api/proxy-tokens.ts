import { gql } from './client';

export interface ProxyToken {
  readonly id: string;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
}

/**
 * The proxy tokens issued for one virtual node or gateway. The API has no field for one resource
 * by name, so this reads the kind's first page and picks it (each resource's token list is one
 * SQL query on the server: fine for a detail page).
 */
export async function listProxyTokens(
  mesh: string,
  kind: 'virtualNode' | 'virtualGateway',
  name: string,
): Promise<ProxyToken[]> {
  const connection = kind === 'virtualNode' ? 'virtualNodes' : 'virtualGateways';
  const data = await gql<{ mesh: Record<string, { nodes: { name: string; proxyTokens: ProxyToken[] }[] }> }>(
    `query($m: String!) { mesh(name: $m) { ${connection}(first: 100) { nodes { name proxyTokens { id createdAt lastUsedAt } } } } }`,
    { m: mesh },
  );
  return data.mesh[connection]!.nodes.find((n) => n.name === name)?.proxyTokens ?? [];
}

export async function revokeProxyToken(id: string): Promise<void> {
  await gql(`mutation($id: ID!) { revokeProxyToken(id: $id) { id } }`, { id });
}
