import { gql } from './client';

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
    `query($m: String!) { mesh(name: $m) { propagation {
       generation servedGeneration compiledAt inSync proxies { connected inSync withNack }
       rejected { generation reason } problems { arn message } } } }`,
    { m: mesh },
  );
  return data.mesh.propagation;
}

/** How often the watch polls. */
export const POLL_MS = 500;

/**
 * Calls `onUpdate` with the mesh's propagation now and whenever it may have changed, until the
 * returned function is called. It polls `Mesh.propagation` today; when the API's propagation
 * subscription lands, this is the one function to switch to it (callers see the same stream).
 */
export function watchPropagation(
  mesh: string,
  onUpdate: (p: Propagation) => void,
  onError: (e: unknown) => void,
): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tick = async () => {
    try {
      const p = await readPropagation(mesh);
      if (!stopped) onUpdate(p);
    } catch (e) {
      if (!stopped) onError(e);
    }
    if (!stopped) timer = setTimeout(tick, POLL_MS);
  };
  void tick();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
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
