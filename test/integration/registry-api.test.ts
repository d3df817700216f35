import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaService } from '../../src/platform/prisma/prisma.service.js';
import type { CreatedTenant } from '../../src/tenants/tenants.service.js';
import { TenantsService } from '../../src/tenants/tenants.service.js';
import { call, startTestApp, type TestApp } from '../support/test-app.js';
import { createTenant } from '../support/tenant-builder.js';

type Json = Record<string, any>;

/**
 * The service registry's REST API (/v1/registry) against a real PostgreSQL: Cloud Map's shapes and
 * limits, quotas, pagination, the read-only EC2 instances, and tenants as walls.
 */
describe('service registry API (/v1/registry)', () => {
  let app: TestApp;
  let alice: CreatedTenant;
  let bob: CreatedTenant;
  let carol: CreatedTenant;

  const as =
    (tenant: CreatedTenant) =>
    (method: string, path: string, body?: unknown): Promise<{ status: number; body: any; headers: Headers }> =>
      call(app.baseUrl, method, `/v1/registry${path}`, { authorization: `Bearer ${tenant.apiToken.token}` }, body);
  const ip4 = (i: number) => `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}`;

  beforeAll(async () => {
    app = await startTestApp(['api'], {
      REGISTRY_NAMESPACES_PER_TENANT: '3',
      REGISTRY_SERVICES_PER_TENANT: '3',
      REGISTRY_INSTANCES_PER_SERVICE: '5',
    });
    [alice, bob, carol] = await Promise.all([createTenant(app), createTenant(app), createTenant(app)]);
  });

  afterAll(async () => {
    await app?.close();
  });

  it('creates, lists, reads and deletes namespaces, services and instances in Cloud Map shapes', async () => {
    const api = as(alice);
    const ns = await api('POST', '/namespaces', { Name: 'shop.local', Description: 'the shop' });
    expect(ns.status).toBe(201);
    expect(ns.body.Namespace).toMatchObject({ Name: 'shop.local', Description: 'the shop' });
    expect((await api('POST', '/namespaces/shop.local/services', { Name: 'backend' })).status).toBe(201);

    const registered = await api('POST', '/namespaces/shop.local/services/backend/instances', {
      InstanceId: 'i-0123456789abcdef0',
      Attributes: {
        AWS_INSTANCE_IPV4: '10.1.2.3',
        AWS_INSTANCE_PORT: '8080',
        AWS_INSTANCE_AVAILABILITY_ZONE: 'eu-west-1a',
        stage: 'canary',
      },
    });
    expect(registered.status).toBe(201);
    expect(registered.body.Instance).toMatchObject({
      Id: 'i-0123456789abcdef0',
      HealthStatus: 'HEALTHY',
      Source: 'api',
      Attributes: { AWS_INSTANCE_IPV4: '10.1.2.3', stage: 'canary' },
    });

    // RegisterInstance of a known id replaces its attributes and keeps its health status.
    const health = await api('PUT', '/namespaces/shop.local/services/backend/instances/i-0123456789abcdef0/health', {
      Status: 'UNHEALTHY',
    });
    expect(health.status).toBe(200);
    expect(health.body.Instance.HealthStatus).toBe('UNHEALTHY');
    const again = await api('POST', '/namespaces/shop.local/services/backend/instances', {
      InstanceId: 'i-0123456789abcdef0',
      Attributes: { AWS_INSTANCE_IPV6: 'FD00::1' },
    });
    expect(again.body.Instance).toMatchObject({
      HealthStatus: 'UNHEALTHY',
      Attributes: { AWS_INSTANCE_IPV6: 'FD00::1' },
    });
    const read = await api('GET', '/namespaces/shop.local/services/backend/instances/i-0123456789abcdef0');
    expect(read.body.Instance.Attributes).toEqual({ AWS_INSTANCE_IPV6: 'FD00::1' });

    expect((await api('GET', '/namespaces')).body.Namespaces.map((n: Json) => n.Name)).toEqual(['shop.local']);
    expect((await api('GET', '/namespaces/shop.local/services')).body.Services.map((s: Json) => s.Name)).toEqual([
      'backend',
    ]);

    // Not empty: refused, with a message that says what is in the way.
    const busyService = await api('DELETE', '/namespaces/shop.local/services/backend');
    expect(busyService.status).toBe(409);
    expect(busyService.headers.get('x-amzn-errortype')).toBe('ResourceInUseException');
    expect(busyService.body.message).toMatch(/still has 1 instance/);
    const busyNamespace = await api('DELETE', '/namespaces/shop.local');
    expect(busyNamespace.status).toBe(409);
    expect(busyNamespace.body.message).toMatch(/still has 1 service/);

    const gone = await api('DELETE', '/namespaces/shop.local/services/backend/instances/i-0123456789abcdef0');
    expect(gone.status).toBe(200);
    expect((await api('GET', '/namespaces/shop.local/services/backend/instances')).body.Instances).toEqual([]);
    expect((await api('DELETE', '/namespaces/shop.local/services/backend')).status).toBe(200);
    expect((await api('DELETE', '/namespaces/shop.local')).status).toBe(200);
    const missing = await api('GET', '/namespaces/shop.local');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-amzn-errortype')).toBe('NotFoundException');
  });

  it('refuses bad input with the field and the rule', async () => {
    const api = as(alice);
    const badName = await api('POST', '/namespaces', { Name: 'has space' });
    expect(badName.status).toBe(400);
    expect(badName.headers.get('x-amzn-errortype')).toBe('BadRequestException');
    expect(badName.body.message).toMatch(/^Name: must match/);
    expect((await api('POST', '/namespaces', { Name: 'v.local', Extra: 1 })).body.message).toMatch(/Extra/);
    await api('POST', '/namespaces', { Name: 'v.local' });
    const badService = await api('POST', '/namespaces/v.local/services', { Name: '-svc' });
    expect(badService.body.message).toMatch(/^Name: must be dot-separated labels/);
    await api('POST', '/namespaces/v.local/services', { Name: 'svc' });

    const register = (body: unknown) => api('POST', '/namespaces/v.local/services/svc/instances', body);
    const cases: [unknown, RegExp][] = [
      [{ InstanceId: 'bad id!', Attributes: { AWS_INSTANCE_IPV4: '10.0.0.1' } }, /InstanceId: must match/],
      [{ InstanceId: 'a', Attributes: {} }, /Attributes: must include AWS_INSTANCE_IPV4 or AWS_INSTANCE_IPV6/],
      [{ InstanceId: 'a', Attributes: { AWS_INSTANCE_IPV4: '10.0.0.300' } }, /AWS_INSTANCE_IPV4: must be an IPv4/],
      [{ InstanceId: 'a', Attributes: { AWS_INSTANCE_IPV4: 'backend.internal' } }, /AWS_INSTANCE_IPV4/],
      [{ InstanceId: 'a', Attributes: { AWS_INSTANCE_IPV6: '::' } }, /AWS_INSTANCE_IPV6: must be an IPv6/],
      [
        { InstanceId: 'a', Attributes: { AWS_INSTANCE_IPV4: '10.0.0.1', AWS_INSTANCE_PORT: '70000' } },
        /AWS_INSTANCE_PORT: must be a port number/,
      ],
      [
        { InstanceId: 'a', Attributes: { AWS_INSTANCE_IPV4: '10.0.0.1', AWS_ALIAS_DNS_NAME: 'x.elb.amazonaws.com' } },
        /AWS_ALIAS_DNS_NAME: is not supported/,
      ],
      [
        { InstanceId: 'a', Attributes: { AWS_INSTANCE_IPV4: '10.0.0.1', ['k'.repeat(256)]: 'v' } },
        /the key must be at most 255 characters/,
      ],
      [
        { InstanceId: 'a', Attributes: { AWS_INSTANCE_IPV4: '10.0.0.1', big: 'v'.repeat(1025) } },
        /Attributes.big: must be at most 1024 characters/,
      ],
      [
        { InstanceId: 'a', Attributes: { AWS_INSTANCE_IPV4: '10.0.0.1', ...manyAttributes(30) } },
        /Attributes: must have at most 30 entries/,
      ],
      [{ InstanceId: 'a', Attributes: { AWS_INSTANCE_IPV4: 7 } }, /Attributes.AWS_INSTANCE_IPV4: must be a string/],
    ];
    for (const [body, rule] of cases) {
      const res = await register(body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(res.body.message).toMatch(rule);
    }
    // Every problem is named, not just the first.
    const two = await register({ InstanceId: 'a', Attributes: { AWS_INSTANCE_IPV4: 'x', AWS_INSTANCE_PORT: 'y' } });
    expect(two.body.message).toMatch(/AWS_INSTANCE_IPV4.*; Attributes.AWS_INSTANCE_PORT/);
    const health = await api('PUT', '/namespaces/v.local/services/svc/instances/a/health', { Status: 'SICK' });
    expect(health.body.message).toBe('Status: must be HEALTHY or UNHEALTHY');
    const page = await api('GET', '/namespaces?maxResults=500');
    expect(page.body.message).toBe('query.maxResults: must be an integer from 1 to 100');
    const token = await api('GET', '/namespaces?nextToken=garbage');
    expect(token.body.message).toMatch(/nextToken: is not a token returned by this listing/);
  });

  it('pages through instances with NextToken, and enforces the quotas with LimitExceededException', async () => {
    const api = as(carol);
    expect((await api('POST', '/namespaces', { Name: 'q1' })).status).toBe(201);
    expect((await api('POST', '/namespaces', { Name: 'q2' })).status).toBe(201);
    expect((await api('POST', '/namespaces', { Name: 'q3' })).status).toBe(201);
    const third = await api('POST', '/namespaces', { Name: 'q4' });
    expect(third.status).toBe(400);
    expect(third.headers.get('x-amzn-errortype')).toBe('LimitExceededException');
    expect(third.body.message).toMatch(/REGISTRY_NAMESPACES_PER_TENANT/);

    for (const name of ['s1', 's2', 's3'])
      expect((await api('POST', '/namespaces/q1/services', { Name: name })).status).toBe(201);
    const fourth = await api('POST', '/namespaces/q2/services', { Name: 's4' });
    expect(fourth.headers.get('x-amzn-errortype')).toBe('LimitExceededException');
    expect(fourth.body.message).toMatch(/REGISTRY_SERVICES_PER_TENANT/);

    for (let i = 0; i < 5; i++) {
      const res = await api('POST', '/namespaces/q1/services/s1/instances', {
        InstanceId: `i-${i}`,
        Attributes: { AWS_INSTANCE_IPV4: ip4(i) },
      });
      expect(res.status).toBe(201);
    }
    const sixth = await api('POST', '/namespaces/q1/services/s1/instances', {
      InstanceId: 'i-5',
      Attributes: { AWS_INSTANCE_IPV4: ip4(5) },
    });
    expect(sixth.headers.get('x-amzn-errortype')).toBe('LimitExceededException');
    expect(sixth.body.message).toMatch(/REGISTRY_INSTANCES_PER_SERVICE/);
    // Registering a known id again is not one more instance.
    const known = await api('POST', '/namespaces/q1/services/s1/instances', {
      InstanceId: 'i-4',
      Attributes: { AWS_INSTANCE_IPV4: ip4(40) },
    });
    expect(known.status).toBe(201);

    const seen: string[] = [];
    let next: string | undefined;
    do {
      const res = await api(
        'GET',
        `/namespaces/q1/services/s1/instances?maxResults=2${next ? `&nextToken=${encodeURIComponent(next)}` : ''}`,
      );
      expect(res.status).toBe(200);
      expect(res.body.Instances.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.Instances.map((i: Json) => i.Id));
      next = res.body.NextToken;
    } while (next);
    expect(seen).toEqual(['i-0', 'i-1', 'i-2', 'i-3', 'i-4']);
  });

  it('keeps EC2-synced instances read-only through the API', async () => {
    const api = as(alice);
    await api('POST', '/namespaces', { Name: 'ec2.local' });
    await api('POST', '/namespaces/ec2.local/services', { Name: 'fleet' });
    const { tenantId } = await app.app.get(TenantsService).scopeOf(alice.accountId);
    const prisma = app.app.get(PrismaService);
    const service = await prisma.registryService.findFirstOrThrow({ where: { tenantId, name: 'fleet' } });
    // What an EC2 sync source writes.
    await prisma.registryInstance.create({
      data: {
        tenantId,
        serviceId: service.id,
        instanceId: 'i-0ec2',
        ipv4: '10.9.0.1',
        attributes: { AWS_INSTANCE_IPV4: '10.9.0.1' },
        source: 'ec2',
      },
    });
    const path = '/namespaces/ec2.local/services/fleet/instances';
    const listed = await api('GET', path);
    expect(listed.body.Instances).toEqual([expect.objectContaining({ Id: 'i-0ec2', Source: 'ec2' })]);
    for (const res of [
      await api('POST', path, { InstanceId: 'i-0ec2', Attributes: { AWS_INSTANCE_IPV4: '10.9.0.2' } }),
      await api('DELETE', `${path}/i-0ec2`),
      await api('PUT', `${path}/i-0ec2/health`, { Status: 'UNHEALTHY' }),
    ]) {
      expect(res.status).toBe(409);
      expect(res.headers.get('x-amzn-errortype')).toBe('ConflictException');
      expect(res.body.message).toMatch(/kept by an EC2 sync source/);
    }
    const after = await api('GET', `${path}/i-0ec2`);
    expect(after.body.Instance).toMatchObject({
      HealthStatus: 'HEALTHY',
      Attributes: { AWS_INSTANCE_IPV4: '10.9.0.1' },
    });
  });

  it("never lets one tenant see or change another's registry, even with the same names", async () => {
    const a = as(alice);
    const b = as(bob);
    await a('POST', '/namespaces', { Name: 'shared.local' });
    await a('POST', '/namespaces/shared.local/services', { Name: 'api' });
    await a('POST', '/namespaces/shared.local/services/api/instances', {
      InstanceId: 'i-a',
      Attributes: { AWS_INSTANCE_IPV4: '10.7.0.1' },
    });
    expect((await b('GET', '/namespaces')).body.Namespaces.map((n: Json) => n.Name)).not.toContain('shared.local');
    expect((await b('GET', '/namespaces/shared.local')).status).toBe(404);
    expect((await b('GET', '/namespaces/shared.local/services/api/instances')).status).toBe(404);
    expect((await b('DELETE', '/namespaces/shared.local/services/api/instances/i-a')).status).toBe(404);
    expect(
      (await b('PUT', '/namespaces/shared.local/services/api/instances/i-a/health', { Status: 'UNHEALTHY' })).status,
    ).toBe(404);
    // Bob's own namespace of the same name is his alone.
    expect((await b('POST', '/namespaces', { Name: 'shared.local' })).status).toBe(201);
    expect((await b('POST', '/namespaces/shared.local/services', { Name: 'api' })).status).toBe(201);
    await b('POST', '/namespaces/shared.local/services/api/instances', {
      InstanceId: 'i-a',
      Attributes: { AWS_INSTANCE_IPV4: '10.8.0.1' },
    });
    await b('PUT', '/namespaces/shared.local/services/api/instances/i-a/health', { Status: 'UNHEALTHY' });
    expect((await a('GET', '/namespaces/shared.local/services/api/instances/i-a')).body.Instance).toMatchObject({
      HealthStatus: 'HEALTHY',
      Attributes: { AWS_INSTANCE_IPV4: '10.7.0.1' },
    });
    const unauthenticated = await call(app.baseUrl, 'GET', '/v1/registry/namespaces');
    expect(unauthenticated.status).toBe(401);
  });
});

function manyAttributes(n: number): Record<string, string> {
  return Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));
}
