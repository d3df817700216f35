#!/usr/bin/env node
// @ts-check
// Writes console/src/forms/generated/form-schema.json, the schema the web console's forms are
// rendered and checked from (ADR 0027), generated from reference/appmesh-2019-01-25.service-2.json
// by the same model code the API's validator is compiled from (`npm run gen:console`).
//
//   node scripts/gen-console-schema.mjs           write the file
//   node scripts/gen-console-schema.mjs --check   exit 1 if that file differs from the model
//
// Runs the built renderer: build first. See lib/model-generated.mjs.
import { generateFromModel } from './lib/model-generated.mjs';

await generateFromModel({
  script: 'scripts/gen-console-schema.mjs',
  npmScript: 'gen:console',
  relative: 'console/src/forms/generated/form-schema.json',
  renderer: 'form-schema.js',
  render: (/** @type {typeof import('../src/meshes/api-model/form-schema.js')} */ m, model) =>
    JSON.stringify(m.renderFormSchema(model)),
});
