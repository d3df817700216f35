import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedTenant } from '../../src/tenants/tenants.service.js';
import { call, startTestApp, type TestApp } from '../support/test-app.js';
import { createTenant } from '../support/tenant-builder.js';

/** Tenants are walls: one tenant's credentials never reveal or touch another's. */
describe('tenant isolation of credentials', () => {
  let api: TestApp;
  let alice: CreatedTenant;
  let bob: CreatedTenant;
  const as = (t: CreatedTenant) => ({ authorization: `Bearer ${t.apiToken.token}` });

  beforeAll(async () => {
    api = await startTestApp();
    [alice, bob] = await Promise.all([createTenant(api), createTenant(api)]);
  });
  afterAll(async () => {
    await api?.close();
  });

  it('shows each tenant only its own account and keys', async () => {
    const account = await call(api.baseUrl, 'GET', '/v1/account', as(alice));
    expect(account.body).toMatchObject({ accountId: alice.accountId, name: alice.name });

    const keys = await call(api.baseUrl, 'GET', '/v1/access-keys', as(alice));
    expect(keys.body.accessKeys.map((k: { accessKeyId: string }) => k.accessKeyId)).toEqual([
      alice.accessKey.accessKeyId,
    ]);
    const tokens = await call(api.baseUrl, 'GET', '/v1/api-tokens', as(alice));
    expect(tokens.body.apiTokens.map((t: { id: string }) => t.id)).toEqual([alice.apiToken.id]);
    expect(JSON.stringify([keys.body, tokens.body])).not.toContain(bob.accessKey.accessKeyId);
  });

  it("cannot revoke another tenant's access key or token: it does not exist for them", async () => {
    const key = await call(api.baseUrl, 'DELETE', `/v1/access-keys/${bob.accessKey.accessKeyId}`, as(alice));
    expect(key.status).toBe(404);
    expect(key.headers.get('x-amzn-errortype')).toBe('NotFoundException');
    const token = await call(api.baseUrl, 'DELETE', `/v1/api-tokens/${bob.apiToken.id}`, as(alice));
    expect(token.status).toBe(404);

    // Bob's credentials still work.
    const bobKeys = await call(api.baseUrl, 'GET', '/v1/access-keys', as(bob));
    expect(bobKeys.body.accessKeys).toEqual([
      expect.objectContaining({ accessKeyId: bob.accessKey.accessKeyId, status: 'active' }),
    ]);
  });

  it("cannot reach another tenant's keys through the operator routes without the operator token", async () => {
    const res = await call(api.baseUrl, 'GET', `/admin/v1/tenants/${bob.accountId}/access-keys`, as(alice));
    expect(res.status).toBe(401);
  });

  it('issues new keys into the caller tenant only', async () => {
    const created = await call(api.baseUrl, 'POST', '/v1/access-keys', as(alice), { description: 'laptop' });
    expect(created.status).toBe(201);
    const bobKeys = await api.admin('GET', `/admin/v1/tenants/${bob.accountId}/access-keys`);
    expect(bobKeys.body.accessKeys).toHaveLength(1);
    const aliceKeys = await api.admin('GET', `/admin/v1/tenants/${alice.accountId}/access-keys`);
    expect(aliceKeys.body.accessKeys.map((k: { description: string | null }) => k.description)).toContain('laptop');
  });
});
