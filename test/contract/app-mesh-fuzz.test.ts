import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppMeshModel, type OperationName } from '../../src/meshes/api-model/app-mesh-model.js';
import type { CreatedTenant } from '../../src/tenants/tenants.service.js';
import {
  EXISTING_NAMES,
  ModelRequestGenerator,
  MUTATIONS,
  seededRandom,
  type GeneratedRequest,
} from '../support/fuzz/model-requests.js';
import { jsonContentType, signedAppMeshRequest, type SignedAnswer } from '../support/signed-http.js';
import { uniqueName } from '../support/tenant-builder.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Drives every operation of the App Mesh surface with requests generated from the official
 * model (valid-shaped inputs with one member mutated), sent as raw signed HTTP so the test
 * controls every byte. Whatever the input, the answer is never a 5xx, and every non-2xx answer
 * is in App Mesh's error shape: an `x-amzn-ErrorType` the model lists for that operation and a
 * JSON body with a string `message`. Deterministic per seed: `FUZZ_SEED=<n>` replays a run
 * (the seed is printed with any failure); `FUZZ_RUNS` sets the cases per operation.
 */
const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const RUNS_PER_OPERATION = Number(process.env.FUZZ_RUNS ?? 24);

describe(`App Mesh surface under generated input (seed ${SEED})`, () => {
  const model = AppMeshModel.load();
  const generator = new ModelRequestGenerator(model);
  let api: TestApp;
  let tenant: CreatedTenant;
  const statuses = new Map<number, number>();
  const send = (req: Omit<GeneratedRequest, 'mutation' | 'target' | 'emptyLabel'>) =>
    signedAppMeshRequest(api, tenant.accessKey, { ...req, headers: jsonContentType(req.body) });

  beforeAll(async () => {
    api = await startTestApp();
    // The largest plan, so that the request rate limit does not answer for the validator.
    const res = await api.admin('POST', '/admin/v1/tenants', { name: uniqueName('fuzz'), plan: 'enterprise' });
    expect(res.status).toBe(201);
    tenant = res.body as CreatedTenant;
    // Resources under the names the generator favours, so requests get past NotFound.
    const [mesh, node, router, route, gateway, groute, service] = EXISTING_NAMES as [string, ...string[]];
    const listener = { portMapping: { port: 8080, protocol: 'http' } };
    const setup: [string, string, unknown][] = [
      ['PUT', '/v20190125/meshes', { meshName: mesh }],
      [
        'PUT',
        `/v20190125/meshes/${mesh}/virtualNodes`,
        { virtualNodeName: node, spec: { listeners: [listener], serviceDiscovery: { dns: { hostname: 'a.local' } } } },
      ],
      [
        'PUT',
        `/v20190125/meshes/${mesh}/virtualRouters`,
        { virtualRouterName: router, spec: { listeners: [listener] } },
      ],
      [
        'PUT',
        `/v20190125/meshes/${mesh}/virtualRouter/${router}/routes`,
        {
          routeName: route,
          spec: {
            httpRoute: { match: { prefix: '/' }, action: { weightedTargets: [{ virtualNode: node, weight: 1 }] } },
          },
        },
      ],
      [
        'PUT',
        `/v20190125/meshes/${mesh}/virtualServices`,
        { virtualServiceName: service, spec: { provider: { virtualRouter: { virtualRouterName: router } } } },
      ],
      [
        'PUT',
        `/v20190125/meshes/${mesh}/virtualGateways`,
        { virtualGatewayName: gateway, spec: { listeners: [listener] } },
      ],
      [
        'PUT',
        `/v20190125/meshes/${mesh}/virtualGateway/${gateway}/gatewayRoutes`,
        {
          gatewayRouteName: groute,
          spec: {
            httpRoute: {
              match: { prefix: '/' },
              action: { target: { virtualService: { virtualServiceName: service } } },
            },
          },
        },
      ],
    ];
    for (const [method, path, body] of setup) {
      const answer = await send({ method, path, query: {}, body: JSON.stringify(body) });
      expect(answer.status, `${method} ${path}: ${answer.text}`).toBe(200);
    }
  });
  afterAll(async () => {
    await api?.close();
  });

  /** Why an answer breaks the contract, or `undefined`. */
  function violation(op: OperationName, req: GeneratedRequest, answer: SignedAnswer): string | undefined {
    if (answer.status >= 500) return `answered ${answer.status}`;
    if (answer.status < 300) {
      const ok = typeof answer.body === 'object' && answer.body !== null;
      return ok ? undefined : `answered ${answer.status} without a JSON object body: ${answer.text.slice(0, 200)}`;
    }
    const type = answer.headers.get('x-amzn-errortype');
    const allowed = new Set(model.operation(op).errors);
    // An empty URI label leaves a path that names no operation, as App Mesh answers it.
    if (req.emptyLabel) allowed.add('UnknownOperationException');
    if (type === null) return `answered ${answer.status} without x-amzn-ErrorType`;
    if (!allowed.has(type)) return `answered ${answer.status} ${type}, not an error ${op} declares`;
    const body = answer.body as { message?: unknown } | undefined;
    if (typeof body !== 'object' || body === null || typeof body.message !== 'string') {
      return `answered ${answer.status} ${type} without a JSON {"message": string} body: ${answer.text.slice(0, 200)}`;
    }
    return undefined;
  }

  it.each([...model.operations.keys()])('%s: no 5xx, and App Mesh error shapes only', async (op) => {
    const spec = model.operation(op);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...MUTATIONS),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        async (mutation, seed) => {
          const req = generator.generate(spec, mutation, seededRandom(seed));
          const answer = await send(req);
          statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
          const problem = violation(op, req, answer);
          if (problem !== undefined) {
            throw new Error(
              `FUZZ_SEED=${SEED}: ${op} with ${mutation} at ${req.target} ${problem}\n` +
                `request: ${req.method} ${req.path} ${JSON.stringify(req.query)} ${req.body?.slice(0, 500) ?? ''}`,
            );
          }
        },
      ),
      { seed: SEED, numRuns: RUNS_PER_OPERATION, endOnFailure: true, includeErrorInReport: true },
    );
  });

  it('reached the service: successes and validation errors both occurred, no authentication failure', () => {
    expect(statuses.get(403) ?? 0).toBe(0);
    expect(statuses.get(200) ?? 0).toBeGreaterThan(0);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(0);
  });
});
