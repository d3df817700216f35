#!/usr/bin/env node
// @ts-check
// Writes src/meshes/api-model/generated/app-mesh-types.ts, the TypeScript declarations of the App
// Mesh data types (specs, data, refs, listeners, TLS, routes, matches, ...) generated from
// reference/appmesh-2019-01-25.service-2.json (`npm run gen:types`).
//
//   node scripts/gen-types.mjs           write src/meshes/api-model/generated/app-mesh-types.ts
//   node scripts/gen-types.mjs --check   exit 1 if that file differs from the model
//
// Runs the built renderer: build first (`npm run gen:types` does). See lib/model-generated.mjs.
import { generateFromModel } from './lib/model-generated.mjs';

await generateFromModel({
  script: 'scripts/gen-types.mjs',
  npmScript: 'gen:types',
  relative: 'src/meshes/api-model/generated/app-mesh-types.ts',
  renderer: 'render-types.js',
  render: (/** @type {typeof import('../src/meshes/api-model/render-types.js')} */ m, model) =>
    m.renderAppMeshTypes(model),
});
