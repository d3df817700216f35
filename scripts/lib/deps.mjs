// @ts-check
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCaptured } from './run.mjs';

/**
 * Installs npm dependencies when node_modules is missing or was installed from another
 * package-lock.json. Uses only Node built-ins: it runs before anything is installed. npm's own
 * output (deprecation notices, the package count) is shown only when the install fails.
 * @param {string} root
 * @param {(msg: string) => void} log
 */
export async function ensureDependencies(root, log) {
  const lock = join(root, 'package-lock.json');
  const stamp = join(root, 'node_modules', '.meshplane-lock.sha256');
  const want = createHash('sha256').update(readFileSync(lock)).digest('hex');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === want) return;
  log('npm: installing dependencies (npm ci)...');
  await runCaptured('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: root });
  writeFileSync(stamp, `${want}\n`);
}
