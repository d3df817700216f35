import { createClient, type Client } from 'graphql-ws';
import { gql } from './client';
import { session } from './session';

/** Mesh.propagation: where the mesh's committed changes are on their way to its proxies. */
export interface Propagation {
  readonly generation: string;
  readonly servedGeneration: string | null;
  readonly compiledAt: string | null;
  readonly inSync: boolean;
  readonly proxies: { readonly connected: number; readonly inSync: number; readonly withNack: number };
  readonly rejected: { readonly generation: string; readonly reason: string } | null;
  readonly problems: readonly { readonly arn: string; readonly message: string }[];
}

export async function readPropagation(mesh: string): Promise<Propagation> {
  const data = await gql<{ mesh: { propagation: Propagation } }>(
    `query($m: String!) { mesh(name: $m) { propagation { ${PROPAGATION_FIELDS} } } }`,
    { m: mesh },
  );
  return data.mesh.propagation;
}

const PROPAGATION_FIELDS = `generation servedGeneration compiledAt inSync proxies { connected inSync withNack }
  rejected { generation reason } problems { arn message }`;

/**
 * One websocket per signed-in token (graphql-transport-ws on /graphql, ADR 0019), opened when the
 * first watch starts and closed when the last one stops or the token changes.
 */
let socket: { readonly token: string; readonly client: Client } | undefined;

function subscriptions(): Client {
  const token = session.token() ?? '';
  if (socket?.token !== token) {
    void socket?.client.dispose();
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
    socket = {
      token,
      client: createClient({ url, connectionParams: { authorization: `Bearer ${token}` }, lazy: true }),
    };
  }
  return socket.client;
}

/**
 * Calls `onUpdate` with the mesh's propagation now and whenever it changes (a commit, a compile, a
 * proxy connecting, leaving, ACKing or NACKing), until the returned function is called: the
 * `meshPropagation` subscription, which sends the current state first.
 */
export function watchPropagation(
  mesh: string,
  onUpdate: (p: Propagation) => void,
  onError: (e: unknown) => void,
): () => void {
  return subscriptions().subscribe<{ meshPropagation: Propagation }>(
    {
      query: `subscription($m: String!) { meshPropagation(meshName: $m) { ${PROPAGATION_FIELDS} } }`,
      variables: { m: mesh },
    },
    {
      next: (result) => {
        if (result.errors?.length) onError(new Error(result.errors.map((e) => e.message).join('\n')));
        else if (result.data) onUpdate(result.data.meshPropagation);
      },
      error: onError,
      complete: () => undefined,
    },
  );
}

/** Where one applied change (mesh generation `target`) is: compiling, rejected, or how many proxies hold it. */
export type ChangeProgress =
  | { readonly state: 'compiling' }
  | { readonly state: 'rejected'; readonly reason: string }
  | { readonly state: 'propagating' | 'done'; readonly have: number; readonly of: number; readonly nacked: number };

export function progressOf(p: Propagation, target: bigint): ChangeProgress {
  if (p.rejected && BigInt(p.rejected.generation) >= target) return { state: 'rejected', reason: p.rejected.reason };
  if (p.servedGeneration === null || BigInt(p.servedGeneration) < target) return { state: 'compiling' };
  const { connected, inSync, withNack } = p.proxies;
  return { state: inSync >= connected ? 'done' : 'propagating', have: inSync, of: connected, nacked: withNack };
}
