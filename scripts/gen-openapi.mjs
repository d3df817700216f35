#!/usr/bin/env node
// @ts-check
// Writes docs/api/openapi.json, the OpenAPI 3.1 description of the App Mesh API generated from
// reference/appmesh-2019-01-25.service-2.json (`npm run docs:openapi`).
//
//   node scripts/gen-openapi.mjs           write docs/api/openapi.json
//   node scripts/gen-openapi.mjs --check   exit 1 if docs/api/openapi.json differs from the model
//
// Runs the built renderer: build first (`npm run docs:openapi` does). See lib/model-generated.mjs.
import { generateFromModel } from './lib/model-generated.mjs';

await generateFromModel({
  script: 'scripts/gen-openapi.mjs',
  npmScript: 'docs:openapi',
  relative: 'docs/api/openapi.json',
  renderer: 'openapi.js',
  render: (/** @type {typeof import('../src/meshes/api-model/openapi.js')} */ m, model) => m.renderOpenApiJson(model),
});
