#!/usr/bin/env node
// @ts-check
// Writes docs/configuration.md from the config schema (`npm run docs:config`).
//
//   node scripts/gen-config-docs.mjs           write docs/configuration.md
//   node scripts/gen-config-docs.mjs --check   exit 1 if docs/configuration.md differs from the schema
//
// The schema is TypeScript, so this renders with the BUILT renderer (dist/config/config-docs.js):
// build first (`npm run build`; `npm run docs:config` and `npm run check` do).
// Exit codes: 0 ok, 1 out of date, 2 usage or missing build.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const target = fileURLToPath(new URL('../docs/configuration.md', import.meta.url));
const renderer = fileURLToPath(new URL('../dist/config/config-docs.js', import.meta.url));

const args = process.argv.slice(2);
const check = args.includes('--check');
if (args.some((a) => a !== '--check')) {
  console.error('Usage: node scripts/gen-config-docs.mjs [--check]');
  process.exit(2);
}
if (!existsSync(renderer)) {
  console.error(`${renderer} does not exist: run \`npm run build\` first (or \`npm run docs:config\`).`);
  process.exit(2);
}

/** @type {typeof import('../src/config/config-docs.js')} */
const { renderConfigurationDoc } = await import(pathToFileURL(renderer).href);
const rendered = renderConfigurationDoc();

if (check) {
  const current = existsSync(target) ? readFileSync(target, 'utf8') : undefined;
  if (current !== rendered) {
    console.error(
      `docs/configuration.md is ${current === undefined ? 'missing' : 'out of date with src/config/config.schema.ts'}.\n` +
        'Regenerate it with: npm run docs:config',
    );
    process.exit(1);
  }
  console.log('docs/configuration.md matches src/config/config.schema.ts.');
} else {
  writeFileSync(target, rendered);
  console.log('Wrote docs/configuration.md.');
}
