#!/usr/bin/env node
// @ts-check
// Writes console/src/forms/generated/form-schema.json, the schema the web console's forms are
// rendered and checked from (ADR 0027), generated from reference/appmesh-2019-01-25.service-2.json
// by the same model code the API's validator is compiled from (`npm run gen:console`).
//
//   node scripts/gen-console-schema.mjs           write the file
//   node scripts/gen-console-schema.mjs --check   exit 1 if that file differs from the model
//
// The generator is TypeScript, so this runs the BUILT one (dist/meshes/api-model/): build first.
// Exit codes: 0 ok, 1 out of date, 2 usage or missing build.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as prettier from 'prettier';

const relative = 'console/src/forms/generated/form-schema.json';
const target = fileURLToPath(new URL(`../${relative}`, import.meta.url));
const built = {
  formSchema: fileURLToPath(new URL('../dist/meshes/api-model/form-schema.js', import.meta.url)),
  model: fileURLToPath(new URL('../dist/meshes/api-model/app-mesh-model.js', import.meta.url)),
};

const args = process.argv.slice(2);
const check = args.includes('--check');
if (args.some((a) => a !== '--check')) {
  console.error('Usage: node scripts/gen-console-schema.mjs [--check]');
  process.exit(2);
}
for (const file of Object.values(built)) {
  if (!existsSync(file)) {
    console.error(`${file} does not exist: run \`npm run build\` first (or \`npm run gen:console\`).`);
    process.exit(2);
  }
}

/** @type {typeof import('../src/meshes/api-model/form-schema.js')} */
const { renderFormSchema } = await import(pathToFileURL(built.formSchema).href);
/** @type {typeof import('../src/meshes/api-model/app-mesh-model.js')} */
const { AppMeshModel } = await import(pathToFileURL(built.model).href);

const options = (await prettier.resolveConfig(target)) ?? {};
const rendered = await prettier.format(JSON.stringify(renderFormSchema(AppMeshModel.load())), {
  ...options,
  filepath: target,
});

if (check) {
  const current = existsSync(target) ? readFileSync(target, 'utf8') : undefined;
  if (current !== rendered) {
    console.error(
      `${relative} is ${current === undefined ? 'missing' : 'out of date with the App Mesh model'}.\n` +
        'Regenerate it with: npm run gen:console',
    );
    process.exit(1);
  }
  console.log(`${relative} matches the App Mesh model.`);
} else {
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, rendered);
  console.log(`Wrote ${relative}.`);
}
