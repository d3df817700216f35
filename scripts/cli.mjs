// @ts-check
// `npm run cli -- <command>`: the operator CLI (dist/cli.js), with the local services'
// settings from .data/local.env when the environment does not provide them.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from './lib/build.mjs';
import { readLocalEnv } from './lib/local-env.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
await build(root);
const env = { ...readLocalEnv(root), ...process.env };
const child = spawn(
  process.execPath,
  ['--enable-source-maps', join(root, 'dist', 'cli.js'), ...process.argv.slice(2)],
  { env, stdio: 'inherit' },
);
child.on('exit', (code) => process.exit(code ?? 1));
