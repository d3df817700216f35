#!/usr/bin/env node
// @ts-check
// Writes src/meshes/api-model/generated/app-mesh-types.ts, the TypeScript declarations of the App
// Mesh data types (specs, data, refs, listeners, TLS, routes, matches, ...) generated from
// reference/appmesh-2019-01-25.service-2.json (`npm run gen:types`).
//
//   node scripts/gen-types.mjs           write src/meshes/api-model/generated/app-mesh-types.ts
//   node scripts/gen-types.mjs --check   exit 1 if that file differs from the model
//
// The generator is TypeScript, so this runs the BUILT one (dist/meshes/api-model/): build first
// (`npm run build`; `npm run gen:types` does). The source is formatted with the project's
// Prettier settings, so `prettier --check .` accepts the file as written.
// Exit codes: 0 ok, 1 out of date, 2 usage or missing build.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as prettier from 'prettier';

const relative = 'src/meshes/api-model/generated/app-mesh-types.ts';
const target = fileURLToPath(new URL(`../${relative}`, import.meta.url));
const built = {
  renderTypes: fileURLToPath(new URL('../dist/meshes/api-model/render-types.js', import.meta.url)),
  model: fileURLToPath(new URL('../dist/meshes/api-model/app-mesh-model.js', import.meta.url)),
};

const args = process.argv.slice(2);
const check = args.includes('--check');
if (args.some((a) => a !== '--check')) {
  console.error('Usage: node scripts/gen-types.mjs [--check]');
  process.exit(2);
}
for (const file of Object.values(built)) {
  if (!existsSync(file)) {
    console.error(`${file} does not exist: run \`npm run build\` first (or \`npm run gen:types\`).`);
    process.exit(2);
  }
}

/** @type {typeof import('../src/meshes/api-model/render-types.js')} */
const { renderAppMeshTypes } = await import(pathToFileURL(built.renderTypes).href);
/** @type {typeof import('../src/meshes/api-model/app-mesh-model.js')} */
const { AppMeshModel } = await import(pathToFileURL(built.model).href);

const options = (await prettier.resolveConfig(target)) ?? {};
const rendered = await prettier.format(renderAppMeshTypes(AppMeshModel.load()), { ...options, filepath: target });

if (check) {
  const current = existsSync(target) ? readFileSync(target, 'utf8') : undefined;
  if (current !== rendered) {
    console.error(
      `${relative} is ${current === undefined ? 'missing' : 'out of date with the App Mesh model'}.\n` +
        'Regenerate it with: npm run gen:types',
    );
    process.exit(1);
  }
  console.log(`${relative} matches the App Mesh model.`);
} else {
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, rendered);
  console.log(`Wrote ${relative}.`);
}
