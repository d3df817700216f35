import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

type Json = Record<string, any>;

/** A graphql-ws (graphql-transport-ws) client of a test app, and how its socket closed. */
export interface WsClient {
  readonly client: Client;
  /** The close code and reason, once the socket closed. */
  readonly closed: Promise<{ code: number; reason: string }>;
  /** Subscribes; `payloads` are the `next` messages (data and errors) in order. */
  subscribe(query: string, variables?: Json): Feed;
  dispose(): Promise<void>;
}

/** One subscription's messages as they arrive. */
export interface Feed {
  readonly payloads: Json[];
  /** The first payload from the feed's read position on that `matches`; rejects after `timeoutMs` or on an error. */
  next(matches?: (payload: Json) => boolean, timeoutMs?: number): Promise<Json>;
  /** Resolves with the subscription's error (an `error` message, or the socket's close), if it gets one. */
  readonly failed: Promise<unknown>;
  stop(): void;
}

/** Opens a connection to `baseUrl`'s /graphql, sending `connectionParams` in connection_init; never retries. */
export function graphqlWs(baseUrl: string, connectionParams?: Json): WsClient {
  let onClosed!: (value: { code: number; reason: string }) => void;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => (onClosed = resolve));
  const client = createClient({
    url: `${baseUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: false,
    onNonLazyError: () => undefined,
    ...(connectionParams ? { connectionParams } : {}),
    on: {
      closed: (event) => {
        const { code, reason } = event as { code: number; reason: string };
        onClosed({ code, reason: String(reason) });
      },
    },
  });
  return {
    client,
    closed,
    subscribe: (query, variables) => feed(client, query, variables),
    dispose: async () => {
      await client.dispose();
    },
  };
}

/** A bearer API token as a connection_init payload. */
export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

function feed(client: Client, query: string, variables: Json | undefined): Feed {
  const payloads: Json[] = [];
  let read = 0;
  let failure: unknown;
  let onFailed!: (err: unknown) => void;
  const failed = new Promise<unknown>((resolve) => (onFailed = resolve));
  const wake = new Set<() => void>();
  const notify = () => {
    for (const w of [...wake]) w();
  };
  const stop = client.subscribe(
    { query, ...(variables ? { variables } : {}) },
    {
      next: (value) => {
        payloads.push(value as Json);
        notify();
      },
      error: (err) => {
        failure = err ?? new Error('subscription failed');
        onFailed(failure);
        notify();
      },
      complete: () => {
        failure ??= new Error('subscription completed');
        notify();
      },
    },
  );
  return {
    payloads,
    failed,
    stop,
    next: (matches = () => true, timeoutMs = 15_000) =>
      new Promise<Json>((resolve, reject) => {
        const timer = setTimeout(() => {
          wake.delete(check);
          reject(new Error(`no matching payload within ${timeoutMs} ms; got ${JSON.stringify(payloads.slice(read))}`));
        }, timeoutMs);
        function check() {
          while (read < payloads.length) {
            const payload = payloads[read++]!;
            if (matches(payload)) {
              clearTimeout(timer);
              wake.delete(check);
              resolve(payload);
              return;
            }
          }
          if (failure !== undefined) {
            clearTimeout(timer);
            wake.delete(check);
            reject(failure instanceof Error ? failure : new Error(describe(failure)));
          }
        }
        wake.add(check);
        check();
      }),
  };
}

/** A subscription's failure as a test shows it: GraphQL errors, a close event's code and reason, or an error. */
function describe(failure: unknown): string {
  if (Array.isArray(failure)) return JSON.stringify(failure);
  const event = failure as { code?: unknown; reason?: unknown; message?: unknown; type?: unknown };
  if (event.code !== undefined) return `closed ${String(event.code)} ${String(event.reason)}`;
  return `${String(event.type)}: ${String(event.message)}`;
}
