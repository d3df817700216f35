// @ts-check
// `npm run docs:console`: regenerates the screenshots of the console's main pages in docs/console/.
// They are taken by the console's own browser test (test/integration/console-e2e.test.ts), which
// already walks every page against the real app, Envoy and Chromium: the pictures show what the
// test checked, and no second set of steps can drift from it.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const child = spawn(process.execPath, [join(root, 'scripts', 'test.mjs'), 'test/integration/console-e2e.test.ts'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, MESHPLANE_CONSOLE_SCREENSHOTS: join(root, 'docs', 'console') },
});
child.on('exit', (code) => process.exit(code ?? 1));
