// @ts-check
// The web console (console/, ADR 0020): bundled by Vite into dist/console-assets, which the api
// role serves at /console. `npm start`, `npm test` and `npm run check` all call it through
// build(); it is skipped when nothing it is built from changed since the last build.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Where the built console lands; src/console/console-assets.ts serves it from there. */
export const CONSOLE_OUT_DIR = join('dist', 'console-assets');

/**
 * What the bundle depends on: every file under console/ (sources, index.html, styles, the
 * generated form schema), the server's sources the forms bundle (the API's validator and its
 * messages: src/meshes/api-model and src/common/validation, ADR 0027), the lockfile (versions of
 * Preact, dagre and Vite) and this file (the Vite options).
 * @param {string} root
 */
export function consoleInputsHash(root) {
  const hash = createHash('sha256');
  const files = [];
  const walk = (/** @type {string} */ dir) => {
    for (const entry of readdirSync(dir).sort()) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else files.push(path);
    }
  };
  walk(join(root, 'console'));
  walk(join(root, 'src', 'meshes', 'api-model'));
  walk(join(root, 'src', 'common', 'validation'));
  files.push(join(root, 'package-lock.json'), join(root, 'scripts', 'lib', 'console-build.mjs'));
  for (const file of files) hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  return hash.digest('hex');
}

/**
 * Builds the console unless dist/console-assets already holds a build of the same inputs.
 * @param {string} root
 * @param {{ force?: boolean }} [options]
 */
export async function buildConsole(root, options = {}) {
  const outDir = join(root, CONSOLE_OUT_DIR);
  const stamp = join(outDir, '.inputs.sha256');
  const want = consoleInputsHash(root);
  if (!options.force && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === want) return;
  const { build } = await import('vite');
  await build({
    root: join(root, 'console'),
    base: '/console/',
    configFile: false,
    logLevel: 'warn',
    // Preact's automatic JSX runtime: Oxc (Vite's transformer) compiles the .tsx, no plugin needed.
    oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
    build: {
      outDir,
      emptyOutDir: true,
      // File names carry a content hash, so the server can let browsers cache them for good.
      assetsDir: 'assets',
      // No inline polyfill script: the CSP allows scripts from 'self' only.
      modulePreload: { polyfill: false },
      sourcemap: true,
      target: 'es2022',
      reportCompressedSize: false,
    },
  });
  writeFileSync(stamp, `${want}\n`);
}
