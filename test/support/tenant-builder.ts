import { randomBytes } from 'node:crypto';
import { AppMeshClient } from '@aws-sdk/client-app-mesh';
import type { CreatedTenant } from '../../src/tenants/tenants.service.js';
import type { TestApp } from './test-app.js';

/** A unique tenant name, so test files never collide in the shared test database. */
export function uniqueName(prefix = 't'): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

/** Creates a tenant through the operator API and returns what the API showed once. */
export async function createTenant(api: TestApp, name = uniqueName()): Promise<CreatedTenant> {
  const res = await api.admin('POST', '/admin/v1/tenants', { name });
  if (res.status !== 201) throw new Error(`creating tenant ${name}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as CreatedTenant;
}

/** A real AWS SDK App Mesh client pointed at the test app. No retries unless asked for. */
export function appMeshClient(
  api: TestApp,
  credentials: { accessKeyId: string; secretAccessKey: string },
  options: { region?: string; maxAttempts?: number; systemClockOffset?: number } = {},
): AppMeshClient {
  const client = new AppMeshClient({
    endpoint: api.baseUrl,
    region: options.region ?? api.config.region,
    credentials,
    maxAttempts: options.maxAttempts ?? 1,
  });
  if (options.systemClockOffset !== undefined) client.config.systemClockOffset = options.systemClockOffset;
  return client;
}
