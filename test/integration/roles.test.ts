import { connect } from 'node:net';
import { AppMeshClient, CreateMeshCommand } from '@aws-sdk/client-app-mesh';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, spawnNode, waitFor200, type Spawned } from '../support/processes.js';
import { freePorts } from '../support/envoy.js';
import { testEnv } from '../support/test-config.js';

/** The entry files as production runs them: each role in its own process, from the build. */
describe('role processes', () => {
  const running: Spawned[] = [];
  afterEach(() => {
    for (const p of running.splice(0)) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  });

  async function portClosed(port: number): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', () => resolve(true));
    });
  }

  it.each([
    ['api', 'dist/main.api.js', 'PORT'],
    ['worker', 'dist/main.worker.js', 'WORKER_HTTP_PORT'],
    ['xds', 'dist/main.xds.js', 'XDS_HTTP_PORT'],
    ['all roles', 'dist/main.js', 'PORT'],
  ])(
    '%s: becomes ready, then drains and exits 0 on SIGTERM within the shutdown bound',
    async (_role, script, portVar) => {
      const [http, xds] = (await freePorts(2)) as [number, number];
      const proc = spawnNode(script, [], {
        ...testEnv(),
        [portVar]: String(http),
        XDS_PORT: String(xds),
        LOG_LEVEL: 'info',
        SHUTDOWN_TIMEOUT_MS: '5000',
      });
      running.push(proc);
      await waitFor200(`http://127.0.0.1:${http}/readyz`, proc);

      const started = Date.now();
      proc.child.kill('SIGTERM');
      expect(await proc.exited).toBe(0);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(proc.output()).toContain('stopped after SIGTERM');
      expect(await portClosed(http)).toBe(true);
      // Logs are JSON lines.
      const firstLine = proc
        .output()
        .split('\n')
        .find((l) => l.startsWith('{'));
      expect(JSON.parse(firstLine ?? 'null')).toMatchObject({ level: expect.any(Number), msg: expect.any(String) });
    },
  );

  it('finishes the requests in flight when SIGTERM arrives: none fails with an internal error', async () => {
    const [http, xds] = (await freePorts(2)) as [number, number];
    const env: NodeJS.ProcessEnv = {
      ...testEnv(),
      PORT: String(http),
      XDS_PORT: String(xds),
      SHUTDOWN_TIMEOUT_MS: '5000',
    };
    const proc = spawnNode('dist/main.api.js', [], env);
    running.push(proc);
    await waitFor200(`http://127.0.0.1:${http}/readyz`, proc);
    const created = await fetch(`http://127.0.0.1:${http}/admin/v1/tenants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${env['MESH_ADMIN_TOKEN']}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: `drain-${xds}`, plan: 'enterprise' }),
    }).then((r) => r.json() as Promise<{ accessKey: { accessKeyId: string; secretAccessKey: string } }>);
    const client = new AppMeshClient({
      endpoint: `http://127.0.0.1:${http}`,
      region: 'us-east-1',
      credentials: created.accessKey,
      maxAttempts: 1,
    });

    let firstDone: () => void = () => undefined;
    const first = new Promise<void>((resolve) => (firstDone = resolve));
    const inFlight = Array.from({ length: 40 }, (_, i) =>
      client.send(new CreateMeshCommand({ meshName: `drain-${i}` })).then(
        () => {
          firstDone();
          return 'ok';
        },
        (err: Error) => err.name,
      ),
    );
    // SIGTERM as soon as the first create has answered: the others are in flight or queued.
    await first;
    proc.child.kill('SIGTERM');
    const outcomes = await Promise.all(inFlight);
    expect(await proc.exited, proc.output().slice(-2000)).toBe(0);
    // Finished, refused as the server closed (503 or a refused connection): never an internal error.
    expect(outcomes.filter((o) => o === 'InternalServerErrorException')).toEqual([]);
    expect(outcomes).toContain('ok');
  });

  it('refuses to start with invalid configuration, listing every problem (exit 78)', async () => {
    const proc = spawnNode('dist/main.api.js', [], {
      ...testEnv(),
      PORT: 'eighty',
      MESH_MASTER_KEY: 'nope',
      MESH_ADMIN_TOKEN: '',
    });
    running.push(proc);
    expect(await proc.exited).toBe(78);
    const out = proc.output();
    expect(out).toContain('PORT must be a TCP port (1-65535) (got "eighty")');
    expect(out).toContain('MESH_ADMIN_TOKEN is required');
    expect(out).toContain('MESH_MASTER_KEY must be 32 random bytes in base64');
    expect(out).not.toContain('nope');
  });
});
