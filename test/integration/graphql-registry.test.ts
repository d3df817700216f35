import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedTenant } from '../../src/tenants/tenants.service.js';
import { createTenant } from '../support/tenant-builder.js';
import { call, startTestApp, type TestApp } from '../support/test-app.js';

/** The service registry over GraphQL: connections and the instance mutations, on the REST API's service. */
describe('GraphQL service registry', () => {
  let api: TestApp;
  let alice: CreatedTenant;
  let bob: CreatedTenant;
  let carol: CreatedTenant;

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
  const CREATE_NS = `mutation($i: CreateRegistryNamespaceInput!) {
    createRegistryNamespace(input: $i) { name description createdAt updatedAt }
  }`;
  const DELETE_NS = `mutation($i: RegistryNamespaceRef!) { deleteRegistryNamespace(input: $i) { name } }`;
  const CREATE_SVC = `mutation($i: CreateRegistryServiceInput!) {
    createRegistryService(input: $i) { namespaceName name description }
  }`;
  const DELETE_SVC = `mutation($i: RegistryServiceRef!) { deleteRegistryService(input: $i) { namespaceName name } }`;
  /** The rule of a one-problem message, without the field it names (REST and GraphQL name fields their own way). */
  const rule = (message: string) => message.replace(/^[\w.]+: /, '');

  beforeAll(async () => {
    api = await startTestApp(['api'], { REGISTRY_NAMESPACES_PER_TENANT: '5' });
    [alice, bob, carol] = await Promise.all([createTenant(api), createTenant(api), createTenant(api)]);
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

  it('creates and deletes namespaces and services, as REST then sees them', async () => {
    const ns = await gql(alice, CREATE_NS, { i: { namespaceName: 'made.gql', description: 'by GraphQL' } });
    expect(ns.body.errors).toBeUndefined();
    expect(ns.body.data.createRegistryNamespace).toMatchObject({ name: 'made.gql', description: 'by GraphQL' });
    const svc = await gql(alice, CREATE_SVC, {
      i: { namespaceName: 'made.gql', serviceName: 'web', description: null },
    });
    expect(svc.body.data.createRegistryService).toEqual({ namespaceName: 'made.gql', name: 'web', description: null });

    const overRest = await rest(alice, 'GET', '/made.gql/services/web');
    expect(overRest.status).toBe(200);
    expect(overRest.body.Service).toMatchObject({ Name: 'web', NamespaceName: 'made.gql' });
    const tree = await gql(
      alice,
      `{ registryNamespace(name: "made.gql") { description services(first: 5) { nodes { name } } } }`,
    );
    expect(tree.body.data.registryNamespace).toEqual({
      description: 'by GraphQL',
      services: { nodes: [{ name: 'web' }] },
    });

    expect((await gql(alice, DELETE_SVC, { i: { namespaceName: 'made.gql', serviceName: 'web' } })).body.data).toEqual({
      deleteRegistryService: { namespaceName: 'made.gql', name: 'web' },
    });
    expect((await rest(alice, 'GET', '/made.gql/services/web')).status).toBe(404);
    expect((await gql(alice, DELETE_NS, { i: { namespaceName: 'made.gql' } })).body.data).toEqual({
      deleteRegistryNamespace: { name: 'made.gql' },
    });
    expect((await rest(alice, 'GET', '/made.gql')).status).toBe(404);
  });

  it("refuses bad names with REST's rules, naming the input member in extensions.fields", async () => {
    const badNs = await gql(alice, CREATE_NS, { i: { namespaceName: 'has space' } });
    expect(badNs.body.errors[0].extensions).toEqual({ code: 'VALIDATION', fields: ['input.namespaceName'] });
    const restNs = await rest(alice, 'POST', '', { Name: 'has space' });
    expect(restNs.headers.get('x-amzn-errortype')).toBe('BadRequestException');
    expect(rule(badNs.body.errors[0].message)).toBe(rule(restNs.body.message));

    const badSvc = await gql(alice, CREATE_SVC, {
      i: { namespaceName: 'gql.local', serviceName: '-web', description: 'x'.repeat(1025) },
    });
    expect(badSvc.body.errors[0].extensions).toEqual({
      code: 'VALIDATION',
      fields: ['input.serviceName', 'input.description'],
    });
    const restSvc = await rest(alice, 'POST', '/gql.local/services', { Name: '-web' });
    expect(badSvc.body.errors[0].message).toContain(`input.serviceName: ${rule(restSvc.body.message)}`);
    expect(badSvc.body.errors[0].message).toContain('input.description: must be at most 1024 characters');

    const badDelete = await gql(alice, DELETE_SVC, { i: { namespaceName: '', serviceName: 'api' } });
    expect(badDelete.body.errors[0].extensions).toEqual({ code: 'VALIDATION', fields: ['input.namespaceName'] });
    expect(
      (await rest(alice, 'GET', '/gql.local/services')).body.Services.map((s: { Name: string }) => s.Name),
    ).toEqual(['api']);
  });

  it('answers a duplicate, a missing parent, a missing target and a non-empty one as REST does', async () => {
    const dupNs = await gql(alice, CREATE_NS, { i: { namespaceName: 'gql.local' } });
    expect(dupNs.body.errors[0].extensions.code).toBe('CONFLICT');
    expect(dupNs.body.errors[0].message).toBe((await rest(alice, 'POST', '', { Name: 'gql.local' })).body.message);
    const dupSvc = await gql(alice, CREATE_SVC, { i: { ...ref } });
    expect(dupSvc.body.errors[0].extensions.code).toBe('CONFLICT');
    expect(dupSvc.body.errors[0].message).toBe('registry service api already exists in namespace gql.local');

    const noParent = await gql(alice, CREATE_SVC, { i: { namespaceName: 'nowhere', serviceName: 'api' } });
    expect(noParent.body.errors[0].extensions.code).toBe('NOT_FOUND');
    expect(noParent.body.errors[0].message).toBe('registry namespace nowhere does not exist');
    const noNs = await gql(alice, DELETE_NS, { i: { namespaceName: 'nowhere' } });
    expect(noNs.body.errors[0].extensions.code).toBe('NOT_FOUND');
    const noSvc = await gql(alice, DELETE_SVC, { i: { namespaceName: 'gql.local', serviceName: 'gone' } });
    expect(noSvc.body.errors[0].extensions.code).toBe('NOT_FOUND');
    expect(noSvc.body.errors[0].message).toBe((await rest(alice, 'DELETE', '/gql.local/services/gone')).body.message);

    // gql.local holds service api, which holds instances (the first test's): both stay.
    const busyNs = await gql(alice, DELETE_NS, { i: { namespaceName: 'gql.local' } });
    expect(busyNs.body.errors[0].extensions.code).toBe('RESOURCE_IN_USE');
    const restBusyNs = await rest(alice, 'DELETE', '/gql.local');
    expect(restBusyNs.headers.get('x-amzn-errortype')).toBe('ResourceInUseException');
    expect(busyNs.body.errors[0].message).toBe(restBusyNs.body.message);
    const busySvc = await gql(alice, DELETE_SVC, { i: { ...ref } });
    expect(busySvc.body.errors[0].extensions.code).toBe('RESOURCE_IN_USE');
    expect(busySvc.body.errors[0].message).toBe((await rest(alice, 'DELETE', '/gql.local/services/api')).body.message);
    expect(busySvc.body.errors[0].message).toMatch(/still has \d+ instance\(s\)/);
    expect((await rest(alice, 'GET', '/gql.local/services/api')).status).toBe(200);
  });

  it('keeps another tenant out of a namespace: it can neither see, delete nor create into it', async () => {
    const intoAlice = await gql(bob, CREATE_SVC, { i: { namespaceName: 'gql.local', serviceName: 'spy' } });
    expect(intoAlice.body.errors[0].extensions.code).toBe('NOT_FOUND');
    const deleteAlice = await gql(bob, DELETE_NS, { i: { namespaceName: 'gql.local' } });
    expect(deleteAlice.body.errors[0].extensions.code).toBe('NOT_FOUND');
    const deleteAliceSvc = await gql(bob, DELETE_SVC, { i: { ...ref } });
    expect(deleteAliceSvc.body.errors[0].extensions.code).toBe('NOT_FOUND');
    expect(
      (await rest(alice, 'GET', '/gql.local/services')).body.Services.map((s: { Name: string }) => s.Name),
    ).toEqual(['api']);

    // Names are per tenant: bob's namespace of the same name is his own, invisible to alice.
    const own = await gql(bob, CREATE_NS, { i: { namespaceName: 'gql.local' } });
    expect(own.body.errors).toBeUndefined();
    expect((await gql(bob, CREATE_SVC, { i: { namespaceName: 'gql.local', serviceName: 'bobs' } })).body.errors).toBe(
      undefined,
    );
    expect(
      (await rest(alice, 'GET', '/gql.local/services')).body.Services.map((s: { Name: string }) => s.Name),
    ).toEqual(['api']);
    expect((await gql(bob, DELETE_SVC, { i: { namespaceName: 'gql.local', serviceName: 'bobs' } })).body.errors).toBe(
      undefined,
    );
    expect((await gql(bob, DELETE_NS, { i: { namespaceName: 'gql.local' } })).body.errors).toBeUndefined();
    expect((await rest(alice, 'GET', '/gql.local')).status).toBe(200);
  });

  it("holds creations to the tenant's namespace quota, with REST's error", async () => {
    for (const n of [1, 2, 3, 4, 5]) {
      expect((await gql(carol, CREATE_NS, { i: { namespaceName: `q${n}.local` } })).body.errors).toBeUndefined();
    }
    const over = await gql(carol, CREATE_NS, { i: { namespaceName: 'q6.local' } });
    expect(over.body.errors[0].extensions.code).toBe('LIMIT_EXCEEDED');
    expect(over.body.errors[0].message).toMatch(/already has 5 registry namespaces \(REGISTRY_NAMESPACES_PER_TENANT\)/);
    expect((await rest(carol, 'GET', '')).body.Namespaces).toHaveLength(5);
  });
});
