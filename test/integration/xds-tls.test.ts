import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TenantsService, type CreatedTenant } from '../../src/tenants/tenants.service.js';
import { ProxyTokenService } from '../../src/xds-fleet/identity/proxy-tokens.service.js';
import { XdsGrpcServer } from '../../src/xds-fleet/server/xds-grpc-server.service.js';
import { TYPE } from '../../src/xds-fleet/translator/envoy-types.js';
import { adsClient, openAds } from '../support/ads-client.js';
import { testCertificate } from '../support/envoy.js';
import { createShopMesh } from '../support/mesh-fixture.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { appMeshClient, createTenant } from '../support/tenant-builder.js';

/** TLS on the xDS port (XDS_TLS_CERT_FILE / XDS_TLS_KEY_FILE): TLS clients are served, plaintext ones are not. */
describe('xDS over TLS', () => {
  let app: TestApp;
  let tenant: CreatedTenant;
  let token: string;
  const clients: grpc.Client[] = [];

  beforeAll(async () => {
    app = await startTestApp(['api', 'worker', 'xds'], {
      RECONCILE_DEBOUNCE_MS: '10',
      XDS_TLS_CERT_FILE: testCertificate('test-catalog-server.crt'),
      XDS_TLS_KEY_FILE: testCertificate('test-catalog-server.key'),
    });
    tenant = await createTenant(app);
    await createShopMesh(appMeshClient(app, tenant.accessKey));
    const scope = await app.app.get(TenantsService).scopeOf(tenant.accountId);
    token = (await app.app.get(ProxyTokenService).issue(scope, 'shop', 'virtualNode', 'web')).token;
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await app?.close();
  });

  const port = () => app.app.get(XdsGrpcServer).port!;

  it('serves a client that trusts the certificate', async () => {
    const client = adsClient(port(), {
      ca: readFileSync(testCertificate('test-ca.crt')),
      serverName: 'catalog.shop.local',
    });
    clients.push(client);
    const stream = openAds(client, 'sotw', token);
    stream.send({ node: { id: 'mesh/shop/virtualNode/web' }, type_url: TYPE.cluster });
    const cds = await stream.next(15_000);
    expect(cds['resources'].length).toBeGreaterThan(0);
    stream.close();
  });

  it('does not serve plaintext', async () => {
    const client = adsClient(port());
    clients.push(client);
    const stream = openAds(client, 'sotw', token);
    stream.send({ node: { id: 'mesh/shop/virtualNode/web' }, type_url: TYPE.cluster });
    expect((await stream.status).code).toBe(grpc.status.UNAVAILABLE);
  });
});
