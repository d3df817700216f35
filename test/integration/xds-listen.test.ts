import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TenantsService, type CreatedTenant } from '../../src/tenants/tenants.service.js';
import { ProxyTokenService } from '../../src/xds-fleet/identity/proxy-tokens.service.js';
import { XdsGrpcServer } from '../../src/xds-fleet/server/xds-grpc-server.service.js';
import { TYPE } from '../../src/xds-fleet/translator/envoy-types.js';
import { adsClient, openAds } from '../support/ads-client.js';
import { createShopMesh } from '../support/mesh-fixture.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { appMeshClient, createTenant } from '../support/tenant-builder.js';

/** The kernel's view of the TCP sockets listening on `port`: for a listening socket, Send-Q is its backlog. */
function listening(port: number): { backlog: number; local: string }[] {
  const out = execFileSync('ss', ['-ltnH', `sport = :${port}`], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [, , sendQ, local] = line.trim().split(/\s+/);
      return { backlog: Number(sendQ), local: local! };
    });
}

const somaxconn = Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8'));

/**
 * The xDS port is the shard's own listening socket (XDS_LISTEN_BACKLOG), its connections handed to
 * grpc-js: the kernel shows the configured backlog, and ADS and the health service work over it.
 */
describe.skipIf(process.platform !== 'linux')('xDS listening socket', () => {
  const BACKLOG = Math.min(1234, somaxconn);
  let app: TestApp;
  let tenant: CreatedTenant;
  let port: number;
  let closed = false;
  const clients: grpc.Client[] = [];

  beforeAll(async () => {
    app = await startTestApp(['api', 'worker', 'xds'], {
      RECONCILE_DEBOUNCE_MS: '10',
      XDS_LISTEN_BACKLOG: String(BACKLOG),
    });
    tenant = await createTenant(app);
    await createShopMesh(appMeshClient(app, tenant.accessKey));
    port = app.app.get(XdsGrpcServer).port!;
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    if (!closed) await app?.close();
  });

  it('listens with XDS_LISTEN_BACKLOG as its accept queue', () => {
    expect(listening(port)).toEqual([{ backlog: BACKLOG, local: `127.0.0.1:${port}` }]);
  });

  it('serves ADS on it', async () => {
    const scope = await app.app.get(TenantsService).scopeOf(tenant.accountId);
    const token = (await app.app.get(ProxyTokenService).issue(scope, 'shop', 'virtualNode', 'web')).token;
    const client = adsClient(port);
    clients.push(client);
    for (const protocol of ['sotw', 'delta'] as const) {
      const stream = openAds(client, protocol, token);
      stream.send({ node: { id: 'mesh/shop/virtualNode/web' }, type_url: TYPE.cluster });
      const cds = await stream.next(15_000);
      expect(cds['resources'].length).toBeGreaterThan(0);
      stream.close();
    }
  });

  it('serves grpc.health.v1 on it', async () => {
    const client = adsClient(port);
    clients.push(client);
    const response = await new Promise<Buffer>((resolve, reject) =>
      client.makeUnaryRequest(
        '/grpc.health.v1.Health/Check',
        (b: Buffer) => b,
        (b: Buffer) => b,
        Buffer.alloc(0), // HealthCheckRequest{service: ""}
        (err, value) => (err ? reject(err) : resolve(value!)),
      ),
    );
    // HealthCheckResponse{status: SERVING (1)}: field 1, varint 1.
    expect([...response]).toEqual([0x08, 0x01]);
  });

  it('stops listening and closes open streams on shutdown', async () => {
    const client = adsClient(port);
    clients.push(client);
    const scope = await app.app.get(TenantsService).scopeOf(tenant.accountId);
    const token = (await app.app.get(ProxyTokenService).issue(scope, 'shop', 'virtualNode', 'web')).token;
    const stream = openAds(client, 'sotw', token);
    stream.send({ node: { id: 'mesh/shop/virtualNode/web' }, type_url: TYPE.cluster });
    await stream.next(15_000);
    const started = Date.now();
    closed = true;
    await app.close();
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(listening(port)).toEqual([]);
    expect((await stream.status).code).not.toBe(grpc.status.OK);
  });
});
