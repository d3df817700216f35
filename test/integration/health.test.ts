import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestApp, type TestApp } from '../support/test-app.js';

describe('health, readiness, request ids and metrics (all roles in one process)', () => {
  let api: TestApp;

  beforeAll(async () => {
    api = await startTestApp(['api', 'worker', 'xds']);
  });
  afterAll(async () => {
    await api?.close();
  });

  it('answers /healthz', async () => {
    const res = await call(api.baseUrl, 'GET', '/healthz');
    expect(res).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  it('is ready when PostgreSQL, Redis, migrations, the queue workers and the xDS server are', async () => {
    const res = await call(api.baseUrl, 'GET', '/readyz');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ready');
    expect(Object.keys(res.body.checks).sort()).toEqual([
      'migrations',
      'postgres',
      'queue-workers',
      'redis',
      'xds-server',
    ]);
    for (const check of Object.values(res.body.checks)) expect(check).toMatchObject({ ok: true });
  });

  it('gives every response a request id, reusing a well-formed caller id', async () => {
    const fresh = await call(api.baseUrl, 'GET', '/healthz');
    expect(fresh.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    const given = await call(api.baseUrl, 'GET', '/healthz', { 'x-request-id': 'trace-123' });
    expect(given.headers.get('x-amzn-requestid')).toBe('trace-123');
    const hostile = await call(api.baseUrl, 'GET', '/healthz', { 'x-request-id': 'a b\tc<script>' });
    expect(hostile.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('exports Prometheus metrics with route templates, not raw paths', async () => {
    await call(api.baseUrl, 'GET', '/admin/v1/tenants/123456789012');
    const res = await call(api.baseUrl, 'GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.body).toContain('meshplane_http_requests_total');
    expect(res.body).toContain('route="/admin/v1/tenants/:accountId"');
    expect(res.body).not.toContain('123456789012');
  });

  it('answers unknown routes with NotFoundException in the App Mesh error shape', async () => {
    const res = await call(api.baseUrl, 'GET', '/no/such/route');
    expect(res.status).toBe(404);
    expect(res.headers.get('x-amzn-errortype')).toBe('NotFoundException');
    expect(typeof res.body.message).toBe('string');
  });
});

describe('readiness when a dependency is down', () => {
  let api: TestApp;

  beforeAll(async () => {
    // A port nothing listens on: Redis is "down" for this process.
    api = await startTestApp(['api'], { REDIS_URL: 'redis://127.0.0.1:1' });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('reports 503 naming the failing check, while liveness stays up', async () => {
    const res = await call(api.baseUrl, 'GET', '/readyz');
    expect(res.status).toBe(503);
    expect(res.body.checks.redis.ok).toBe(false);
    expect(res.body.checks.postgres.ok).toBe(true);
    expect((await call(api.baseUrl, 'GET', '/healthz')).status).toBe(200);
  });
});
