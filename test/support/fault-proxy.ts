import { connect, createServer, type Socket } from 'node:net';

export interface FaultProxy {
  /** The proxy's port on 127.0.0.1. */
  readonly port: number;
  /** The target URL (postgres://, redis://...) rewritten to go through this proxy. */
  url(target: string): string;
  /** Drops every connection and refuses new ones, as if the target were down. */
  cut(): void;
  /** Accepts and forwards connections again. */
  restore(): void;
  /**
   * Stops forwarding bytes in both directions, on open connections and new ones, without closing
   * anything: every request in flight hangs, as behind a frozen network path. Held bytes are
   * delivered, in order, by `resume()`.
   */
  pause(): void;
  resume(): void;
  /** Connections currently open through the proxy. */
  connections(): number;
  close(): Promise<void>;
}

interface Pair {
  readonly client: Socket;
  readonly upstream: Socket;
  /** Bytes held while paused, per direction. */
  readonly toUpstream: Buffer[];
  readonly toClient: Buffer[];
}

/**
 * A TCP forwarder to `target` that a test can cut (a dependency down) or pause (a dependency that
 * stops answering mid-request), then restore. Like tcp-proxy.ts, plus `pause`, which lets a test
 * freeze a process in the middle of a database read.
 */
export function startFaultProxy(target: { host: string; port: number }): Promise<FaultProxy> {
  const pairs = new Set<Pair>();
  let open = true;
  let paused = false;

  const forward = (from: Socket, to: Socket, held: Buffer[]) => {
    from.on('data', (chunk: Buffer) => {
      if (paused || held.length > 0) held.push(chunk);
      else to.write(chunk);
    });
  };
  const flush = (pair: Pair) => {
    for (const chunk of pair.toUpstream.splice(0)) pair.upstream.write(chunk);
    for (const chunk of pair.toClient.splice(0)) pair.client.write(chunk);
  };

  const server = createServer((client) => {
    if (!open) {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    const pair: Pair = { client, upstream, toUpstream: [], toClient: [] };
    pairs.add(pair);
    for (const s of [client, upstream]) s.on('error', () => undefined);
    forward(client, upstream, pair.toUpstream);
    forward(upstream, client, pair.toClient);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', end);
  });

  const dropAll = () => {
    for (const pair of pairs) {
      pair.client.resetAndDestroy();
      pair.upstream.destroy();
    }
    pairs.clear();
  };

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') return reject(new Error('no TCP address'));
      const port = address.port;
      resolve({
        port,
        url(targetUrl) {
          const u = new URL(targetUrl);
          u.hostname = '127.0.0.1';
          u.port = String(port);
          return u.toString();
        },
        cut() {
          open = false;
          dropAll();
        },
        restore() {
          open = true;
        },
        pause() {
          paused = true;
        },
        resume() {
          paused = false;
          for (const pair of pairs) flush(pair);
        },
        connections: () => pairs.size,
        close() {
          open = false;
          paused = false;
          dropAll();
          return new Promise((done) => server.close(() => done()));
        },
      });
    });
  });
}
