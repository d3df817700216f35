#!/usr/bin/env node
// @ts-check
// Writes docs/api/openapi.json, the OpenAPI 3.1 description of the App Mesh API generated from
// reference/appmesh-2019-01-25.service-2.json (`npm run docs:openapi`).
//
//   node scripts/gen-openapi.mjs           write docs/api/openapi.json
//   node scripts/gen-openapi.mjs --check   exit 1 if docs/api/openapi.json differs from the model
//
// The generator is TypeScript, so this runs the BUILT one (dist/meshes/api-model/): build first
// (`npm run build`; `npm run docs:openapi` does). The JSON is formatted with the project's
// Prettier settings, so `prettier --check .` accepts the file as written.
// Exit codes: 0 ok, 1 out of date, 2 usage or missing build.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as prettier from 'prettier';

const target = fileURLToPath(new URL('../docs/api/openapi.json', import.meta.url));
const built = {
  openapi: fileURLToPath(new URL('../dist/meshes/api-model/openapi.js', import.meta.url)),
  model: fileURLToPath(new URL('../dist/meshes/api-model/app-mesh-model.js', import.meta.url)),
};

const args = process.argv.slice(2);
const check = args.includes('--check');
if (args.some((a) => a !== '--check')) {
  console.error('Usage: node scripts/gen-openapi.mjs [--check]');
  process.exit(2);
}
for (const file of Object.values(built)) {
  if (!existsSync(file)) {
    console.error(`${file} does not exist: run \`npm run build\` first (or \`npm run docs:openapi\`).`);
    process.exit(2);
  }
}

/** @type {typeof import('../src/meshes/api-model/openapi.js')} */
const { renderOpenApiJson } = await import(pathToFileURL(built.openapi).href);
/** @type {typeof import('../src/meshes/api-model/app-mesh-model.js')} */
const { AppMeshModel } = await import(pathToFileURL(built.model).href);

const options = (await prettier.resolveConfig(target)) ?? {};
const rendered = await prettier.format(renderOpenApiJson(AppMeshModel.load()), { ...options, filepath: target });

if (check) {
  const current = existsSync(target) ? readFileSync(target, 'utf8') : undefined;
  if (current !== rendered) {
    console.error(
      `docs/api/openapi.json is ${current === undefined ? 'missing' : 'out of date with the App Mesh model'}.\n` +
        'Regenerate it with: npm run docs:openapi',
    );
    process.exit(1);
  }
  console.log('docs/api/openapi.json matches the App Mesh model.');
} else {
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, rendered);
  console.log('Wrote docs/api/openapi.json.');
}
