import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { register as registerXds } from '@grpc/grpc-js-xds';
import * as protoLoader from '@grpc/proto-loader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TYPE, type ResourceSet } from '../../src/xds-fleet/translator/envoy-types.js';
import { emptyResourceSet, RESOURCE_KINDS } from '../../src/xds-fleet/translator/envoy-types.js';
import { PROXYLESS_VIEW_PREFIX } from '../../src/xds-fleet/translator/proxyless.js';
import { translate } from '../../src/xds-fleet/translator/translate.js';
import { buildSnapshot } from '../support/snapshot-builder.js';
import { startAdsServer, type AdsServer } from '../support/xds-ads.js';

/**
 * The translator's `proxyless` view served over ADS to a real proxyless gRPC client
 * (@grpc/grpc-js-xds, target `xds:///<service>`), which makes real RPCs to two real gRPC servers:
 * the client accepts every resource (no NACK) and routes as the mesh says (weights, method routes,
 * route timeout, retry policy, node-provided service, host with and without port).
 */
const ECHO_PROTO = `
syntax = "proto3";
package meshtest;
service Echo {
  rpc Who (WhoRequest) returns (WhoReply);
  rpc Special (WhoRequest) returns (WhoReply);
  rpc Slow (WhoRequest) returns (WhoReply);
  rpc Flaky (WhoRequest) returns (WhoReply);
}
message WhoRequest {}
message WhoReply { string backend = 1; }
`;

interface WhoReply {
  backend: string;
}
type Method = 'Who' | 'Special' | 'Slow' | 'Flaky';
type EchoClient = grpc.Client &
  Record<
    Method,
    (req: object, options: grpc.CallOptions, cb: (err: grpc.ServiceError | null, reply?: WhoReply) => void) => void
  >;
type EchoConstructor = new (target: string, credentials: grpc.ChannelCredentials) => EchoClient;

function call(client: EchoClient, method: Method, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) =>
    client[method]({}, { deadline: Date.now() + timeoutMs }, (err, reply) =>
      err ? reject(err) : resolve(reply!.backend),
    ),
  );
}

