import { connect, type Socket } from 'node:net';

/** A response as read off the socket, for answers no HTTP client would show as sent. */
export interface RawResponse {
  readonly status: number;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface RawExchange {
  /** Everything the server sent before it closed the connection. */
  readonly text: string;
  /** The first response in `text`, if any. */
  readonly response: RawResponse | undefined;
  /** Milliseconds from the first write until the server closed the connection. */
  readonly closedAfterMs: number;
}

/** Opens a TCP connection to the test app (from `localAddress`, any 127.0.0.0/8 address). */
export function openSocket(baseUrl: string, localAddress = '127.0.0.1'): Promise<Socket> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port), localAddress });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/**
 * Writes `data` and reads until the server closes the connection (or `giveUpMs` passes, which
 * fails). For requests that are incomplete or malformed on purpose.
 */
export async function rawExchange(
  baseUrl: string,
  data: string | Buffer,
  options: { giveUpMs?: number; localAddress?: string } = {},
): Promise<RawExchange> {
  const socket = await openSocket(baseUrl, options.localAddress);
  return readUntilClosed(socket, data, options.giveUpMs ?? 10_000);
}

/** Writes `data` (if any) on an open socket and reads until the server closes it. */
export function readUntilClosed(
  socket: Socket,
  data: string | Buffer | undefined,
  giveUpMs: number,
): Promise<RawExchange> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const started = Date.now();
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the connection open for ${giveUpMs} ms`));
    }, giveUpMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined); // a reset after the answer is still a close
    socket.once('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('utf8');
      resolve({ text, response: parseResponse(text), closedAfterMs: Date.now() - started });
    });
    if (data !== undefined) socket.write(data);
  });
}

export function parseResponse(text: string): RawResponse | undefined {
  const end = text.indexOf('\r\n\r\n');
  if (end === -1) return undefined;
  const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
  if (Number.isNaN(status)) return undefined;
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const rest = text.slice(end + 4);
  const length = Number(headers['content-length']);
  return {
    status,
    headers,
    body: Number.isNaN(length) ? rest : Buffer.from(rest).subarray(0, length).toString('utf8'),
  };
}
