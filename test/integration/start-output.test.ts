// What a newcomer sees from `npm start`: the pieces that decide what it prints. Preparation steps
// print one line each (a command's own output only when it fails), local secrets are generated
// without a warning, Nest's start-up chatter is at debug, and the banner comes last.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bannerLines } from '../../scripts/lib/banner.mjs';
import { recreateDatabase } from '../../scripts/lib/database.mjs';
import { applyMigrations } from '../../scripts/lib/migrations.mjs';
import { ensureLocalSecrets } from '../../scripts/lib/local-env.mjs';
import { runCaptured } from '../../scripts/lib/run.mjs';
import { STARTUP_CONTEXTS } from '../../src/platform/logging/startup-chatter.js';
import { freePort, spawnNode, waitFor200, type Spawned } from '../support/processes.js';
import { freePorts } from '../support/envoy.js';
import { testEnv } from '../support/test-config.js';

const demo = {
  accountId: '123456789012',
  accessKey: { accessKeyId: 'MPAKEXAMPLE', secretAccessKey: 'secret' },
  apiToken: { token: 'mpt_example' },
};

describe('the banner', () => {
  it('says where everything is and ends with the docs line', () => {
    const lines = bannerLines({
      port: 8080,
      xdsPort: 18000,
      adminToken: 'mpa_x',
      demo,
      region: 'eu-west-1',
      explorer: true,
    });
    expect(lines.slice(-2)).toEqual(['  Docs: README.md, docs/', '']);
    const text = lines.join('\n');
    for (const part of [
      'http://localhost:8080/console',
      'http://localhost:8080/v20190125',
      'http://localhost:8080/v1 ',
      'http://localhost:8080/admin/v1',
      'http://localhost:8080/graphql ',
      'explorer http://localhost:8080/graphiql',
      'localhost:18000',
      'Operator token mpa_x',
      'AWS_ACCESS_KEY_ID=MPAKEXAMPLE',
      'AWS_REGION=eu-west-1',
      "curl -H 'Authorization: Bearer mpt_example' http://localhost:8080/v1/account",
    ])
      expect(text).toContain(part);
    expect(text).not.toMatch(/warn/i);
  });

  it('leaves the demo out when there is none', () => {
    const lines = bannerLines({
      port: 8080,
      xdsPort: 18000,
      adminToken: 'mpa_x',
      demo: undefined,
      region: 'us-east-1',
    });
    expect(lines.join('\n')).not.toContain('Demo tenant');
    expect(lines.join('\n')).not.toContain('/graphiql');
    expect(lines.slice(-2)).toEqual(['  Docs: README.md, docs/', '']);
  });
});

describe('preparation steps', () => {
  const root = mkdtempSync(join(tmpdir(), 'meshplane-start-'));
  const saved = { MESH_ADMIN_TOKEN: process.env['MESH_ADMIN_TOKEN'], MESH_MASTER_KEY: process.env['MESH_MASTER_KEY'] };
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
    for (const [k, v] of Object.entries(saved)) if (v !== undefined) process.env[k] = v;
  });

  it("keep a successful command's output to themselves", async () => {
    const output = await runCaptured(process.execPath, [
      '-e',
      'for (let i = 0; i < 200; i++) console.log(`npm warn ${i}`)',
    ]);
    expect(output.trimEnd().split('\n')).toHaveLength(200);
  });

  it("give a failed command's last lines as the hint", async () => {
    const failing = runCaptured(process.execPath, [
      '-e',
      'for (let i = 0; i < 100; i++) console.log(`line ${i}`); console.error("ERESOLVE could not resolve"); process.exit(3)',
    ]);
    await expect(failing).rejects.toThrow(/failed \(exit 3\)/);
    const hint = (await failing.catch((e: Error & { hint: string }) => e.hint)) as string;
    expect(hint).toContain('ERESOLVE could not resolve');
    expect(hint).toContain('line 99');
    expect(hint).not.toContain('line 0\n'); // the tail, not everything
  });

  it('generate the local secrets with one line of progress, not a warning, and only the first time', () => {
    delete process.env['MESH_ADMIN_TOKEN'];
    delete process.env['MESH_MASTER_KEY'];
    const first: string[] = [];
    const secrets = ensureLocalSecrets(root, (m) => first.push(m));
    expect(first).toHaveLength(1);
    expect(first[0]).toMatch(/^generated MESH_ADMIN_TOKEN and MESH_MASTER_KEY for local use into \.data\/local\.env/);
    expect(first[0]).not.toMatch(/warn/i);
    const again: string[] = [];
    expect(ensureLocalSecrets(root, (m) => again.push(m))).toEqual(secrets);
    expect(again).toEqual([]);
  });
});

describe("the server's start-up log", () => {
  let proc: Spawned | undefined;
  // Its own database and queue prefix: the worker role it starts runs whatever it finds (EC2 sync
  // sources, meshes to compile), and other test files' leftovers would log warnings of their own.
  const isolated = { DATABASE_URL: '', QUEUE_PREFIX: `startlog-${randomBytes(4).toString('hex')}` };
  beforeAll(async () => {
    const url = new URL(process.env['DATABASE_URL'] ?? '');
    url.pathname = `/startlog_${randomBytes(4).toString('hex')}`;
    isolated.DATABASE_URL = url.toString();
    await recreateDatabase(isolated.DATABASE_URL);
    await applyMigrations(isolated.DATABASE_URL, {
      migrationsDir: join(process.cwd(), 'prisma', 'migrations'),
      log: () => undefined,
    });
  });
  afterAll(async () => {
    if (!isolated.DATABASE_URL) return;
    const admin = new URL(isolated.DATABASE_URL);
    const name = admin.pathname.slice(1);
    admin.pathname = '/postgres';
    const client = new pg.Client({ connectionString: admin.toString() });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).finally(() => client.end());
  });
  afterEach(async () => {
    if (proc && proc.child.exitCode === null) {
      proc.child.kill('SIGTERM');
      await proc.exited;
    }
  });

  /** Starts every role in one process, as `npm start` does, and returns its log lines once ready. */
  async function startUpLog(logLevel: string): Promise<{ context?: string; level: number; msg: string }[]> {
    const [http, xds] = (await freePorts(2)) as [number, number];
    proc = spawnNode(
      'dist/main.js',
      [],
      testEnv({ ...isolated, PORT: String(http), XDS_PORT: String(xds), LOG_LEVEL: logLevel }),
    );
    await waitFor200(`http://127.0.0.1:${http}/readyz`, proc);
    return proc
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { context?: string; level: number; msg: string });
  }

  it('has no line per module or route at info, and no warning', async () => {
    const lines = await startUpLog('info');
    expect(lines.filter((l) => STARTUP_CONTEXTS.has(l.context ?? ''))).toEqual([]);
    expect(lines.filter((l) => l.level >= 40)).toEqual([]);
    // Nor one of Node's process warnings (a library's deprecation or misuse notice), which are not log lines.
    expect(proc!.output()).not.toMatch(/Warning/);
    expect(lines.map((l) => l.msg)).toContain('Nest application successfully started');
    expect(lines.length).toBeLessThanOrEqual(5);
  });

  it('shows them at debug', async () => {
    const lines = await startUpLog('debug');
    const routes = lines.filter((l) => l.context === 'RouterExplorer');
    expect(routes.length).toBeGreaterThan(20);
    expect(routes.every((l) => l.level === 20)).toBe(true);
    expect(routes.map((l) => l.msg)).toContain('Mapped {/v20190125/meshes, GET} route');
  });
});
