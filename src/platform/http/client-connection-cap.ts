import type { Server, Socket } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Caps the connections one client holds open at once, so that one address cannot take every
 * socket the server has (each connection is cheap to open and, within the timeouts, cheap to
 * keep). Counted at accept time, before a byte is parsed; a connection over the cap is closed
 * at once, without a response (answering would mean reading its request first).
 *
 * Invariant: every admitted socket is counted exactly once, from its `connection` event until
 * its `close` event, so the count of a client is the number of its sockets still open.
 */
export class ClientConnectionCap {
  private readonly open = new Map<string, number>();

  /** `max` 0 means no cap. `onRefused` is told of every connection closed for being over it. */
  constructor(
    private readonly max: number,
    private readonly onRefused: () => void,
  ) {}

  /** Counts the connections of `server` (call it for every server that shares the cap). */
  attach(server: Server): void {
    if (this.max === 0) return;
    server.on('connection', (socket: Socket) => this.admit(socket));
  }

  /** Open connections of the client at `address`: for tests and diagnostics. */
  openConnections(address: string): number {
    return this.open.get(clientKey(address)) ?? 0;
  }

  private admit(socket: Socket): void {
    const address = socket.remoteAddress;
    // Only a socket that already closed has no address; there is nothing left to count.
    if (address === undefined) return;
    const client = clientKey(address);
    const count = this.open.get(client) ?? 0;
    if (count >= this.max) {
      this.onRefused();
      socket.destroy();
      return;
    }
    this.open.set(client, count + 1);
    socket.once('close', () => {
      const left = (this.open.get(client) ?? 1) - 1;
      if (left > 0) this.open.set(client, left);
      else this.open.delete(client);
    });
  }
}

/**
 * What counts as one client: an IPv4 address (also when it arrives IPv4-mapped on a dual-stack
 * socket), or an IPv6 /64 — a single host is usually given a whole /64, so counting its
 * addresses one by one would not cap it at all.
 */
export function clientKey(address: string): string {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.process(address);
  } catch {
    return address;
  }
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const prefix = (parsed as ipaddr.IPv6).parts.slice(0, 4);
  return `${new ipaddr.IPv6([...prefix, 0, 0, 0, 0]).toString()}/64`;
}
