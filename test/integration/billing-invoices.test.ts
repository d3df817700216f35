import { CreateMeshCommand } from '@aws-sdk/client-app-mesh';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvoicesService } from '../../src/billing/invoices/invoices.service.js';
import { BillingClock } from '../../src/billing/plans/billing-clock.js';
import { PrismaService } from '../../src/platform/prisma/prisma.service.js';
import type { CreatedTenant } from '../../src/tenants/tenants.service.js';
import { call, startTestApp, type TestApp } from '../support/test-app.js';
import { appMeshClient, createTenant, uniqueName } from '../support/tenant-builder.js';

/**
 * Invoices from usage rows written directly (the metering contract: `usage_hours` buckets and
 * `usage_adjustments`), with the billing clock moved to script a month. Every expected amount is
 * worked out by hand in the comments, from the seeded prices (migration plans_and_invoices).
 */
describe('invoices (/v1/invoices, /admin/v1)', () => {
  let api: TestApp;
  let prisma: PrismaService;
  let clock: BillingClock;
  let alice: CreatedTenant;
  let bob: CreatedTenant;
  const tenantId = async (t: CreatedTenant) =>
    (await prisma.tenant.findUniqueOrThrow({ where: { accountId: t.accountId } })).id;
  const at = (iso: string) => {
    clock.now = () => new Date(iso);
  };
  const bearer = (t: CreatedTenant) => ({ authorization: `Bearer ${t.apiToken.token}` });
  const bucket = async (t: CreatedTenant, hour: string, meter: string, quantity: bigint, dimension = '') =>
    prisma.usageHour.create({
      data: { tenantId: await tenantId(t), hour: new Date(hour), meter, dimension, quantity },
    });
  const adjust = async (t: CreatedTenant, hour: string, meter: string, quantity: bigint, dimension = '') =>
    prisma.usageAdjustment.create({
      data: { tenantId: await tenantId(t), hour: new Date(hour), meter, dimension, quantity, reason: 'late close' },
    });

  beforeAll(async () => {
    api = await startTestApp();
    prisma = api.app.get(PrismaService);
    clock = api.app.get(BillingClock);
    alice = await createTenant(api, uniqueName('alice'));
    bob = await createTenant(api, uniqueName('bob'));
  });
  afterAll(async () => {
    await api?.close();
  });

  it('prices a scripted month to the cent: plan change mid-month, free units, credits', async () => {
    // Alice is on standard; on 2027-01-15 at 10:20 the operator moves her to enterprise, which
    // takes effect at 11:00.
    at('2027-01-15T10:20:00Z');
    const change = await api.admin('POST', `/admin/v1/tenants/${alice.accountId}/plan`, {
      plan: 'enterprise',
      reason: 'signed the enterprise contract',
    });
    expect(change.status).toBe(201);
    expect(change.body).toMatchObject({ plan: 'enterprise', effectiveFrom: '2027-01-15T11:00:00.000Z' });

    // proxy_seconds, standard ($0.0007/proxy-hour): 10,000 proxies for an hour, and one proxy for
    // half an hour: 36,001,800 s = 10,000.5 h -> $7.00035 -> $7.00.
    await bucket(alice, '2027-01-01T00:00:00Z', 'proxy_seconds', 36_000_000n, 'arn:vn/a');
    await bucket(alice, '2027-01-10T05:00:00Z', 'proxy_seconds', 1_800n, 'arn:vn/b');
    // proxy_seconds, enterprise ($0.0005): 20,000 h, plus a late close adjusting that hour by one
    // hour: 20,001 h -> $10.0005 -> $10.00.
    await bucket(alice, '2027-01-20T00:00:00Z', 'proxy_seconds', 72_000_000n, 'arn:vn/a');
    await adjust(alice, '2027-01-20T00:00:00Z', 'proxy_seconds', 3_600n, 'arn:vn/a');
    // api_read_requests, $1 per million: 800,000 + 500,000 on standard, whose 1,000,000 free cover
    // the first 1,000,000: 300,000 billable -> $0.30. Then 2,000,000 on enterprise, whose
    // 10,000,000 allowance still has 8,700,000 left: free, $0.00.
    await bucket(alice, '2027-01-02T00:00:00Z', 'api_read_requests', 800_000n);
    await bucket(alice, '2027-01-14T00:00:00Z', 'api_read_requests', 500_000n);
    await bucket(alice, '2027-01-16T00:00:00Z', 'api_read_requests', 2_000_000n);
    // api_write_requests, $5 per million on standard after 100,000 free: 50,000 billable -> $0.25.
    await bucket(alice, '2027-01-03T00:00:00Z', 'api_write_requests', 150_000n);
    // resource_hours, $0.00001 on standard: 1,005 -> $0.01005 -> $0.01.
    await bucket(alice, '2027-01-05T00:00:00Z', 'resource_hours', 1_000n, 'virtualNode');
    await bucket(alice, '2027-01-05T00:00:00Z', 'resource_hours', 5n, 'mesh');
    // Outside the month: never on January's invoice.
    await bucket(alice, '2027-02-01T00:00:00Z', 'proxy_seconds', 3_600n, 'arn:vn/a');

    at('2027-01-31T12:00:00Z');
    const credit = await api.admin('POST', `/admin/v1/tenants/${alice.accountId}/credits`, {
      amount: '2.5',
      reason: 'SLA breach on 2027-01-07',
    });
    expect(credit.status).toBe(201);
    expect(credit.body).toMatchObject({ month: '2027-01', amount: '2.50', currency: 'USD' });

    const id = `${alice.accountId}-2027-01`;
    const draft = await call(api.baseUrl, 'GET', `/v1/invoices/${id}`, bearer(alice));
    expect(draft.status).toBe(200);
    const expectedLines = [
      {
        kind: 'usage',
        meter: 'proxy_seconds',
        plan: 'standard',
        quantity: '36001800',
        freeQuantity: '0',
        unitPrice: '0.000700',
        amount: '7.00',
      },
      {
        kind: 'usage',
        meter: 'proxy_seconds',
        plan: 'enterprise',
        quantity: '72003600',
        freeQuantity: '0',
        unitPrice: '0.000500',
        amount: '10.00',
      },
      {
        kind: 'usage',
        meter: 'api_read_requests',
        plan: 'standard',
        quantity: '1300000',
        freeQuantity: '1000000',
        unitPrice: '0.000001',
        amount: '0.30',
      },
      {
        kind: 'usage',
        meter: 'api_read_requests',
        plan: 'enterprise',
        quantity: '2000000',
        freeQuantity: '2000000',
        unitPrice: '0.000001',
        amount: '0.00',
      },
      {
        kind: 'usage',
        meter: 'api_write_requests',
        plan: 'standard',
        quantity: '150000',
        freeQuantity: '100000',
        unitPrice: '0.000005',
        amount: '0.25',
      },
      {
        kind: 'usage',
        meter: 'resource_hours',
        plan: 'standard',
        quantity: '1005',
        freeQuantity: '0',
        unitPrice: '0.000010',
        amount: '0.01',
      },
      { kind: 'credit', description: 'Credit: SLA breach on 2027-01-07', amount: '-2.50' },
    ];
    expect(draft.body).toMatchObject({ id, month: '2027-01', status: 'draft', currency: 'USD', total: '15.06' });
    expect(draft.body.lines).toHaveLength(expectedLines.length);
    expectedLines.forEach((line, i) => expect(draft.body.lines[i]).toMatchObject(line));

    // Closing January is refused while it lasts, then closes December (the tenant's first month,
    // empty) and January, final.
    const early = await api.admin('POST', '/admin/v1/invoices/close', { month: '2027-01', accountId: alice.accountId });
    expect(early.status).toBe(400);
    expect(early.body.message).toMatch(/^month: 2027-01 has not ended yet/);
    at('2027-02-01T02:00:00Z');
    const closed = await api.admin('POST', '/admin/v1/invoices/close', {
      month: '2027-01',
      accountId: alice.accountId,
    });
    expect(closed.status).toBe(200);
    expect(closed.body).toEqual({
      month: '2027-01',
      closed: [{ accountId: alice.accountId, invoiceId: id, total: '15.06' }],
    });

    const final = await call(api.baseUrl, 'GET', `/v1/invoices/${id}`, bearer(alice));
    expect(final.body).toMatchObject({ status: 'final', total: '15.06', closedAt: '2027-02-01T02:00:00.000Z' });
    expect(final.body.lines.map((l: { amount: string }) => l.amount)).toEqual(expectedLines.map((l) => l.amount));
    const list = await call(api.baseUrl, 'GET', '/v1/invoices', bearer(alice));
    const months = list.body.invoices.map((i: { month: string; status: string }) => `${i.month}:${i.status}`);
    expect(months).toEqual(['2027-02:draft', '2027-01:final', '2026-12:final']);
  });

  it('keeps a final invoice immutable: late usage and credits go to the next invoice', async () => {
    const id = `${alice.accountId}-2027-01`;
    at('2027-02-03T00:00:00Z');
    // A session of January closes late: 100 proxy-hours more at enterprise ($0.0005).
    // January now costs 72,363,600 s = 20,101 h -> $10.0505 -> $10.05 on enterprise, $0.05 more.
    await adjust(alice, '2027-01-20T00:00:00Z', 'proxy_seconds', 360_000n, 'arn:vn/a');
    const january = await call(api.baseUrl, 'GET', `/v1/invoices/${id}`, bearer(alice));
    expect(january.body).toMatchObject({ status: 'final', total: '15.06' });

    const refused = await api.admin('POST', `/admin/v1/tenants/${alice.accountId}/credits`, {
      amount: '1.00',
      reason: 'too late for January',
      month: '2027-01',
    });
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/^month: 2027-01 is closed/);

    // February: 1 proxy-hour on enterprise ($0.0005 -> $0.00), and January's late usage.
    const february = await call(api.baseUrl, 'GET', `/v1/invoices/${alice.accountId}-2027-02`, bearer(alice));
    expect(february.body).toMatchObject({ status: 'draft', total: '0.05' });
    expect(february.body.lines).toEqual([
      expect.objectContaining({
        kind: 'usage',
        meter: 'proxy_seconds',
        plan: 'enterprise',
        quantity: '3600',
        amount: '0.00',
      }),
      expect.objectContaining({
        kind: 'late_usage',
        meter: 'proxy_seconds',
        usageMonth: '2027-01',
        quantity: '360000',
        amount: '0.05',
      }),
    ]);

    // The database refuses to change a final invoice, whatever the code does.
    await expect(prisma.$executeRaw`UPDATE invoices SET total_minor = 0 WHERE id = ${id}`).rejects.toThrow(/immutable/);

    // Once February is closed the correction is billed; March does not bill it again.
    at('2027-03-02T00:00:00Z');
    await api.admin('POST', '/admin/v1/invoices/close', { month: '2027-02', accountId: alice.accountId });
    const march = await call(api.baseUrl, 'GET', `/v1/invoices/${alice.accountId}-2027-03`, bearer(alice));
    expect(march.body).toMatchObject({ status: 'draft', total: '0.00', lines: [] });
  });

  it('exports an invoice as CSV', async () => {
    const res = await fetch(`${api.baseUrl}/v1/invoices/${alice.accountId}-2027-01`, {
      headers: { ...bearer(alice), accept: 'text/csv' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const rows = (await res.text()).split('\r\n');
    expect(rows[0]).toBe(
      'invoice_id,account_id,month,status,currency,kind,meter,plan,usage_month,quantity,unit,free_quantity,billable_quantity,unit_price,per,amount,description',
    );
    const head = `${alice.accountId}-2027-01,${alice.accountId},2027-01,final,USD`;
    expect(rows[1]).toBe(
      `${head},usage,proxy_seconds,standard,2027-01,36001800,second,0,36001800,0.000700,proxy-hour,7.00,` +
        '"proxy_seconds on plan standard, 2027-01-01T00:00:00.000Z to 2027-01-10T06:00:00.000Z"',
    );
    expect(rows[7]).toBe(`${head},credit,,,,,,,,,,-2.50,Credit: SLA breach on 2027-01-07`);
    expect(rows[8]).toBe(`${head},total,,,,,,,,,,15.06,Total`);
    expect(rows[9]).toBe('');
  });

  it("never shows one tenant another tenant's invoices or usage, even by guessing ids", async () => {
    at('2027-01-31T12:00:00Z');
    const guessed = await call(api.baseUrl, 'GET', `/v1/invoices/${alice.accountId}-2027-01`, bearer(bob));
    expect(guessed.status).toBe(404);
    expect(guessed.headers.get('x-amzn-errortype')).toBe('NotFoundException');
    expect(guessed.body.message).toBe(`Invoice ${alice.accountId}-2027-01 does not exist.`);
    const csv = await call(api.baseUrl, 'GET', `/v1/invoices/${alice.accountId}-2027-01`, {
      ...bearer(bob),
      accept: 'text/csv',
    });
    expect(csv.status).toBe(404);
    for (const id of ['2027-01', `${bob.accountId}-2031-01`, `${bob.accountId}-2026-01`, 'x'.repeat(300)]) {
      expect((await call(api.baseUrl, 'GET', `/v1/invoices/${id}`, bearer(bob))).status).toBe(404);
    }
    const list = await call(api.baseUrl, 'GET', '/v1/invoices', bearer(bob));
    expect(list.body.invoices.map((i: { id: string }) => i.id)).toEqual([
      `${bob.accountId}-2027-01`,
      `${bob.accountId}-2026-12`,
    ]);
    expect(list.body.invoices.every((i: { total: string }) => i.total === '0.00')).toBe(true);
    const usage = await call(
      api.baseUrl,
      'GET',
      '/v1/usage?from=2027-01-01T00:00:00Z&to=2027-02-01T00:00:00Z',
      bearer(bob),
    );
    expect(usage.status).toBe(200);
    expect(usage.body.usage).toEqual([]);
    const mine = await call(
      api.baseUrl,
      'GET',
      '/v1/usage?from=2027-01-01T00:00:00Z&to=2027-02-01T00:00:00Z&granularity=month',
      bearer(alice),
    );
    expect(mine.body.usage).toContainEqual({
      start: '2027-01-01T00:00:00.000Z',
      meter: 'resource_hours',
      unit: 'resource-hour',
      quantity: '1005',
    });
  });

  it('reports usage per hour, day or month, buckets plus adjustments', async () => {
    const day = await call(
      api.baseUrl,
      'GET',
      '/v1/usage?from=2027-01-20T00:00:00Z&to=2027-01-21T00:00:00Z&granularity=day',
      bearer(alice),
    );
    expect(day.body).toEqual({
      from: '2027-01-20T00:00:00.000Z',
      to: '2027-01-21T00:00:00.000Z',
      granularity: 'day',
      // 72,000,000 + 3,600 + 360,000 (two adjustments)
      usage: [{ start: '2027-01-20T00:00:00.000Z', meter: 'proxy_seconds', unit: 'second', quantity: '72363600' }],
    });
    const operator = await api.admin(
      'GET',
      `/admin/v1/usage?from=2027-01-01T00:00:00Z&to=2027-01-02T00:00:00Z&granularity=hour&accountId=${alice.accountId}`,
    );
    const everyone = await api.admin('GET', '/admin/v1/usage?from=2027-01-03T00:00:00Z&to=2027-01-04T00:00:00Z');
    expect(everyone.body.usage).toContainEqual({
      accountId: alice.accountId,
      start: '2027-01-03T00:00:00.000Z',
      meter: 'api_write_requests',
      unit: 'request',
      quantity: '150000',
    });
    expect(operator.body.usage).toEqual([
      {
        accountId: alice.accountId,
        start: '2027-01-01T00:00:00.000Z',
        meter: 'proxy_seconds',
        unit: 'second',
        quantity: '36000000',
      },
    ]);
  });

  it('names the field and the rule of a bad usage query', async () => {
    const cases: [string, string][] = [
      [
        'from=yesterday&to=2027-01-02T00:00:00Z',
        'query.from: must be an ISO 8601 UTC time (e.g. 2026-11-01T00:00:00Z)',
      ],
      ['from=2027-01-02T00:00:00Z&to=2027-01-01T00:00:00Z', 'query.to: must be after query.from'],
      ['from=2027-01-01T00:30:00Z&to=2027-01-02T00:00:00Z&granularity=hour', 'query.from: must start a hour (UTC)'],
      ['from=2027-01-01T00:00:00Z&to=2027-01-01T12:00:00Z&granularity=day', 'query.to: must start a day (UTC)'],
      [
        'from=2027-01-01T00:00:00Z&to=2027-03-01T00:00:00Z&granularity=hour',
        'query.to: the range may span at most 744 hours at granularity hour',
      ],
      [
        'from=2027-01-01T00:00:00Z&to=2027-02-01T00:00:00Z&granularity=week',
        'query.granularity: must be one of hour, day, month',
      ],
      ['from=2027-01-01T00:00:00Z', 'query.to: must be an ISO 8601 UTC time (e.g. 2026-11-01T00:00:00Z)'],
      ['from=2027-01-01T00:00:00Z&to=2027-02-01T00:00:00Z&tenant=x', 'query.tenant: is not a known parameter'],
    ];
    for (const [query, message] of cases) {
      const res = await call(api.baseUrl, 'GET', `/v1/usage?${query}`, bearer(alice));
      expect(res.status, query).toBe(400);
      expect(res.headers.get('x-amzn-errortype')).toBe('BadRequestException');
      expect(res.body.message, query).toBe(message);
    }
    const noToken = await call(api.baseUrl, 'GET', '/v1/invoices');
    expect(noToken.status).toBe(401);
    const credit = await api.admin('POST', `/admin/v1/tenants/${alice.accountId}/credits`, {
      amount: '-1',
      reason: '',
    });
    expect(credit.status).toBe(400);
    expect(credit.body.message).toBe(
      'amount: must be a positive decimal string with at most 2 decimals (e.g. "12.50"), at most 1000000000; reason: must not be empty',
    );
    const close = await api.admin('POST', '/admin/v1/invoices/close', { month: '2027-13' });
    expect(close.body.message).toBe('month: must be a month as YYYY-MM (e.g. 2026-11)');
  });

  it("answers the same in GraphQL, under the account, and never another tenant's", async () => {
    const gql = (t: CreatedTenant, query: string, variables: Record<string, unknown>) =>
      call(api.baseUrl, 'POST', '/graphql', bearer(t), { query, variables });
    const QUERY = `query($id: ID!) {
      account {
        invoice(id: $id) { id status currency total lines { kind meter plan quantity freeQuantity amount } }
        invoices { id status }
        usage(from: "2027-01-01T00:00:00Z", to: "2027-02-01T00:00:00Z", granularity: "month") { usage { meter unit quantity } }
      }
    }`;
    const mine = await gql(alice, QUERY, { id: `${alice.accountId}-2027-01` });
    expect(mine.body.errors).toBeUndefined();
    const account = mine.body.data.account;
    expect(account.invoice).toMatchObject({ status: 'final', currency: 'USD', total: '15.06' });
    expect(account.invoice.lines[2]).toEqual({
      kind: 'usage',
      meter: 'api_read_requests',
      plan: 'standard',
      quantity: '1300000',
      freeQuantity: '1000000',
      amount: '0.30',
    });
    expect(account.invoices.map((i: { status: string }) => i.status)).toContain('final');
    expect(account.usage.usage).toContainEqual({ meter: 'api_write_requests', unit: 'request', quantity: '150000' });

    const foreign = await gql(bob, `query($id: ID!) { account { invoice(id: $id) { total } } }`, {
      id: `${alice.accountId}-2027-01`,
    });
    expect(foreign.body.errors[0].extensions.code).toBe('NOT_FOUND');
    expect(JSON.stringify(foreign.body)).not.toContain('15.06');

    const bad = await gql(
      bob,
      `{ account { usage(from: "2027-01-01T00:00:00Z", to: "2026-01-01T00:00:00Z") { from } } }`,
      {},
    );
    expect(bad.body.errors[0]).toMatchObject({
      message: 'usage.to: must be after usage.from',
      extensions: { code: 'VALIDATION' },
    });
  });

  it('closes months by schedule only after their grace, once, oldest first', async () => {
    const carol = await createTenant(api, uniqueName('carol'));
    const invoices = api.app.get(InvoicesService);
    await bucket(carol, '2027-01-31T23:00:00Z', 'proxy_seconds', 3_600_000n, 'arn:vn/c'); // 1,000 h: $0.70
    const finals = async () =>
      (await call(api.baseUrl, 'GET', '/v1/invoices', bearer(carol))).body.invoices
        .filter((i: { status: string }) => i.status === 'final')
        .map((i: { month: string; total: string }) => `${i.month}:${i.total}`);
    // 2027-02-01T05:59: January ended, but its 6 hours of grace have not passed.
    at('2027-02-01T05:59:00Z');
    await invoices.closeDue();
    expect(await finals()).toEqual(['2026-12:0.00']);
    at('2027-02-01T06:00:00Z');
    await invoices.closeDue();
    await invoices.closeDue();
    expect(await finals()).toEqual(['2027-01:0.70', '2026-12:0.00']);
    const rows = await prisma.invoice.findMany({ where: { tenantId: await tenantId(carol) } });
    expect(rows.map((r) => r.closedBy)).toEqual(['scheduler', 'scheduler']);
  });
});
