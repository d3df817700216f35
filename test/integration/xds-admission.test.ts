import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TenantsService } from '../../src/tenants/tenants.service.js';
import { ProxyTokenService } from '../../src/xds-fleet/identity/proxy-tokens.service.js';
import { XdsGrpcServer } from '../../src/xds-fleet/server/xds-grpc-server.service.js';
import { TYPE } from '../../src/xds-fleet/translator/envoy-types.js';
import { adsClient, openAds, type AdsStream } from '../support/ads-client.js';
import { createShopMesh } from '../support/mesh-fixture.js';
import { appMeshClient, createTenant } from '../support/tenant-builder.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Admission control of new xDS streams: XDS_ADMISSION_RATE streams a second start at once, the
 * next ones wait their turn in arrival order (a reconnect storm is served at the rate, not
 * refused into ever longer backoffs), and only streams beyond XDS_ADMISSION_MAX_WAIT_MS of
 * waiting are refused, at once, with UNAVAILABLE.
 */
describe('xDS admission control queues a burst of new streams, bounded', () => {
  let app: TestApp;
  let client: grpc.Client;
  const streams: AdsStream[] = [];

  beforeAll(async () => {
    // Two streams a second, and up to two seconds of waiting: a queue of four.
    app = await startTestApp(['api', 'worker', 'xds'], {
      RECONCILE_DEBOUNCE_MS: '10',
      XDS_ADMISSION_RATE: '2',
      XDS_ADMISSION_MAX_WAIT_MS: '2000',
    });
    const tenant = await createTenant(app);
    await createShopMesh(appMeshClient(app, tenant.accessKey));
    client = adsClient(app.app.get(XdsGrpcServer).port!);
    const scope = await app.app.get(TenantsService).scopeOf(tenant.accountId);
    const tokens = await Promise.all(
      Array.from({ length: 8 }, () => app.app.get(ProxyTokenService).issue(scope, 'shop', 'virtualNode', 'web')),
    );
    // The mesh must be compiled before anything can be served: one stream, then a pause for the
    // rate limiter's window to pass.
    const warm = openAds(client, 'sotw', tokens[0]!.token);
    warm.send({ node: { id: 'mesh/shop/virtualNode/web', cluster: 'web' }, type_url: TYPE.cluster });
    await warm.next(15_000);
    warm.close();
    await new Promise((r) => setTimeout(r, 1_100));
    tokenList = tokens.map((t) => t.token);
  }, 60_000);
  let tokenList: string[] = [];

  afterAll(async () => {
    for (const s of streams) s.close();
    client?.close();
    await app?.close();
  });

  it('starts two streams at once, four after waiting in order, and refuses the two beyond the queue', async () => {
    const opened = performance.now();
    for (const token of tokenList) {
      const stream = openAds(client, 'sotw', token);
      streams.push(stream);
      stream.send({ node: { id: 'mesh/shop/virtualNode/web', cluster: 'web' }, type_url: TYPE.cluster });
    }
    const outcomes = await Promise.all(
      streams.map(async (stream) => {
        const ended = stream.status.then((s) => ({ code: s.code, at: performance.now() - opened }));
        const served = stream.next(15_000).then(
          () => ({ code: 'served' as const, at: performance.now() - opened }),
          () => ended,
        );
        return Promise.race([served, ended]);
      }),
    );
    const served = outcomes.filter((o) => o.code === 'served').map((o) => o.at);
    const refused = outcomes.filter((o) => o.code !== 'served');
    expect(served).toHaveLength(6);
    expect(refused.map((o) => o.code)).toEqual([grpc.status.UNAVAILABLE, grpc.status.UNAVAILABLE]);
    // Refused at once, not after waiting.
    for (const o of refused) expect(o.at).toBeLessThan(1_000);
    // The six were spread over the limiter's windows: two a second, so the last started at least
    // a window and a half after the first (a lower bound: the limiter cannot be faster).
    expect(Math.max(...served) - Math.min(...served)).toBeGreaterThanOrEqual(1_500);
  }, 30_000);
});
