import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from '../../src/app.module.js';
import type { AppConfig, Role } from '../../src/config/config.schema.js';
import { createHttpApp } from '../../src/platform/http/create-http-app.js';
import { testConfig } from './test-config.js';

export interface TestApp {
  readonly app: NestFastifyApplication;
  readonly config: AppConfig;
  /** e.g. http://127.0.0.1:40123 */
  readonly baseUrl: string;
  /** Calls the operator API with the admin token. */
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

/**
 * Boots the real application (real PostgreSQL and Redis) on an ephemeral port, exactly as the
 * entry files do. One per test file: booting is the expensive part.
 */
export async function startTestApp(
  roles: readonly Role[] = ['api'],
  overrides: NodeJS.ProcessEnv = {},
): Promise<TestApp> {
  const config = testConfig(roles, overrides);
  const app = await createHttpApp(AppModule.forRoles(config), config);
  await app.listen({ port: config.port, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  const baseUrl = `http://127.0.0.1:${address.port}`;
  return {
    app,
    config,
    baseUrl,
    admin: (method, path, body) => call(baseUrl, method, path, { authorization: `Bearer ${config.adminToken}` }, body),
    close: () => app.close(),
  };
}

export async function call(
  baseUrl: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: unknown,
): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: parseAnswer(await res.text()), headers: res.headers };
}

/** A response body as tests read it: parsed JSON, else the text; `undefined` when empty. */
export function parseAnswer(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
