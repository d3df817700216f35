import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load-config.js';

const base = {
  DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db',
  REDIS_URL: 'redis://127.0.0.1:6379',
  MESH_ADMIN_TOKEN: 'a'.repeat(32),
  MESH_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
};

describe('loadConfig', () => {
  it('applies documented defaults', () => {
    const config = loadConfig(base, ['api']);
    expect(config).toMatchObject({ port: 8080, xdsPort: 18000, region: 'us-east-1', logLevel: 'info', roles: ['api'] });
  });

  it('lists every problem at once, naming the variable and the rule, without echoing secrets', () => {
    let error: ConfigError | undefined;
    try {
      loadConfig({ ...base, PORT: '99999', MESH_REGION: 'mars', MESH_MASTER_KEY: 'short', DATABASE_URL: 'mysql://x' }, [
        'api',
      ]);
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems).toEqual([
      'PORT must be a TCP port (1-65535) (got "99999")',
      'DATABASE_URL must be a URL with scheme postgres or postgresql (got <redacted>)',
      'MESH_MASTER_KEY must be 32 random bytes in base64 (e.g. `openssl rand -base64 32`) (got <redacted>)',
      'MESH_REGION must look like an AWS region, e.g. us-east-1 (got "mars")',
    ]);
    expect(error!.message).not.toContain('short');
  });

  it('requires the operator token only for the api role, and the master key for the api and worker roles', () => {
    const { MESH_ADMIN_TOKEN: _a, MESH_MASTER_KEY: _m, ...rest } = base;
    expect(() => loadConfig(rest, ['api'])).toThrow(/MESH_ADMIN_TOKEN is required[\s\S]*MESH_MASTER_KEY is required/);
    // The worker opens EC2 sync sources' sealed secrets.
    expect(() => loadConfig(rest, ['worker'])).toThrow(/MESH_MASTER_KEY is required/);
    expect(loadConfig(rest, ['xds']).adminToken).toBeUndefined();
    expect(loadConfig({ ...rest, MESH_MASTER_KEY: base.MESH_MASTER_KEY }, ['worker']).adminToken).toBeUndefined();
  });
});
