import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppMeshModel } from '../../src/meshes/api-model/app-mesh-model.js';
import { OPERATION_HANDLERS } from '../../src/meshes/rest/app-mesh-operations.js';
import { signedAppMeshGet } from '../support/signed-http.js';
import { call, startTestApp, type TestApp } from '../support/test-app.js';
import { createTenant } from '../support/tenant-builder.js';

/** Walks the official model: every operation is routed and handled, and nothing else is. */
describe('App Mesh model coverage', () => {
  let api: TestApp;
  const model = AppMeshModel.load();

  beforeAll(async () => {
    api = await startTestApp();
  });
  afterAll(async () => {
    await api?.close();
  });

  it('routes all 38 operations of the model, at the method and path the model gives', () => {
    expect(model.operations.size).toBe(38);
    const fastify = api.app.getHttpAdapter().getInstance();
    const unrouted = [...model.operations.values()].filter(
      (op) => !fastify.hasRoute({ method: op.method, url: op.fastifyPath }),
    );
    expect(unrouted.map((op) => op.name)).toEqual([]);
  });

  it('serves the OpenAPI document generated from the model, without credentials', async () => {
    const res = await call(api.baseUrl, 'GET', '/v20190125/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\.1/);
    const operationIds = Object.values(
      res.body.paths as Record<string, Record<string, { operationId: string }>>,
    ).flatMap((p) => Object.values(p).map((o) => o.operationId));
    expect(operationIds.sort()).toEqual([...model.operations.keys()].sort());
  });

  it('has exactly one handler per operation', () => {
    expect([...OPERATION_HANDLERS.keys()].sort()).toEqual([...model.operations.keys()].sort());
  });

  it('answers an authenticated request for a path that is no operation with UnknownOperationException', async () => {
    const tenant = await createTenant(api);
    const res = await signedAppMeshGet(api, tenant.accessKey, '/v20190125/meshes/m/virtualThings');
    expect(res.status).toBe(404);
    expect(res.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
  });
});
