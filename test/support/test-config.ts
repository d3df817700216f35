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
    LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'silent',
    ...overrides,
  };
}

/** Configuration for an in-process test app. Port 0 (ephemeral) is not a valid setting, so it is set after validation. */
export function testConfig(roles: readonly Role[], overrides: NodeJS.ProcessEnv = {}): AppConfig {
  return { ...loadConfig(testEnv(overrides), roles), port: 0, xdsPort: 0 };
}
