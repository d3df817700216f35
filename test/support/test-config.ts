import { randomBytes } from 'node:crypto';
import type { AppConfig, Role } from '../../src/config/config.schema.js';
import { loadConfig } from '../../src/config/load-config.js';

/** The environment a test process runs with: `npm test`'s services plus fresh secrets. */
export function testEnv(overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    DATABASE_URL: process.env['DATABASE_URL'],
    REDIS_URL: process.env['REDIS_URL'],
    MESH_ADMIN_TOKEN: `test-admin-${randomBytes(16).toString('hex')}`,
    MESH_MASTER_KEY: randomBytes(32).toString('base64'),
    HOST: '127.0.0.1',
    XDS_HOST: '127.0.0.1',
    PORT: '0',
    XDS_PORT: '0',
    LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'silent',
    ...overrides,
  };
}

export function testConfig(roles: readonly Role[], overrides: NodeJS.ProcessEnv = {}): AppConfig {
  // PORT=0 is not a valid production port; tests bind ephemeral ports, so patch after validation.
  const env = testEnv(overrides);
  const config = loadConfig({ ...env, PORT: '8080', XDS_PORT: '18000' }, roles);
  return { ...config, port: Number(env['PORT']), xdsPort: Number(env['XDS_PORT']) };
}
