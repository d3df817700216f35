import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedTenant } from '../../src/tenants/tenants.service.js';
import { signedAppMeshRequest } from '../support/signed-http.js';
import { uniqueName } from '../support/tenant-builder.js';
import { call, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * /graphql behind the REST API's guard: SigV4 for parity, the plan's rate limit counted once per
 * HTTP request, and the plan's quotas on writes.
 */
describe('GraphQL authentication, rate limit and quotas', () => {
  let api: TestApp;

  const freeTenant = async (): Promise<CreatedTenant> => {
    const res = await api.admin('POST', '/admin/v1/tenants', { name: uniqueName('gqfree'), plan: 'free' });
    if (res.status !== 201) throw new Error(`creating a tenant: ${res.status}`);
    return res.body as CreatedTenant;
  };
  const gql = (tenant: CreatedTenant, query: string, variables?: Record<string, unknown>) =>
    call(api.baseUrl, 'POST', '/graphql', { authorization: `Bearer ${tenant.apiToken.token}` }, { query, variables });

  beforeAll(async () => {
    api = await startTestApp();
  });
  afterAll(async () => {
    await api?.close();
  });

  it('accepts SigV4 over the bytes sent, and refuses a body changed after signing', async () => {
    const tenant = await freeTenant();
    const body = JSON.stringify({ query: '{ meshes { nodes { name } } }' });
    const signed = await signedAppMeshRequest(api, tenant.accessKey, {
      method: 'POST',
      path: '/graphql',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(signed.status).toBe(200);
    expect(signed.body).toEqual({ data: { meshes: { nodes: [] } } });
    const tampered = await signedAppMeshRequest(api, tenant.accessKey, {
      method: 'POST',
      path: '/graphql',
      headers: { 'content-type': 'application/json' },
      body,
      sentBody: JSON.stringify({ query: '{ meshes { nodes { arn } } }' }),
    });
    expect(tampered.status).toBe(401);
    expect(tampered.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('counts one HTTP request once against the rate limit, however many fields it asks for', async () => {
    const tenant = await freeTenant();
    // 60 root fields, more than the free plan's 50 requests per second.
    const fields = Array.from({ length: 60 }, (_, i) => `m${i}: meshes(first: 1) { nodes { name } }`).join('\n');
    const res = await gql(tenant, `{ ${fields} }`);
    expect(res.body.errors).toBeUndefined();
    expect(Object.keys(res.body.data)).toHaveLength(60);
  });

  it('throttles a burst beyond the plan rate with THROTTLED (429)', async () => {
    const tenant = await freeTenant();
    const burst = await Promise.all(Array.from({ length: 90 }, () => gql(tenant, '{ meshes { nodes { name } } }')));
    const throttled = burst.filter((r) => r.body.errors?.[0]?.extensions?.code === 'THROTTLED');
    expect(throttled.length).toBeGreaterThan(0);
    expect(throttled[0]).toMatchObject({
      status: 429,
      body: {
        data: null,
        errors: [
          {
            message: expect.stringContaining(`may make 50 API requests per second on plan free`),
            extensions: { code: 'THROTTLED', retryAfterSeconds: expect.any(Number) },
          },
        ],
      },
    });
    expect(burst.filter((r) => r.status === 200).length).toBeGreaterThan(0);
  });

  it("refuses a write beyond the plan's quota with LIMIT_EXCEEDED", async () => {
    const tenant = await freeTenant();
    const create = `mutation($n: String!) { createMesh(input: { meshName: $n }) { name } }`;
    for (const n of ['q1', 'q2', 'q3']) {
      const ok = await gql(tenant, create, { n });
      expect(ok.body.errors).toBeUndefined();
    }
    const over = await gql(tenant, create, { n: 'q4' });
    expect(over.status).toBe(200);
    expect(over.body.errors).toEqual([
      expect.objectContaining({
        message: `Account ${tenant.accountId} already has the maximum of 3 meshes allowed by its plan.`,
        path: ['createMesh'],
        extensions: { code: 'LIMIT_EXCEEDED' },
      }),
    ]);
  });
});
