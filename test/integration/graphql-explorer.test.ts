import { afterEach, describe, expect, it } from 'vitest';
import { createTenant } from '../support/tenant-builder.js';
import { call, startTestApp, type TestApp } from '../support/test-app.js';

/** GraphiQL at /graphiql only when GRAPHQL_EXPLORER is on (development); /graphql the same either way. */
describe('GraphQL explorer (GRAPHQL_EXPLORER)', () => {
  let api: TestApp | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  it('is off by default: no /graphiql, introspection still answers with a token', async () => {
    api = await startTestApp();
    expect(api.config.graphqlExplorer).toBe(false);
    expect((await fetch(`${api.baseUrl}/graphiql`)).status).toBe(404);
    const tenant = await createTenant(api);
    const res = await call(
      api.baseUrl,
      'POST',
      '/graphql',
      { authorization: `Bearer ${tenant.apiToken.token}` },
      { query: '{ __type(name: "VirtualNodeSpec") { name } }' },
    );
    expect(res.body).toEqual({ data: { __type: { name: 'VirtualNodeSpec' } } });
  });

  it('serves GraphiQL when on, pointed at /graphql, which still wants a token', async () => {
    api = await startTestApp(['api'], { GRAPHQL_EXPLORER: 'true' });
    const page = await fetch(`${api.baseUrl}/graphiql`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('graphiql');
    const config = await (await fetch(`${api.baseUrl}/graphiql/config.js`)).text();
    expect(config).toContain("window.GRAPHQL_ENDPOINT = '/graphql'");
    const anonymous = await call(api.baseUrl, 'POST', '/graphql', {}, { query: '{ __typename }' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('refuses a value that is not true or false, naming the variable', async () => {
    await expect(startTestApp(['api'], { GRAPHQL_EXPLORER: 'yes' })).rejects.toThrow(
      /GRAPHQL_EXPLORER.*true or false/s,
    );
  });
});
