import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './processes.js';

/**
 * A real EC2 API emulator: moto's server (`moto[server]`, pinned and installed by `npm test`
 * into .data/tools/moto, see scripts/lib/peers.mjs), one per test file, on a free loopback port.
 * It serves every AWS API it emulates (EC2, STS, IAM...) on that one endpoint.
 */
export interface Moto {
  /** e.g. http://127.0.0.1:40123 */
  readonly endpoint: string;
  /**
   * Turns moto's request authentication on (`true`: every call must be signed with an access key
   * its IAM knows, as AWS would insist) or off (the default: any credentials work).
   */
  authenticate(on: boolean): Promise<void>;
  close(): Promise<void>;
}

/** Credentials any moto instance accepts while authentication is off. */
export const MOTO_CREDENTIALS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'moto-secret-key' } as const;

export async function startMoto(): Promise<Moto> {
  const { command, env } = JSON.parse(process.env['MESHPLANE_MOTO'] ?? 'null') as {
    command: string[];
    env: Record<string, string>;
  };
  if (!command) throw new Error('MESHPLANE_MOTO is not set: run the tests with `npm test`, which installs moto');
  // moto cannot report a port it chose: a free port is picked, and picked again when another
  // process (a test file running beside this one) took it meanwhile.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOn(await freePort(), command, env);
    } catch (err) {
      if (!(err instanceof PortTaken) || attempt >= 5) throw err;
    }
  }
}

class PortTaken extends Error {}

async function startOn(port: number, command: string[], env: Record<string, string>): Promise<Moto> {
  const [file = 'python3', ...args] = command;
  const child = spawn(file, [...args, '-H', '127.0.0.1', '-p', String(port)], {
    env: { PATH: process.env['PATH'], HOME: process.env['HOME'], ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      if (/Address already in use|is in use by another program/.test(output)) throw new PortTaken(output);
      throw new Error(`moto exited early:\n${output}`);
    }
    try {
      if ((await fetch(`${endpoint}/moto-api/`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`moto did not answer within 60 s:\n${output}`);
    }
    await sleep(100);
  }
  return {
    endpoint,
    async authenticate(on) {
      // moto's own switch: authentication applies after this many more unauthenticated requests.
      const res = await fetch(`${endpoint}/moto-api/reset-auth`, { method: 'POST', body: on ? '0' : 'inf' });
      if (!res.ok) throw new Error(`moto reset-auth: ${res.status} ${await res.text()}`);
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        // A busy moto may not stop on SIGTERM.
        const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
