import { ListMeshesCommand } from '@aws-sdk/client-app-mesh';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedTenant } from '../../src/tenants/tenants.service.js';
import { errorOf } from '../support/sdk-errors.js';
import { eventually } from '../support/eventually.js';
import { countSqlStatements } from '../support/sql-statement-counter.js';
import { appMeshClient, createTenant } from '../support/tenant-builder.js';
import { call, startTestApp, type TestApp } from '../support/test-app.js';

type Credentials = { accessKeyId: string; secretAccessKey: string };

/**
 * Revocation on the API takes effect at once on every replica: two api replicas (two app
 * instances on the same database and Redis, one master key) that both authenticated a credential
 * and cached it (ADR 0025); a credential revoked or a tenant suspended through one is refused by
 * the other on the next request. The notice is published before the revoking request answers,
 * and Redis delivers it to the other replica's subscriber before it answers the publisher.
 */
describe('revocation reaches every api replica on the next request', () => {
  let one: TestApp;
  let two: TestApp;
  let alice: CreatedTenant;
  let bob: CreatedTenant;

  const listMeshes = (api: TestApp, credentials: Credentials) =>
    appMeshClient(api, credentials).send(new ListMeshesCommand({}));
  const account = (api: TestApp, token: string) =>
    call(api.baseUrl, 'GET', '/v1/account', { authorization: `Bearer ${token}` });
  const asAlice = () => ({ authorization: `Bearer ${alice.apiToken.token}` });

  beforeAll(async () => {
    const shared = {
      MESH_MASTER_KEY: randomBytes(32).toString('base64'),
      MESH_ADMIN_TOKEN: `test-admin-${randomBytes(16).toString('hex')}`,
    };
    [one, two] = await Promise.all([startTestApp(['api'], shared), startTestApp(['api'], shared)]);
    [alice, bob] = await Promise.all([createTenant(one), createTenant(one)]);
  });

  afterAll(async () => {
    await Promise.all([one?.close(), two?.close()]);
  });

  it('caches an authenticated credential: once warm, a request reads no credential row', async () => {
    // The first authentication also subscribes the replica to revocation notices, and the
    // subscription's start forgets everything cached (a notice may have been missed before it).
    const credentialReads = await eventually('a request served from the credential cache', 5_000, async () => {
      const reads = await countSqlStatements(async () => {
        await listMeshes(two, alice.accessKey);
        expect((await account(two, alice.apiToken.token)).status).toBe(200);
      });
      const credentialReads = reads.texts.filter((t) => /access_keys|api_tokens/.test(t) && !/^UPDATE/i.test(t.trim()));
      return credentialReads.length === 0 ? credentialReads : undefined;
    });
    expect(credentialReads).toEqual([]);
  });

  it('refuses an access key revoked on one replica on the next request to the other', async () => {
    const created = await call(one.baseUrl, 'POST', '/v1/access-keys', asAlice(), { description: 'to revoke' });
    expect(created.status).toBe(201);
    const key: Credentials = created.body.accessKey;
    // Used on replica two first, so anything it could have kept from it is warm.
    await listMeshes(two, key);

    const revoked = await call(one.baseUrl, 'DELETE', `/v1/access-keys/${key.accessKeyId}`, asAlice());
    expect(revoked.status).toBe(200);

    const err = await errorOf(listMeshes(two, key));
    expect(err).toMatchObject({ name: 'UnrecognizedClientException', status: 403 });
    expect(err.message).toMatch(/revoked/);
    await listMeshes(two, alice.accessKey); // her other key is untouched
  });

  it('refuses an API token revoked on one replica on the next request to the other', async () => {
    const created = await call(one.baseUrl, 'POST', '/v1/api-tokens', asAlice(), { name: 'to-revoke' });
    expect(created.status).toBe(201);
    const { id, token } = created.body.apiToken;
    expect((await account(two, token)).status).toBe(200);

    expect((await call(one.baseUrl, 'DELETE', `/v1/api-tokens/${id}`, asAlice())).status).toBe(200);

    const refused = await account(two, token);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('x-amzn-errortype')).toBe('UnrecognizedClientException');
    expect((await account(two, alice.apiToken.token)).status).toBe(200);
  });

  it('answers a tenant suspended on one replica with 403 ForbiddenException on the next request to the other, and no other tenant', async () => {
    await listMeshes(two, alice.accessKey);
    expect((await account(two, alice.apiToken.token)).status).toBe(200);

    expect((await one.admin('POST', `/admin/v1/tenants/${alice.accountId}/suspend`)).status).toBe(200);

    const signed = await errorOf(listMeshes(two, alice.accessKey));
    expect(signed).toMatchObject({ name: 'ForbiddenException', status: 403 });
    expect(signed.message).toContain(`Account ${alice.accountId} is suspended`);
    const bearer = await account(two, alice.apiToken.token);
    expect(bearer.status).toBe(403);
    expect(bearer.headers.get('x-amzn-errortype')).toBe('ForbiddenException');
    // Another tenant on the same replica is not touched.
    await listMeshes(two, bob.accessKey);
    expect((await account(two, bob.apiToken.token)).status).toBe(200);

    expect((await one.admin('POST', `/admin/v1/tenants/${alice.accountId}/resume`)).status).toBe(200);
    await listMeshes(two, alice.accessKey);
  });

  it('refuses the credentials of a tenant deleted on one replica on the next request to the other', async () => {
    const carol = await createTenant(one);
    await listMeshes(two, carol.accessKey);

    expect((await one.admin('DELETE', `/admin/v1/tenants/${carol.accountId}`)).status).toBe(204);

    expect(await errorOf(listMeshes(two, carol.accessKey))).toMatchObject({
      name: 'UnrecognizedClientException',
      status: 403,
    });
    expect((await account(two, carol.apiToken.token)).status).toBe(401);
    await listMeshes(two, bob.accessKey);
  });
});
