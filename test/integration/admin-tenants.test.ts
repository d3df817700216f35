import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaService } from '../../src/platform/prisma/prisma.service.js';
import { call, startTestApp, type TestApp } from '../support/test-app.js';
import { createTenant, uniqueName } from '../support/tenant-builder.js';

describe('operator API /admin/v1', () => {
  let api: TestApp;

  beforeAll(async () => {
    api = await startTestApp();
  });
  afterAll(async () => {
    await api?.close();
  });

  describe('authentication', () => {
    it('refuses a request without the operator token', async () => {
      const res = await call(api.baseUrl, 'GET', '/admin/v1/tenants');
      expect(res.status).toBe(401);
      expect(res.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
    });

    it('refuses a wrong operator token', async () => {
      const res = await call(api.baseUrl, 'GET', '/admin/v1/tenants', { authorization: 'Bearer not-the-token' });
      expect(res.status).toBe(401);
      expect(res.headers.get('x-amzn-errortype')).toBe('UnrecognizedClientException');
    });

    it('refuses a tenant API token on operator routes', async () => {
      const tenant = await createTenant(api);
      const res = await call(api.baseUrl, 'GET', '/admin/v1/tenants', {
        authorization: `Bearer ${tenant.apiToken.token}`,
      });
      expect(res.status).toBe(401);
    });
  });

  it('creates a tenant and shows its first credentials once', async () => {
    const name = uniqueName('acme');
    const res = await api.admin('POST', '/admin/v1/tenants', { name });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      name,
      plan: 'standard',
      status: 'active',
      accountId: expect.stringMatching(/^\d{12}$/),
      accessKey: {
        accessKeyId: expect.stringMatching(/^MPAK[A-Z2-7]{16}$/),
        secretAccessKey: expect.stringMatching(/^[A-Za-z0-9+/]{40}$/),
      },
      apiToken: { token: expect.stringMatching(/^mpt_[A-Za-z0-9_-]{43}$/), name: 'default' },
    });

    const got = await api.admin('GET', `/admin/v1/tenants/${res.body.accountId}`);
    expect(got.body).toEqual({
      accountId: res.body.accountId,
      name,
      plan: 'standard',
      status: 'active',
      createdAt: res.body.createdAt,
    });

    const keys = await api.admin('GET', `/admin/v1/tenants/${res.body.accountId}/access-keys`);
    expect(keys.body.accessKeys).toHaveLength(1);
    expect(JSON.stringify(keys.body)).not.toContain(res.body.accessKey.secretAccessKey);
    const tokens = await api.admin('GET', `/admin/v1/tenants/${res.body.accountId}/api-tokens`);
    expect(tokens.body.apiTokens).toEqual([
      expect.objectContaining({ name: 'default', status: 'active', prefix: res.body.apiToken.token.slice(0, 10) }),
    ]);
    expect(JSON.stringify(tokens.body)).not.toContain(res.body.apiToken.token);
  });

  it('stores access-key secrets encrypted and API tokens only as hashes', async () => {
    const tenant = await createTenant(api);
    const prisma = api.app.get(PrismaService);
    const key = await prisma.accessKey.findUniqueOrThrow({ where: { accessKeyId: tenant.accessKey.accessKeyId } });
    expect(Buffer.from(key.secretCiphertext).toString('latin1')).not.toContain(tenant.accessKey.secretAccessKey);
    expect(Buffer.from(key.secretCiphertext).toString('base64')).not.toContain(tenant.accessKey.secretAccessKey);
    const tokens = await prisma.apiToken.findMany({ where: { tenant: { accountId: tenant.accountId } } });
    expect(JSON.stringify(tokens)).not.toContain(tenant.apiToken.token);
  });

  it('accepts a plan and rejects an unknown one, naming the field and the rule', async () => {
    const ok = await api.admin('POST', '/admin/v1/tenants', { name: uniqueName(), plan: 'enterprise' });
    expect(ok.body.plan).toBe('enterprise');
    const bad = await api.admin('POST', '/admin/v1/tenants', { name: uniqueName(), plan: 'platinum' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('x-amzn-errortype')).toBe('BadRequestException');
    expect(bad.body.message).toBe(
      'plan: must name an existing plan (platinum does not exist; see GET /admin/v1/plans)',
    );
  });

  it.each([
    [{}, 'name: is required and must be a string'],
    [{ name: 'Has Spaces' }, 'name: must be 1-63 lower-case letters'],
    [{ name: '-leading' }, 'name: must be 1-63'],
    [{ name: 'a'.repeat(64) }, 'name: must be 1-63'],
    [{ name: 'ok', extra: 1 }, 'Unrecognized key'],
  ])('rejects %j with a message naming the problem', async (body, message) => {
    const res = await api.admin('POST', '/admin/v1/tenants', body);
    expect(res.status).toBe(400);
    expect(res.body.message).toContain(message);
  });

  it('rejects a body that is not JSON without losing anything', async () => {
    const res = await call(
      api.baseUrl,
      'POST',
      '/admin/v1/tenants',
      { authorization: `Bearer ${api.config.adminToken}`, 'content-type': 'application/json' },
      '{"name":',
    );
    expect(res.status).toBe(400);
    expect(res.headers.get('x-amzn-errortype')).toBe('BadRequestException');
  });

  it('refuses a second tenant with the same name with ConflictException', async () => {
    const tenant = await createTenant(api);
    const res = await api.admin('POST', '/admin/v1/tenants', { name: tenant.name });
    expect(res.status).toBe(409);
    expect(res.headers.get('x-amzn-errortype')).toBe('ConflictException');
  });

  it('answers NotFoundException for an unknown account', async () => {
    for (const id of ['000000000000', 'not-an-id']) {
      const res = await api.admin('GET', `/admin/v1/tenants/${id}`);
      expect(res.status).toBe(404);
      expect(res.headers.get('x-amzn-errortype')).toBe('NotFoundException');
    }
  });

  it('pages through tenants without duplicates or gaps while tenants are added', async () => {
    for (let i = 0; i < 3; i++) await createTenant(api);
    const prisma = api.app.get(PrismaService);
    const existing = async () =>
      new Set((await prisma.tenant.findMany({ select: { accountId: true } })).map((t) => t.accountId));
    const before = await existing();
    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const res = await api.admin(
        'GET',
        `/admin/v1/tenants?limit=2${nextToken ? `&nextToken=${encodeURIComponent(nextToken)}` : ''}`,
      );
      expect(res.status).toBe(200);
      expect(res.body.tenants.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.tenants.map((t: { accountId: string }) => t.accountId));
      if (pages === 0) await createTenant(api); // an insert in the middle of the walk
      nextToken = res.body.nextToken;
      pages++;
    } while (nextToken);
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual(seen);
    // Every tenant that existed throughout the walk was seen (other test files add tenants concurrently).
    const after = await existing();
    const throughout = [...before].filter((id) => after.has(id));
    expect(throughout.filter((id) => !seen.includes(id))).toEqual([]);

    const bad = await api.admin('GET', '/admin/v1/tenants?limit=0');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe('query.limit: must be between 1 and 100');
    const unknown = await api.admin('GET', '/admin/v1/tenants?limt=5');
    expect({ status: unknown.status, message: unknown.body.message }).toEqual({
      status: 400,
      message: 'query.limt: is not a known parameter',
    });
    const forged = await api.admin('GET', '/admin/v1/tenants?nextToken=garbage');
    expect(forged.status).toBe(400);
    expect(forged.body.message).toContain('nextToken');
  });

  it('revokes API tokens and deletes tenants with everything they own', async () => {
    const tenant = await createTenant(api);
    const bearer = { authorization: `Bearer ${tenant.apiToken.token}` };
    expect((await call(api.baseUrl, 'GET', '/v1/account', bearer)).status).toBe(200);

    const second = await api.admin('POST', `/admin/v1/tenants/${tenant.accountId}/api-tokens`, { name: 'ci' });
    expect(second.status).toBe(201);
    const revoked = await api.admin(
      'DELETE',
      `/admin/v1/tenants/${tenant.accountId}/api-tokens/${second.body.apiToken.id}`,
    );
    expect(revoked.body).toMatchObject({ status: 'revoked', revokedAt: expect.any(String) });
    const refused = await call(api.baseUrl, 'GET', '/v1/account', {
      authorization: `Bearer ${second.body.apiToken.token}`,
    });
    expect(refused.status).toBe(401);
    expect(refused.body.message).toMatch(/revoked/);

    expect((await api.admin('DELETE', `/admin/v1/tenants/${tenant.accountId}`)).status).toBe(204);
    expect((await api.admin('GET', `/admin/v1/tenants/${tenant.accountId}`)).status).toBe(404);
    expect((await call(api.baseUrl, 'GET', '/v1/account', bearer)).status).toBe(401);
    const leftovers = await api.app
      .get(PrismaService)
      .accessKey.count({ where: { accessKeyId: tenant.accessKey.accessKeyId } });
    expect(leftovers).toBe(0);
  });
});
