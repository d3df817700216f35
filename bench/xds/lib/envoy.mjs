// @ts-check
// One real Envoy as a witness next to the simulated proxies: started from a bootstrap the API
// generated, it shows that what the simulated proxies ACK is also what a real Envoy accepts, and
// when a change reaches it.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { onCleanup } from './stack.mjs';

/** The Envoy binary `npm test` installs (or MESHPLANE_ENVOY). */
export function envoyBinary(/** @type {string} */ root) {
  const candidates = [process.env['MESHPLANE_ENVOY'], join(root, '.data/tools/envoy/envoy/_bin/envoy')];
  return candidates.find((c) => c && existsSync(c));
}

/**
 * @param {{ binary: string, bootstrap: any, adminPort: number, log: (msg: string) => void }} o
 */
export async function startEnvoy({ binary, bootstrap, adminPort, log }) {
  const dir = mkdtempSync(join(tmpdir(), 'meshplane-bench-envoy-'));
  const config = join(dir, 'envoy.yaml');
  // Quoted strings: Envoy's YAML 1.1 reader would take a plain `yes` for a boolean.
  writeFileSync(
    config,
    stringify(bootstrap, { defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN', lineWidth: 0 }),
  );
  const logFile = join(dir, 'envoy.log');
  const fd = openSync(logFile, 'w');
  const child = spawn(
    binary,
    ['-c', config, '--log-level', 'warn', '--concurrency', '1', '--disable-hot-restart', '--drain-time-s', '1'],
    { stdio: ['ignore', fd, fd] },
  );
  closeSync(fd);
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  onCleanup(kill);
  const admin = async (/** @type {string} */ path) => {
    const res = await fetch(`http://127.0.0.1:${adminPort}${path}`);
    return { status: res.status, text: await res.text() };
  };
  const logs = () => {
    try {
      return readFileSync(logFile, 'utf8');
    } catch {
      return '';
    }
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`envoy exited (${child.exitCode}):\n${logs()}`);
    try {
      if ((await admin('/ready')).status === 200) break;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) {
      kill();
      throw new Error(`envoy was not ready within 60 s:\n${logs().slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  log(`witness envoy ready (pid ${child.pid}, admin ${adminPort})`);
  return {
    pid: child.pid ?? 0,
    /** Whether Envoy's dynamic route configurations contain `text` (e.g. a route marker). */
    async routesContain(/** @type {string} */ text) {
      return (await admin('/config_dump?resource=dynamic_route_configs')).text.includes(text);
    },
    /** Counters and gauges, name → value. */
    async stats() {
      const { text } = await admin('/stats');
      /** @type {Record<string, number>} */
      const out = {};
      for (const line of text.split('\n')) {
        const m = /^([^:]+): (\d+)$/.exec(line);
        if (m && m[1] && m[2]) out[m[1]] = Number(m[2]);
      }
      return out;
    },
    logs,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => {
          const t = setTimeout(() => {
            kill();
            r(undefined);
          }, 5_000);
          child.once('exit', () => {
            clearTimeout(t);
            r(undefined);
          });
        });
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
