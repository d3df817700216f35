import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { TestApp } from './test-app.js';

const exec = promisify(execFile);

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the real AWS CLI (installed by `npm test` when the machine lacks it) against the test
 * app with the given credentials. Never throws for a failing command: tests assert on it.
 */
export async function awsCli(
  api: TestApp,
  credentials: { accessKeyId: string; secretAccessKey: string },
  args: string[],
): Promise<CliResult> {
  const { command, env } = JSON.parse(process.env['MESHPLANE_AWS_CLI'] ?? '{"command":["aws"],"env":{}}') as {
    command: string[];
    env: Record<string, string>;
  };
  const [file = 'aws', ...prefix] = command;
  try {
    const { stdout, stderr } = await exec(
      file,
      [...prefix, ...args, '--endpoint-url', api.baseUrl, '--output', 'json'],
      {
        env: {
          PATH: process.env['PATH'],
          HOME: process.env['HOME'],
          ...env,
          AWS_ACCESS_KEY_ID: credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
          AWS_DEFAULT_REGION: api.config.region,
          AWS_MAX_ATTEMPTS: '1',
          AWS_CONFIG_FILE: '/dev/null',
          AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
        },
        timeout: 60_000,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}
