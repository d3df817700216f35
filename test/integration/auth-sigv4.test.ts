import { Sha256 } from '@aws-crypto/sha256-js';
import { ListMeshesCommand, ListVirtualNodesCommand } from '@aws-sdk/client-app-mesh';
import { HttpRequest } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedTenant } from '../../src/tenants/tenants.service.js';
import { call, startTestApp, type TestApp } from '../support/test-app.js';
import { appMeshClient, createTenant } from '../support/tenant-builder.js';
import { errorOf } from '../support/sdk-errors.js';

/** SigV4 authentication of the App Mesh API, driven by the real AWS SDK. */

/** Resolves when the call succeeded (so authentication passed); rejects with the SDK error otherwise. */
async function authenticated(promise: Promise<unknown>): Promise<true> {
  await promise;
  return true;
}

describe('SigV4 authentication (real AWS SDK)', () => {
  let api: TestApp;
  let tenant: CreatedTenant;

  beforeAll(async () => {
    api = await startTestApp();
    tenant = await createTenant(api);
  });
  afterAll(async () => {
    await api?.close();
  });

  const creds = () => ({
    accessKeyId: tenant.accessKey.accessKeyId,
    secretAccessKey: tenant.accessKey.secretAccessKey,
  });

  it('accepts a request signed with a valid key, and records its use', async () => {
    expect(await authenticated(appMeshClient(api, creds()).send(new ListMeshesCommand({})))).toBe(true);
    const keys = await api.admin('GET', `/admin/v1/tenants/${tenant.accountId}/access-keys`);
    const used = keys.body.accessKeys.find(
      (k: { accessKeyId: string }) => k.accessKeyId === tenant.accessKey.accessKeyId,
    );
    await expect
      .poll(async () => {
        const again = await api.admin('GET', `/admin/v1/tenants/${tenant.accountId}/access-keys`);
        return again.body.accessKeys[0].lastUsedAt;
      })
      .not.toBeNull();
    expect(used.secretAccessKey).toBeUndefined();
  });

  it('signs query strings and percent-encoded values the way the SDK does', async () => {
    const err = await errorOf(
      appMeshClient(api, creds()).send(
        new ListVirtualNodesCommand({ meshName: 'a-mesh', limit: 7, nextToken: 'a b+c/d=e&f' }),
      ),
    );
    // Authenticated: the operation ran and found no such mesh.
    expect(err.name).toBe('NotFoundException');
  });

  it('rejects a wrong secret with InvalidSignatureException', async () => {
    const err = await errorOf(
      appMeshClient(api, { ...creds(), secretAccessKey: 'x'.repeat(40) }).send(new ListMeshesCommand({})),
    );
    expect(err).toMatchObject({ name: 'InvalidSignatureException', status: 403 });
    expect(err.message).toMatch(/signature we calculated does not match/);
  });

  it('rejects an unknown key with UnrecognizedClientException', async () => {
    const err = await errorOf(
      appMeshClient(api, { accessKeyId: 'MPAKAAAAAAAAAAAAAAAA', secretAccessKey: 'y'.repeat(40) }).send(
        new ListMeshesCommand({}),
      ),
    );
    expect(err).toMatchObject({ name: 'UnrecognizedClientException', status: 403 });
  });

  it('rejects a revoked key with UnrecognizedClientException', async () => {
    const created = await api.admin('POST', `/admin/v1/tenants/${tenant.accountId}/access-keys`, {
      description: 'to revoke',
    });
    expect(created.status).toBe(201);
    const key = {
      accessKeyId: created.body.accessKey.accessKeyId,
      secretAccessKey: created.body.accessKey.secretAccessKey,
    };
    expect(await authenticated(appMeshClient(api, key).send(new ListMeshesCommand({})))).toBe(true);

    const revoked = await api.admin('DELETE', `/admin/v1/tenants/${tenant.accountId}/access-keys/${key.accessKeyId}`);
    expect(revoked.body).toMatchObject({ accessKeyId: key.accessKeyId, status: 'revoked' });
    const err = await errorOf(appMeshClient(api, key).send(new ListMeshesCommand({})));
    expect(err).toMatchObject({ name: 'UnrecognizedClientException', status: 403 });
    expect(err.message).toMatch(/revoked/);
  });

  it('rejects every key of a suspended tenant with ForbiddenException, and accepts them again on resume', async () => {
    const other = await createTenant(api);
    const key = { accessKeyId: other.accessKey.accessKeyId, secretAccessKey: other.accessKey.secretAccessKey };
    expect((await api.admin('POST', `/admin/v1/tenants/${other.accountId}/suspend`)).body.status).toBe('suspended');
    const err = await errorOf(appMeshClient(api, key).send(new ListMeshesCommand({})));
    expect(err).toMatchObject({ name: 'ForbiddenException', status: 403 });
    expect(err.message).toMatch(/suspended/);

    expect((await api.admin('POST', `/admin/v1/tenants/${other.accountId}/resume`)).body.status).toBe('active');
    expect(await authenticated(appMeshClient(api, key).send(new ListMeshesCommand({})))).toBe(true);
  });

  it('rejects a request signed 6 minutes in the past with InvalidSignatureException (signature expired)', async () => {
    const client = appMeshClient(api, creds(), { systemClockOffset: -6 * 60 * 1000 });
    const err = await errorOf(client.send(new ListMeshesCommand({})));
    expect(err).toMatchObject({ name: 'InvalidSignatureException', status: 403 });
    expect(err.message).toMatch(/Signature expired: \d{8}T\d{6}Z is now earlier than/);
  });

  it('lets an SDK with a skewed clock correct itself from the Date header and retry, as against AWS', async () => {
    const client = appMeshClient(api, creds(), { systemClockOffset: -6 * 60 * 1000, maxAttempts: 3 });
    expect(await authenticated(client.send(new ListMeshesCommand({})))).toBe(true);
    expect(Math.abs(client.config.systemClockOffset)).toBeLessThan(60_000);
  });

  it('rejects a signature scoped to another region', async () => {
    const err = await errorOf(appMeshClient(api, creds(), { region: 'eu-west-1' }).send(new ListMeshesCommand({})));
    expect(err).toMatchObject({ name: 'InvalidSignatureException', status: 403 });
    expect(err.message).toMatch(/eu-west-1/);
  });

  it('rejects a request without credentials with MissingAuthenticationTokenException', async () => {
    const res = await call(api.baseUrl, 'GET', '/v20190125/meshes');
    expect(res.status).toBe(403);
    expect(res.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
    expect(res.body).toEqual({ message: 'Missing Authentication Token' });
  });

  describe('signed by hand with the AWS signer', () => {
    async function signed(
      body: string,
      tamper?: (r: { headers: Record<string, string>; body: string }) => void,
      extraSignedHeaders: Record<string, string> = {},
    ) {
      const url = new URL(api.baseUrl);
      const signer = new SignatureV4({
        service: 'appmesh',
        region: api.config.region,
        credentials: creds(),
        sha256: Sha256,
      });
      const request = await signer.sign(
        new HttpRequest({
          method: 'PUT',
          protocol: 'http:',
          hostname: url.hostname,
          port: Number(url.port),
          path: '/v20190125/meshes',
          headers: { host: url.host, 'content-type': 'application/json', ...extraSignedHeaders },
          body,
        }),
      );
      const sent = { headers: { ...(request.headers as Record<string, string>) }, body };
      tamper?.(sent);
      return call(api.baseUrl, 'PUT', '/v20190125/meshes', sent.headers, sent.body);
    }

    it('accepts the untouched request', async () => {
      const res = await signed('{"meshName":"m1"}');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ meshName: 'm1', status: { status: 'ACTIVE' } });
    });

    it('rejects a body changed after signing', async () => {
      const res = await signed('{"meshName":"m1"}', (r) => {
        r.body = '{"meshName":"m2"}';
      });
      expect(res.status).toBe(403);
      expect(res.headers.get('x-amzn-errortype')).toBe('InvalidSignatureException');
    });

    it('does not let a signed UNSIGNED-PAYLOAD hash smuggle in an unsigned body', async () => {
      const res = await signed(
        '{"meshName":"m1"}',
        (r) => {
          r.body = '{"meshName":"evil"}';
        },
        { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
      );
      expect(res.status).toBe(403);
      expect(res.headers.get('x-amzn-errortype')).toBe('InvalidSignatureException');
    });

    it('rejects a malformed Authorization header with IncompleteSignatureException', async () => {
      const res = await signed('{}', (r) => {
        r.headers['authorization'] = 'AWS4-HMAC-SHA256 Credential=nonsense';
      });
      expect(res.status).toBe(400);
      expect(res.headers.get('x-amzn-errortype')).toBe('IncompleteSignatureException');
    });
  });
});
