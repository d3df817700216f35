import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedTenant } from '../../src/tenants/tenants.service.js';
import { seededRandom, type Random } from '../support/fuzz/model-requests.js';
import { createTenant } from '../support/tenant-builder.js';
import { call, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The /v1 (tenant) and /admin/v1 (operator) surfaces under generated input: every route, with
 * path parameters, query values and bodies replaced by hostile values (NUL, lone surrogates,
 * lengths past every column, look-alike ids, wrong types, prototype keys, deep nesting). Never a
 * 5xx, and every error in App Mesh's shape. `FUZZ_SEED` replays a run.
 */
const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const RUNS_PER_ROUTE = Number(process.env.FUZZ_RUNS ?? 16);

interface Route {
  readonly method: string;
  readonly path: string;
  readonly admin: boolean;
  readonly query?: readonly string[];
  readonly body?: readonly string[];
}

const ROUTES: readonly Route[] = [
  { method: 'GET', path: '/v1/account', admin: false },
  { method: 'POST', path: '/v1/access-keys', admin: false, body: ['description'] },
  { method: 'GET', path: '/v1/access-keys', admin: false },
  { method: 'DELETE', path: '/v1/access-keys/:accessKeyId', admin: false },
  { method: 'POST', path: '/v1/api-tokens', admin: false, body: ['name'] },
  { method: 'GET', path: '/v1/api-tokens', admin: false },
  { method: 'DELETE', path: '/v1/api-tokens/:tokenId', admin: false },
  { method: 'GET', path: '/v1/meshes/:meshName/proxies', admin: false },
  { method: 'GET', path: '/v1/meshes/:meshName/status', admin: false },
  {
    method: 'GET',
    path: '/v1/meshes/:meshName/virtualNodes/:name/bootstrap',
    admin: false,
    query: ['format', 'adminPort'],
  },
  { method: 'GET', path: '/v1/meshes/:meshName/virtualGateways/:name/bootstrap', admin: false, query: ['format'] },
  { method: 'GET', path: '/v1/meshes/:meshName/proxyTokens', admin: false, query: ['kind', 'name'] },
  { method: 'DELETE', path: '/v1/meshes/:meshName/proxyTokens/:tokenId', admin: false },
  { method: 'POST', path: '/admin/v1/tenants', admin: true, body: ['name', 'plan'] },
  { method: 'GET', path: '/admin/v1/tenants', admin: true, query: ['limit', 'nextToken'] },
  { method: 'GET', path: '/admin/v1/tenants/:accountId', admin: true },
  { method: 'POST', path: '/admin/v1/tenants/:accountId/suspend', admin: true },
  { method: 'POST', path: '/admin/v1/tenants/:accountId/resume', admin: true },
  { method: 'DELETE', path: '/admin/v1/tenants/:accountId', admin: true },
  { method: 'POST', path: '/admin/v1/tenants/:accountId/access-keys', admin: true, body: ['description'] },
  { method: 'GET', path: '/admin/v1/tenants/:accountId/access-keys', admin: true },
  { method: 'DELETE', path: '/admin/v1/tenants/:accountId/access-keys/:accessKeyId', admin: true },
  { method: 'POST', path: '/admin/v1/tenants/:accountId/api-tokens', admin: true, body: ['name'] },
  { method: 'GET', path: '/admin/v1/tenants/:accountId/api-tokens', admin: true },
  { method: 'DELETE', path: '/admin/v1/tenants/:accountId/api-tokens/:tokenId', admin: true },
  { method: 'GET', path: '/admin/v1/tenants/:accountId/proxies', admin: true },
];

const pick = <T>(rng: Random, items: readonly T[]): T => items[Math.floor(rng.next() * items.length)]!;

/** Text for a path or query value (anything a URL can carry: no lone surrogates). */
const TEXT = [
  'ok',
  'a\u0000b',
  'n'.repeat(256),
  'n'.repeat(5000),
  '\u{1F600}'.repeat(300),
  '-'.repeat(36),
  '00000000-0000-0000-0000-000000000000',
  '000000000000',
  '..',
  'a/b',
  '',
  ' ',
  '1e400',
  '-1',
  '99999999999999999999',
  'constructor',
  '\r\n',
  'dGVuYW50czoA', // base64url of "tenants:\0"
];
/** JSON values for body members: text above plus what only JSON carries. */
const JSON_VALUES: readonly unknown[] = [
  ...TEXT,
  '\ud800',
  'x\udfff',
  42,
  -1,
  true,
  null,
  [],
  {},
  ['a'],
  { a: '\u0000' },
];

function generate(route: Route, rng: Random): { path: string; query: string; body?: string } {
  const path = route.path.replace(/:([A-Za-z]+)/g, () => encodeURIComponent(pick(rng, TEXT)));
  const names = [...(route.query ?? []), 'nextToken', 'constructor', '__proto__', 'unknown'];
  const query = names
    .filter(() => rng.next() < 0.4)
    .map((n) => `${encodeURIComponent(n)}=${encodeURIComponent(pick(rng, TEXT))}`)
    .join('&');
  if (route.method !== 'POST') return { path, query };
  const roll = rng.next();
  let body: string;
  if (roll < 0.1) {
    const depth = pick(rng, [100, 20000]);
    body = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
  } else if (roll < 0.2) {
    body = pick(rng, ['null', '[]', '"text"', '1', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{}}}', '{']);
  } else {
    const members: Record<string, unknown> = {};
    for (const m of route.body ?? []) if (rng.next() < 0.8) members[m] = pick(rng, JSON_VALUES);
    if (rng.next() < 0.3) members[pick(rng, ['unknown', '\u0000', 'toString'])] = pick(rng, JSON_VALUES);
    body = JSON.stringify(members);
  }
  return { path, query, body };
}

describe(`/v1 and /admin/v1 under generated input (seed ${SEED})`, () => {
  let api: TestApp;
  let tenant: CreatedTenant;

  beforeAll(async () => {
    api = await startTestApp();
    tenant = await createTenant(api);
  });
  afterAll(async () => {
    await api?.close();
  });

  it.each(ROUTES.map((r) => [`${r.method} ${r.path}`, r] as const))(
    '%s: no 5xx, App Mesh error shapes only',
    async (_label, route) => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 - 1 }), async (seed) => {
          const req = generate(route, seededRandom(seed));
          const token = route.admin ? api.config.adminToken : tenant.apiToken.token;
          const headers: Record<string, string> = { authorization: `Bearer ${token}` };
          if (req.body !== undefined) headers['content-type'] = 'application/json';
          const url = `${req.path}${req.query ? `?${req.query}` : ''}`;
          const res = await call(api.baseUrl, route.method, url, headers, req.body);
          const where = `FUZZ_SEED=${SEED}: ${route.method} ${url} ${req.body?.slice(0, 300) ?? ''}`;
          expect(res.status, `${where} answered ${res.status}`).toBeLessThan(500);
          if (res.status >= 300) {
            expect(res.headers.get('x-amzn-errortype'), `${where}: no x-amzn-ErrorType`).toBeTruthy();
            expect(
              typeof (res.body as { message?: unknown } | undefined)?.message,
              `${where}: ${JSON.stringify(res.body)}`,
            ).toBe('string');
          }
        }),
        { seed: SEED, numRuns: RUNS_PER_ROUTE, endOnFailure: true, includeErrorInReport: true },
      );
    },
  );
});
