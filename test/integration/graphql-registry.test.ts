import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedTenant } from '../../src/tenants/tenants.service.js';
import { createTenant } from '../support/tenant-builder.js';
import { call, startTestApp, type TestApp } from '../support/test-app.js';

/** The service registry over GraphQL: connections and the instance mutations, on the REST API's service. */
describe('GraphQL service registry', () => {
  let api: TestApp;
  let alice: CreatedTenant;
  let bob: CreatedTenant;

  const gql = (tenant: CreatedTenant, query: string, variables?: Record<string, unknown>) =>
    call(
      api.baseUrl,
      'POST',
      '/graphql',
      { authorization: `Bearer ${tenant.apiToken.token}` },
      { query, ...(variables ? { variables } : {}) },
    );
  const rest = (tenant: CreatedTenant, method: string, path: string, body?: unknown) =>
    call(
      api.baseUrl,
      method,
      `/v1/registry/namespaces${path}`,
      { authorization: `Bearer ${tenant.apiToken.token}` },
      body,
    );

  // Literal page sizes: the query-cost rule counts a `first` given by a variable as the largest page.
  const TREE = `query($after: String) {
    registryNamespaces(first: 5) {
      nodes { name services(first: 5) { nodes { name namespaceName instances(first: 2, after: $after) {
        nodes { instanceId attributes healthStatus source ipv4 ipv6 port zone }
        pageInfo { hasNextPage endCursor }
      } } } }
    }
  }`;
  const REGISTER = `mutation($i: RegisterRegistryInstanceInput!) {
    registerRegistryInstance(input: $i) { instanceId healthStatus source port zone attributes }
  }`;
  const HEALTH = `mutation($i: UpdateRegistryInstanceHealthInput!) {
    updateRegistryInstanceHealth(input: $i) { instanceId healthStatus }
  }`;
  const DEREGISTER = `mutation($i: RegistryInstanceRef!) { deregisterRegistryInstance(input: $i) { instanceId } }`;
  const ref = { namespaceName: 'gql.local', serviceName: 'api' };

  beforeAll(async () => {
    api = await startTestApp();
    [alice, bob] = await Promise.all([createTenant(api), createTenant(api)]);
    await rest(alice, 'POST', '', { Name: 'gql.local' });
    await rest(alice, 'POST', '/gql.local/services', { Name: 'api' });
  });

  afterAll(async () => {
    await api?.close();
  });

  it('registers, pages, marks unhealthy and deregisters instances', async () => {
    for (const id of ['i-1', 'i-2', 'i-3']) {
      const res = await gql(alice, REGISTER, {
        i: {
          ...ref,
          instanceId: id,
          attributes: { AWS_INSTANCE_IPV4: '10.0.0.1', AWS_INSTANCE_PORT: '8080', AWS_INSTANCE_AVAILABILITY_ZONE: 'z' },
        },
      });
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data.registerRegistryInstance).toMatchObject({
        instanceId: id,
        healthStatus: 'HEALTHY',
        source: 'api',
        port: 8080,
        zone: 'z',
      });
    }
    const firstPage = await gql(alice, TREE);
    expect(firstPage.body.errors).toBeUndefined();
    const service = firstPage.body.data.registryNamespaces.nodes[0].services.nodes[0];
    expect(service).toMatchObject({ name: 'api', namespaceName: 'gql.local' });
    expect(service.instances.nodes.map((i: { instanceId: string }) => i.instanceId)).toEqual(['i-1', 'i-2']);
    expect(service.instances.pageInfo.hasNextPage).toBe(true);
    const secondPage = await gql(alice, TREE, { after: service.instances.pageInfo.endCursor });
    const rest2 = secondPage.body.data.registryNamespaces.nodes[0].services.nodes[0].instances;
    expect(rest2.nodes.map((i: { instanceId: string }) => i.instanceId)).toEqual(['i-3']);
    expect(rest2.pageInfo.hasNextPage).toBe(false);

    const sick = await gql(alice, HEALTH, { i: { ...ref, instanceId: 'i-2', status: 'UNHEALTHY' } });
    expect(sick.body.data.updateRegistryInstanceHealth).toEqual({ instanceId: 'i-2', healthStatus: 'UNHEALTHY' });
    expect((await gql(alice, DEREGISTER, { i: { ...ref, instanceId: 'i-3' } })).body.data).toEqual({
      deregisterRegistryInstance: { instanceId: 'i-3' },
    });
    const listed = await rest(alice, 'GET', '/gql.local/services/api/instances');
    expect(listed.body.Instances.map((i: { Id: string; HealthStatus: string }) => `${i.Id} ${i.HealthStatus}`)).toEqual(
      ['i-1 HEALTHY', 'i-2 UNHEALTHY'],
    );
  });

  it('names the field and rule of bad input, and keeps tenants apart', async () => {
    const bad = await gql(alice, REGISTER, {
      i: { ...ref, instanceId: 'x', attributes: { AWS_INSTANCE_IPV4: 'nope' } },
    });
    expect(bad.body.errors[0].extensions.code).toBe('VALIDATION');
    expect(bad.body.errors[0].message).toMatch(/Attributes.AWS_INSTANCE_IPV4: must be an IPv4 address/);
    const badId = await gql(alice, REGISTER, { i: { ...ref, instanceId: 'a b', attributes: {} } });
    expect(badId.body.errors[0].message).toMatch(/input.instanceId: must match/);

    const bobView = await gql(bob, TREE);
    expect(bobView.body.data.registryNamespaces.nodes).toEqual([]);
    const bobWrite = await gql(bob, HEALTH, { i: { ...ref, instanceId: 'i-1', status: 'UNHEALTHY' } });
    expect(bobWrite.body.errors[0].extensions.code).toBe('NOT_FOUND');
    const one = await gql(bob, `{ registryNamespace(name: "gql.local") { name } }`);
    expect(one.body.errors[0].extensions.code).toBe('NOT_FOUND');
  });
});