describe('proxyless view with a real gRPC xDS client', () => {
  let protoDir: string;
  let Echo: EchoConstructor;
  let echoService: grpc.ServiceDefinition;
  const backends: { name: string; server: grpc.Server; port: number; flakyHits: number }[] = [];
  let ads: AdsServer;
  let served: ResourceSet;
  let blue: { port: number; flakyHits: () => number };
  const clients: EchoClient[] = [];
  const client = (target: string): EchoClient => {
    const c = new Echo(target, grpc.credentials.createInsecure());
    clients.push(c);
    return c;
  };

  async function startBackend(name: string): Promise<{ port: number; flakyHits: () => number }> {
    const backend = { name, server: new grpc.Server(), port: 0, flakyHits: 0 };
    const answer = (_call: unknown, cb: grpc.sendUnaryData<WhoReply>) => cb(null, { backend: name });
    backend.server.addService(echoService, {
      Who: answer,
      Special: answer,
      Slow: (c: unknown, cb: grpc.sendUnaryData<WhoReply>) => setTimeout(() => answer(c, cb), 1_500),
      // Fails twice with UNAVAILABLE, then answers.
      Flaky: (c: unknown, cb: grpc.sendUnaryData<WhoReply>) =>
        ++backend.flakyHits % 3 === 0
          ? answer(c, cb)
          : cb({ code: grpc.status.UNAVAILABLE, details: `${name} is flaky` }),
    });
    backend.port = await new Promise<number>((done, fail) =>
      backend.server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) =>
        err ? fail(err) : done(port),
      ),
    );
    backends.push(backend);
    return { port: backend.port, flakyHits: () => backend.flakyHits };
  }

  beforeAll(async () => {
    protoDir = mkdtempSync(join(tmpdir(), 'meshplane-proxyless-'));
    writeFileSync(join(protoDir, 'echo.proto'), ECHO_PROTO);
    const echo = grpc.loadPackageDefinition(
      protoLoader.loadSync(join(protoDir, 'echo.proto'), { keepCase: true, defaults: true }),
    ) as unknown as { meshtest: { Echo: EchoConstructor & { service: grpc.ServiceDefinition } } };
    Echo = echo.meshtest.Echo;
    echoService = echo.meshtest.Echo.service;

    blue = await startBackend('blue');
    const green = await startBackend('green');
    const snapshot = buildSnapshot({
      mesh: { name: 'proxyless' },
      virtualNodes: [
        // Cloud Map discovery: endpoints known to the control plane.
        ...['blue', 'green'].map((name) => ({
          name,
          spec: {
            listeners: [{ portMapping: { port: 50051, protocol: 'grpc' } }],
            serviceDiscovery: { awsCloudMap: { namespaceName: 'test.local', serviceName: name } },
          },
        })),
        // DNS discovery with an IP literal: the hostname and listener port are the endpoint.
        {
          name: 'green-dns',
          spec: {
            listeners: [{ portMapping: { port: green.port, protocol: 'grpc' } }],
            serviceDiscovery: { dns: { hostname: '127.0.0.1' } },
          },
        },
      ],
      virtualRouters: [
        {
          name: 'web',
          spec: { listeners: [{ portMapping: { port: 50051, protocol: 'grpc' } }] },
          routes: [
            {
              name: 'slow',
              spec: {
                priority: 0,
                grpcRoute: {
                  match: { serviceName: 'meshtest.Echo', methodName: 'Slow' },
                  action: { weightedTargets: [{ virtualNode: 'blue', weight: 1 }] },
                  timeout: { perRequest: { value: 300, unit: 'ms' } },
                },
              },
            },
            {
              name: 'flaky',
              spec: {
                priority: 0,
                grpcRoute: {
                  match: { serviceName: 'meshtest.Echo', methodName: 'Flaky' },
                  action: { weightedTargets: [{ virtualNode: 'blue', weight: 1 }] },
                  retryPolicy: { maxRetries: 2, grpcRetryEvents: ['unavailable'] },
                },
              },
            },
            {
              name: 'special',
              spec: {
                priority: 1,
                grpcRoute: {
                  match: { serviceName: 'meshtest.Echo', methodName: 'Special' },
                  action: { weightedTargets: [{ virtualNode: 'green', weight: 1 }] },
                },
              },
            },
            {
              name: 'split',
              spec: {
                priority: 2,
                grpcRoute: {
                  match: { serviceName: 'meshtest.Echo' },
                  action: {
                    weightedTargets: [
                      { virtualNode: 'blue', weight: 75 },
                      { virtualNode: 'green', weight: 25 },
                    ],
                  },
                  retryPolicy: { maxRetries: 2, grpcRetryEvents: ['unavailable'] },
                  timeout: { perRequest: { value: 5, unit: 's' } },
                },
              },
            },
          ],
        },
      ],
      virtualServices: [
        { name: 'web.local', spec: { provider: { virtualRouter: { virtualRouterName: 'web' } } } },
        { name: 'green.local', spec: { provider: { virtualNode: { virtualNodeName: 'green-dns' } } } },
      ],
      endpoints: {
        blue: [{ address: '127.0.0.1', port: blue.port, zone: 'us-east-1a' }],
        green: [{ address: '127.0.0.1', port: green.port, zone: 'us-east-1b' }],
      },
    });
    const { views, problems } = translate(snapshot);
    expect(problems).toEqual([]);
    // Proxyless views are per service; this test server serves all of them on one stream.
    served = emptyResourceSet();
    for (const [name, view] of views) {
      if (!name.startsWith(PROXYLESS_VIEW_PREFIX)) continue;
      for (const kind of RESOURCE_KINDS) for (const [key, resource] of view[kind]) served[kind].set(key, resource);
    }
    ads = await startAdsServer(served);
    // Read when the first xds: channel resolves (once per process). grpc-js-xds 1.14.1 rejects a node
    // without `locality` (the bootstrap format makes it optional); the failure then surfaces only as
    // "Cannot read properties of null (reading 'clientDefaultListenerResourceNameTemplate')".
    process.env['GRPC_XDS_BOOTSTRAP_CONFIG'] = JSON.stringify({
      xds_servers: [
        { server_uri: `127.0.0.1:${ads.port}`, channel_creds: [{ type: 'insecure' }], server_features: ['xds_v3'] },
      ],
      node: { id: 'test', locality: {} },
    });
    registerXds();
  });

  afterAll(() => {
    for (const c of clients) c.close();
    ads?.close();
    for (const b of backends) b.server.forceShutdown();
    if (protoDir) rmSync(protoDir, { recursive: true, force: true });
  });

  it('splits RPCs across both backends by the route weights (75/25, within tolerance)', async () => {
    const web = client('xds:///web.local');
    const results: string[] = [];
    for (let i = 0; i < 400; i++) results.push(await call(web, 'Who'));
    const toBlue = results.filter((b) => b === 'blue').length;
    const toGreen = results.filter((b) => b === 'green').length;
    expect(toBlue + toGreen).toBe(400);
    // 400 draws at p = 0.75: mean 300, standard deviation ~8.7; about 5 sigma either side.
    expect(toBlue).toBeGreaterThan(255);
    expect(toBlue).toBeLessThan(345);
  });

  it('routes a method route to its own target, before the weighted split', async () => {
    const web = client('xds:///web.local');
    for (let i = 0; i < 20; i++) expect(await call(web, 'Special')).toBe('green');
  });

  it('applies the route timeout as the RPC deadline (max_stream_duration)', async () => {
    const web = client('xds:///web.local');
    const started = Date.now();
    const failure = await call(web, 'Slow', 10_000).catch((err: grpc.ServiceError) => err);
    expect(failure).toMatchObject({ code: grpc.status.DEADLINE_EXCEEDED });
    expect(Date.now() - started).toBeLessThan(1_200);
  });

  it('retries UNAVAILABLE per the route retry policy', async () => {
    const web = client('xds:///web.local');
    const before = blue.flakyHits();
    expect(await call(web, 'Flaky')).toBe('blue');
    expect(blue.flakyHits() - before).toBe(3);
  });

  it('serves the target with its port (xds:///<service>:<port>) the same way', async () => {
    const web = client('xds:///web.local:50051');
    const results: string[] = [];
    for (let i = 0; i < 40; i++) results.push(await call(web, 'Who'));
    expect(new Set(results)).toEqual(new Set(['blue', 'green']));
    expect(await call(web, 'Special')).toBe('green');
  });

  it('reaches a service provided by a DNS-discovered node whose hostname is an IP', async () => {
    const direct = client('xds:///green.local');
    for (let i = 0; i < 5; i++) expect(await call(direct, 'Who')).toBe('green');
  });

  it('was asked for resources by the exact names the translator gave them, and accepted all of them', () => {
    expect(ads.nacks()).toEqual([]);
    const asked = (type: string) =>
      new Set(ads.requests.filter((r) => r.typeUrl === type).flatMap((r) => r.resourceNames));
    expect(asked(TYPE.listener)).toEqual(new Set(['web.local', 'web.local:50051', 'green.local']));
    expect(asked(TYPE.routeConfiguration)).toEqual(
      new Set(['rds_proxyless_web.local', 'rds_proxyless_web.local:50051', 'rds_proxyless_green.local']),
    );
    const clusters = new Set([
      'cds_proxyless_proxyless_blue_grpc_50051',
      'cds_proxyless_proxyless_green_grpc_50051',
      `cds_proxyless_proxyless_green-dns_grpc_${backends.find((b) => b.name === 'green')!.port}`,
    ]);
    expect(asked(TYPE.cluster)).toEqual(clusters);
    expect(asked(TYPE.clusterLoadAssignment)).toEqual(clusters);
    // Every response was acknowledged: a later request of its stream and type echoes its nonce, without error.
    for (const response of ads.responses) {
      const ack = ads.requests.find(
        (r) => r.stream === response.stream && r.typeUrl === response.typeUrl && r.responseNonce === response.nonce,
      );
      expect(ack, `response ${response.nonce} (${response.typeUrl}) was not answered`).toBeDefined();
      expect(ack).toMatchObject({ versionInfo: response.versionInfo });
      expect(ack!.errorDetail).toBeUndefined();
    }
    expect(ads.requests[0]!.node).toMatchObject({ id: 'test', user_agent_name: 'gRPC Node Pure JS' });
  });

  it('sees a NACK when gRPC rejects a resource (so "no NACK" above means something)', async () => {
    // An ordinary Envoy listener, not an API listener: gRPC must reject it.
    const listeners = new Map(served.listeners).set('broken.local', {
      name: 'broken.local',
      address: { socket_address: { address: '0.0.0.0', port_value: 8080 } },
    });
    ads.serve({ ...served, listeners });
    const broken = client('xds:///broken.local');
    // Measured with grpc-js-xds 1.14.1: a Listener it never accepted leaves the RPC waiting for name
    // resolution until its deadline.
    const failure = await call(broken, 'Who', 2_000).catch((err: grpc.ServiceError) => err);
    expect([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED]).toContain((failure as grpc.ServiceError).code);
    const nacks = ads.nacks();
    expect(nacks).toHaveLength(1);
    expect(nacks[0]).toMatchObject({
      typeUrl: TYPE.listener,
      resourceNames: expect.arrayContaining(['broken.local', 'web.local']),
      // Not the previous version: the response also held valid Listeners, which gRPC applies anyway
      // (gRFC A46), so it reports the new version while rejecting the one invalid resource.
      versionInfo: '2',
    });
    expect(nacks[0]!.errorDetail?.message).toContain(
      'Listener message validation failed: [No api_listener and no filter_chains and no default_filter_chain]',
    );
  });
});
