import * as grpc from '@grpc/grpc-js';
import { decodeMessage, encodeMessage } from '../../src/xds-fleet/encoding/protos.js';

/**
 * A raw ADS client for protocol tests: it sends exactly the requests a test writes (no client
 * logic of its own) and hands back each response decoded, resources included. Real Envoys and
 * gRPC clients are tested elsewhere; this one can do what they never would (stale nonces,
 * someone else's names, garbage bytes).
 */

type Json = Record<string, any>;

const SERVICE = '/envoy.service.discovery.v3.AggregatedDiscoveryService';
const PROTOCOLS = {
  sotw: {
    path: `${SERVICE}/StreamAggregatedResources`,
    request: 'envoy.service.discovery.v3.DiscoveryRequest',
    response: 'envoy.service.discovery.v3.DiscoveryResponse',
  },
  delta: {
    path: `${SERVICE}/DeltaAggregatedResources`,
    request: 'envoy.service.discovery.v3.DeltaDiscoveryRequest',
    response: 'envoy.service.discovery.v3.DeltaDiscoveryResponse',
  },
} as const;

/** Unpacks every `Any` resource of a decoded response into `{name, resource}`. */
function unpack(response: Json): Json {
  const anyValue = (any: Json) => {
    const typeName = String(any['type_url']).slice(String(any['type_url']).lastIndexOf('/') + 1);
    return decodeMessage(typeName, any['value']);
  };
  if ('system_version_info' in response || 'removed_resources' in response) {
    return {
      ...response,
      resources: (response['resources'] ?? []).map((r: Json) => ({ ...r, resource: anyValue(r['resource']) })),
    };
  }
  return { ...response, resources: (response['resources'] ?? []).map(anyValue) };
}

export interface AdsStream {
  /** Sends one request (proto3-JSON shape: snake_case fields). */
  send(request: Json): void;
  /** Sends raw bytes as a request message. */
  sendRaw(bytes: Buffer): void;
  /** The next response, decoded; rejects after `timeoutMs` or when the stream ends first. */
  next(timeoutMs?: number): Promise<Json>;
  /** Resolves when nothing arrives within `ms` (and fails the test otherwise). */
  expectSilence(ms: number): Promise<void>;
  /** The stream's final status. */
  readonly status: Promise<grpc.StatusObject>;
  close(): void;
}

/** A client of the ADS server on 127.0.0.1:`port`; with `tls`, over TLS trusting `tls.ca` for the name `tls.serverName`. */
export function adsClient(port: number, tls?: { ca: Buffer; serverName: string }): grpc.Client {
  return new grpc.Client(
    `127.0.0.1:${port}`,
    tls ? grpc.credentials.createSsl(tls.ca) : grpc.credentials.createInsecure(),
    {
      // One connection per client (as separate proxies have), not one shared subchannel.
      'grpc.use_local_subchannel_pool': 1,
      ...(tls ? { 'grpc.ssl_target_name_override': tls.serverName, 'grpc.default_authority': tls.serverName } : {}),
    },
  );
}

export function openAds(client: grpc.Client, protocol: 'sotw' | 'delta', token: string | undefined): AdsStream {
  const spec = PROTOCOLS[protocol];
  const metadata = new grpc.Metadata();
  if (token !== undefined) metadata.set('authorization', `Bearer ${token}`);
  const call = client.makeBidiStreamRequest(
    spec.path,
    (value: Json | Buffer) => (Buffer.isBuffer(value) ? value : Buffer.from(encodeMessage(spec.request, value))),
    (bytes: Buffer) => unpack(decodeMessage(spec.response, bytes)),
    metadata,
  );
  const responses: Json[] = [];
  const waiters: ((r: Json | Error) => void)[] = [];
  let ended: Error | undefined;
  call.on('data', (r: Json) => {
    const waiter = waiters.shift();
    if (waiter) waiter(r);
    else responses.push(r);
  });
  const status = new Promise<grpc.StatusObject>((resolve) => {
    call.on('status', (s: grpc.StatusObject) => {
      ended = new Error(`stream ended: ${grpc.status[s.code]} ${s.details}`);
      for (const w of waiters.splice(0)) w(ended);
      resolve(s);
    });
  });
  call.on('error', () => undefined);
  return {
    send: (request) => call.write(request),
    sendRaw: (bytes) => call.write(bytes),
    next: (timeoutMs = 5_000) => {
      const queued = responses.shift();
      if (queued) return Promise.resolve(queued);
      if (ended) return Promise.reject(ended);
      return new Promise<Json>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(done), 1);
          reject(new Error(`no response within ${timeoutMs} ms`));
        }, timeoutMs);
        const done = (r: Json | Error) => {
          clearTimeout(timer);
          if (r instanceof Error) reject(r);
          else resolve(r);
        };
        waiters.push(done);
      });
    },
    expectSilence: async (ms) => {
      const queued = responses.shift();
      if (queued) throw new Error(`unexpected response: ${JSON.stringify(queued).slice(0, 300)}`);
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(done), 1);
          resolve();
        }, ms);
        const done = (r: Json | Error) => {
          clearTimeout(timer);
          if (r instanceof Error) resolve();
          else reject(new Error(`unexpected response: ${JSON.stringify(r).slice(0, 300)}`));
        };
        waiters.push(done);
      });
    },
    status,
    close: () => call.cancel(),
  };
}
