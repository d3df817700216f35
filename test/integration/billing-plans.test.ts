import { CreateMeshCommand, type AppMeshClient } from '@aws-sdk/client-app-mesh';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BillingClock } from '../../src/billing/plans/billing-clock.js';
import { randomBytes } from 'node:crypto';
import { eventually } from '../support/eventually.js';
import { countSqlStatements } from '../support/sql-statement-counter.js';
import { call, startTestApp, type TestApp } from '../support/test-app.js';
import { appMeshClient, uniqueName } from '../support/tenant-builder.js';

const STANDARD_QUOTAS = {
  meshesPerAccount: 15,
  virtualNodesPerMesh: 200,
  virtualServicesPerMesh: 200,
  virtualRoutersPerMesh: 200,
  routesPerVirtualRouter: 50,
  virtualGatewaysPerMesh: 3,
  gatewayRoutesPerVirtualGateway: 10,
  backendsPerVirtualNode: 50,
  weightedTargetsPerRoute: 10,
  tagsPerResource: 50,
  connectedProxiesPerVirtualNode: 50,
  connectedProxiesPerVirtualGateway: 50,
  apiRequestsPerSecond: 200,
  ec2SyncSourcesPerAccount: 10,
};
const price = (unitPrice: string, freeUnits: number | string = 0) => ({ unitPrice, freeUnits });
const PRICES = {
  proxy_seconds: price('0.0006'),
  grpc_client_seconds: price('0.0003'),
  api_read_requests: price('0.000001', 5_000_000),
  api_write_requests: price('0.000004', '500000'),
  resource_hours: price('0'),
};

async function errorName(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    return (err as Error).name;
  }
}

