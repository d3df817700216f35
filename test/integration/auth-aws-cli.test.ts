import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedTenant } from '../../src/tenants/tenants.service.js';
import { awsCli } from '../support/aws-cli.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createTenant } from '../support/tenant-builder.js';

/** The AWS CLI signs with botocore, which differs from the JS SDK (no x-amz-content-sha256). */
describe('SigV4 authentication (real AWS CLI)', () => {
  let api: TestApp;
  let tenant: CreatedTenant;

  beforeAll(async () => {
    api = await startTestApp();
    tenant = await createTenant(api);
  });
  afterAll(async () => {
    await api?.close();
  });

  it('authenticates a CLI call signed with a valid key', async () => {
    const result = await awsCli(api, tenant.accessKey, ['appmesh', 'list-meshes']);
    expect(result).toMatchObject({ code: 0 });
    expect(JSON.parse(result.stdout)).toEqual({ meshes: [] });
  });

  it('authenticates a CLI call with path and query parameters', async () => {
    const result = await awsCli(api, tenant.accessKey, [
      'appmesh',
      'list-virtual-nodes',
      '--mesh-name',
      'm-1',
      '--limit',
      '3',
    ]);
    // Authenticated: the operation ran and found no such mesh.
    expect(result.stderr).toContain('(NotFoundException) when calling the ListVirtualNodes operation');
  });

  it('reports a wrong secret as InvalidSignatureException', async () => {
    const result = await awsCli(api, { ...tenant.accessKey, secretAccessKey: 'not-the-secret' }, [
      'appmesh',
      'list-meshes',
    ]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('(InvalidSignatureException) when calling the ListMeshes operation');
  });

  it('reports an unknown key as UnrecognizedClientException', async () => {
    const result = await awsCli(api, { accessKeyId: 'MPAKZZZZZZZZZZZZZZZZ', secretAccessKey: 'x' }, [
      'appmesh',
      'list-meshes',
    ]);
    expect(result.stderr).toContain('(UnrecognizedClientException) when calling the ListMeshes operation');
  });
});
