import { describe, expect, it } from 'vitest';
import { spawnNode } from '../support/processes.js';
import { uniqueName } from '../support/tenant-builder.js';
import { testEnv } from '../support/test-config.js';

/** The operator CLI (`npm run cli -- ...` runs dist/cli.js). */
describe('operator CLI', () => {
  const env = testEnv();
  async function cli(...args: string[]): Promise<{ code: number | string; out: string }> {
    const proc = spawnNode('dist/cli.js', args, env);
    const code = await proc.exited;
    return { code, out: proc.output() };
  }

  it('creates a tenant and prints the same JSON as the operator API', async () => {
    const name = uniqueName('cli');
    const created = await cli('tenant', 'create', '--name', name, '--plan', 'free');
    expect(created.code).toBe(0);
    const body = JSON.parse(created.out);
    expect(body).toMatchObject({
      name,
      plan: 'free',
      accountId: expect.stringMatching(/^\d{12}$/),
      accessKey: { accessKeyId: expect.any(String), secretAccessKey: expect.any(String) },
      apiToken: { token: expect.stringMatching(/^mpt_/) },
    });

    const suspended = await cli('tenant', 'suspend', body.accountId);
    expect(JSON.parse(suspended.out).status).toBe('suspended');
    const keys = await cli('access-key', 'list', body.accountId);
    expect(JSON.parse(keys.out).accessKeys).toHaveLength(1);
    expect(keys.out).not.toContain(body.accessKey.secretAccessKey);
    expect((await cli('tenant', 'delete', body.accountId)).code).toBe(0);
    const gone = await cli('tenant', 'get', body.accountId);
    expect(gone.code).toBe(1);
    expect(gone.out).toContain('NOT_FOUND');
  });

  it('explains bad input instead of crashing', async () => {
    const invalid = await cli('tenant', 'create', '--name', 'Not Valid');
    expect(invalid).toMatchObject({ code: 1 });
    expect(invalid.out).toContain('name: must be 1-63 lower-case letters');
    const usage = await cli('tenant', 'frobnicate');
    expect(usage.code).toBe(2);
    expect(usage.out).toContain('Usage: npm run cli');
  });
});