describe('plans and quotas (/admin/v1/plans, /admin/v1/tenants/{id}/plan)', () => {
  let api: TestApp;
  let clock: BillingClock;
  const at = (iso: string) => {
    clock.now = () => new Date(iso);
  };

  beforeAll(async () => {
    api = await startTestApp();
    clock = api.app.get(BillingClock);
  });
  afterAll(async () => {
    await api?.close();
  });

  it('lists the seeded plans with their quotas and prices', async () => {
    const res = await api.admin('GET', '/admin/v1/plans/standard');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      name: 'standard',
      builtIn: true,
      currency: 'USD',
      quotas: STANDARD_QUOTAS,
      prices: {
        proxy_seconds: { unitPrice: '0.000700', per: 'proxy-hour', freeUnits: '0' },
        grpc_client_seconds: { unitPrice: '0.000350', per: 'client-hour', freeUnits: '0' },
        api_read_requests: { unitPrice: '0.000001', per: 'request', freeUnits: '1000000' },
        api_write_requests: { unitPrice: '0.000005', per: 'request', freeUnits: '100000' },
        resource_hours: { unitPrice: '0.000010', per: 'resource-hour', freeUnits: '0' },
      },
    });
    const all = await api.admin('GET', '/admin/v1/plans');
    expect(all.body.plans.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['free', 'standard', 'enterprise']),
    );
  });

  it('creates, updates and deletes a custom plan; prices freeze once a tenant has used it', async () => {
    const name = uniqueName('custom');
    const created = await api.admin('POST', '/admin/v1/plans', {
      name,
      currency: 'USD',
      quotas: { ...STANDARD_QUOTAS, meshesPerAccount: 2 },
      prices: PRICES,
    });
    expect(created.status).toBe(201);
    expect(created.body.prices.api_write_requests).toEqual({
      unitPrice: '0.000004',
      per: 'request',
      freeUnits: '500000',
    });
    expect((await api.admin('POST', '/admin/v1/plans', created.body)).status).toBe(400); // builtIn is not input
    const again = await api.admin('POST', '/admin/v1/plans', {
      name,
      currency: 'USD',
      quotas: STANDARD_QUOTAS,
      prices: PRICES,
    });
    expect(again.status).toBe(409);

    const repriced = await api.admin('PATCH', `/admin/v1/plans/${name}`, {
      prices: { proxy_seconds: price('0.0005') },
    });
    expect(repriced.status).toBe(200);
    expect(repriced.body.prices.proxy_seconds.unitPrice).toBe('0.000500');

    const tenant = await api.admin('POST', '/admin/v1/tenants', { name: uniqueName('ct'), plan: name });
    expect(tenant.status).toBe(201);
    const frozen = await api.admin('PATCH', `/admin/v1/plans/${name}`, { prices: { proxy_seconds: price('0.0001') } });
    expect(frozen.status).toBe(409);
    expect(frozen.body.message).toMatch(/^prices: cannot change once a tenant has been on plan/);
    const quotas = await api.admin('PATCH', `/admin/v1/plans/${name}`, { quotas: { meshesPerAccount: 4 } });
    expect(quotas.status).toBe(200);
    expect(quotas.body.quotas.meshesPerAccount).toBe(4);
    expect((await api.admin('DELETE', `/admin/v1/plans/${name}`)).status).toBe(409);
    expect((await api.admin('DELETE', '/admin/v1/plans/standard')).status).toBe(409);

    const unused = uniqueName('unused');
    await api.admin('POST', '/admin/v1/plans', {
      name: unused,
      currency: 'EUR',
      quotas: STANDARD_QUOTAS,
      prices: PRICES,
    });
    expect((await api.admin('DELETE', `/admin/v1/plans/${unused}`)).status).toBe(204);
    expect((await api.admin('GET', `/admin/v1/plans/${unused}`)).status).toBe(404);
  });

  it('names the field and the rule of a bad plan', async () => {
    const res = await api.admin('POST', '/admin/v1/plans', {
      name: 'Gold Plan',
      currency: 'usd',
      quotas: { ...STANDARD_QUOTAS, meshesPerAccount: 0, tagsPerResource: 51 },
      prices: { ...PRICES, proxy_seconds: price('0.00000001'), api_read_requests: price('1', -1) },
    });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe(
      [
        'name: must be 2-32 characters: lowercase letters, digits and hyphens, starting with a letter',
        'currency: must be a three-letter ISO 4217 code in capitals (e.g. USD)',
        'quotas.meshesPerAccount: must be an integer from 1 to 1000000',
        'quotas.tagsPerResource: must be at most 50 (the App Mesh model allows 50 tags)',
        'prices.proxy_seconds.unitPrice: must be a decimal string with at most 6 decimals, from 0 to 1000000',
        'prices.api_read_requests.freeUnits: must be a whole number of priced units from 0 to 1000000000000000',
      ].join('; '),
    );
  });

  it('moves the quotas of a tenant to its new plan at the next hour, not before', async () => {
    const created = await api.admin('POST', '/admin/v1/tenants', { name: uniqueName('grow'), plan: 'free' });
    const accountId: string = created.body.accountId;
    const client: AppMeshClient = appMeshClient(api, created.body.accessKey);
    at('2027-05-10T09:59:00Z');
    for (let i = 0; i < 3; i++) await client.send(new CreateMeshCommand({ meshName: `m${i}` }));
    expect(await errorName(client.send(new CreateMeshCommand({ meshName: 'm3' })))).toBe('LimitExceededException');

    at('2027-05-10T10:20:00Z');
    const change = await api.admin('POST', `/admin/v1/tenants/${accountId}/plan`, { plan: 'standard' });
    expect(change.status).toBe(201);
    expect(change.body).toMatchObject({
      plan: 'standard',
      effectiveFrom: '2027-05-10T11:00:00.000Z',
      changedBy: 'operator',
    });
    // Still the free plan's 3 meshes until 11:00.
    at('2027-05-10T10:59:59Z');
    expect(await errorName(client.send(new CreateMeshCommand({ meshName: 'm3' })))).toBe('LimitExceededException');
    at('2027-05-10T11:00:00Z');
    await client.send(new CreateMeshCommand({ meshName: 'm3' }));

    const history = await api.admin('GET', `/admin/v1/tenants/${accountId}/plan`);
    expect(history.body.plan).toBe('standard');
    expect(history.body.history.map((h: { plan: string; effectiveFrom: string }) => h.plan)).toEqual([
      'free',
      'standard',
    ]);
    expect(history.body.history[1]).toMatchObject({ effectiveFrom: '2027-05-10T11:00:00.000Z', changedBy: 'operator' });
    expect((await api.admin('GET', `/admin/v1/tenants/${accountId}`)).body.plan).toBe('standard');
  });

  it('applies a quota edit at once, in every request after it (no stale cache)', async () => {
    const name = uniqueName('tight');
    await api.admin('POST', '/admin/v1/plans', {
      name,
      currency: 'USD',
      quotas: { ...STANDARD_QUOTAS, meshesPerAccount: 1 },
      prices: PRICES,
    });
    const created = await api.admin('POST', '/admin/v1/tenants', { name: uniqueName('tt'), plan: name });
    const client = appMeshClient(api, created.body.accessKey);
    clock.now = () => new Date();
    await client.send(new CreateMeshCommand({ meshName: 'a' }));
    expect(await errorName(client.send(new CreateMeshCommand({ meshName: 'b' })))).toBe('LimitExceededException');
    await api.admin('PATCH', `/admin/v1/plans/${name}`, { quotas: { meshesPerAccount: 2 } });
    await client.send(new CreateMeshCommand({ meshName: 'b' }));
  });

  it('refuses a plan change into the past, to an unknown plan or to another currency', async () => {
    const created = await api.admin('POST', '/admin/v1/tenants', { name: uniqueName('pc') });
    const accountId: string = created.body.accountId;
    at('2027-06-01T08:30:00Z');
    const past = await api.admin('POST', `/admin/v1/tenants/${accountId}/plan`, {
      plan: 'enterprise',
      effectiveFrom: '2027-06-01T08:00:00Z',
    });
    expect(past.status).toBe(400);
    expect(past.body.message).toBe(
      'effectiveFrom: must not be before the next hour (2027-06-01T09:00:00.000Z); the past is not rewritten',
    );
    const odd = await api.admin('POST', `/admin/v1/tenants/${accountId}/plan`, {
      plan: 'enterprise',
      effectiveFrom: '2027-07-01T00:30:00Z',
    });
    expect(odd.body.message).toBe(
      'effectiveFrom: must be an ISO 8601 UTC time on an hour boundary (e.g. 2026-12-01T00:00:00Z)',
    );
    const unknown = await api.admin('POST', `/admin/v1/tenants/${accountId}/plan`, { plan: 'platinum' });
    expect(unknown.body.message).toBe(
      'plan: must name an existing plan (platinum does not exist; see GET /admin/v1/plans)',
    );
    const euro = uniqueName('euro');
    await api.admin('POST', '/admin/v1/plans', {
      name: euro,
      currency: 'EUR',
      quotas: STANDARD_QUOTAS,
      prices: PRICES,
    });
    const currency = await api.admin('POST', `/admin/v1/tenants/${accountId}/plan`, { plan: euro });
    expect(currency.status).toBe(400);
    expect(currency.body.message).toBe(
      "plan: must be priced in USD like the tenant's plan standard (an invoice has one currency)",
    );
    const scheduled = await api.admin('POST', `/admin/v1/tenants/${accountId}/plan`, {
      plan: 'enterprise',
      effectiveFrom: '2027-07-01T00:00:00Z',
    });
    expect(scheduled.status).toBe(201);
    const none = await api.admin('POST', '/admin/v1/tenants/000000000000/plan', { plan: 'free' });
    expect(none.status).toBe(404);
    const tenantToken = await call(api.baseUrl, 'GET', '/admin/v1/plans', {
      authorization: `Bearer ${created.body.apiToken.token}`,
    });
    expect(tenantToken.status).toBe(401);
  });

  it('makes another process forget a changed plan at once, long before its cache expires', async () => {
    // Two api processes sharing PostgreSQL and Redis, caching plans for an hour.
    const shared = {
      MESH_MASTER_KEY: randomBytes(32).toString('base64'),
      MESH_ADMIN_TOKEN: `test-admin-${randomBytes(16).toString('hex')}`,
      BILLING_PLAN_CACHE_TTL_MS: '3600000',
    };
    const one = await startTestApp(['api'], shared);
    const two = await startTestApp(['api'], shared);
    try {
      const name = uniqueName('shared');
      await one.admin('POST', '/admin/v1/plans', {
        name,
        currency: 'USD',
        quotas: { ...STANDARD_QUOTAS, meshesPerAccount: 1 },
        prices: PRICES,
      });
      const created = await one.admin('POST', '/admin/v1/tenants', { name: uniqueName('sh'), plan: name });
      const onTwo = appMeshClient(two, created.body.accessKey);
      clock.now = () => new Date();
      await onTwo.send(new CreateMeshCommand({ meshName: 'a' }));
      // Process two has now cached the plan and refuses a second mesh.
      expect(await errorName(onTwo.send(new CreateMeshCommand({ meshName: 'b' })))).toBe('LimitExceededException');
      await one.admin('PATCH', `/admin/v1/plans/${name}`, { quotas: { meshesPerAccount: 2 } });
      await eventually('process two applies the new quota', 2_000, async () =>
        (await errorName(onTwo.send(new CreateMeshCommand({ meshName: 'b' })))) === undefined ? true : undefined,
      );
    } finally {
      await one.close();
      await two.close();
    }
  });

  it('reads no plan from the database on the hot paths once cached', async () => {
    const created = await api.admin('POST', '/admin/v1/tenants', { name: uniqueName('hot'), plan: 'free' });
    const client = appMeshClient(api, created.body.accessKey);
    clock.now = () => new Date();
    await client.send(new CreateMeshCommand({ meshName: 'warm' })); // loads the plan once
    const { texts } = await countSqlStatements(async () => {
      for (let i = 0; i < 2; i++) await client.send(new CreateMeshCommand({ meshName: `hot-${i}` }));
      expect(await errorName(client.send(new CreateMeshCommand({ meshName: 'hot-2' })))).toBe('LimitExceededException');
    });
    expect(texts.filter((t) => /\b(plans|plan_prices|tenant_plan_changes)\b/.test(t))).toEqual([]);
    expect(texts.length).toBeGreaterThan(0); // the counter saw the requests' own statements
  });
});
