// @ts-check
// The files generated from the App Mesh model (reference/appmesh-2019-01-25.service-2.json): each
// generator script names its file and how to render it, and this writes the file, or with
// `--check` exits 1 when the file on disk differs from what the model gives now.
//
// The renderers are TypeScript, so this runs the BUILT ones (dist/meshes/api-model/): build first
// (the npm scripts do). The output is formatted with the project's Prettier settings, so
// `prettier --check .` accepts the file as written. Exit codes: 0 ok, 1 out of date, 2 usage or
// missing build.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as prettier from 'prettier';

const root = dirname(dirname(dirname(fileURLToPath(import.meta.url))));

/**
 * @param {object} o
 * @param {string} o.script the generator, for its usage line (`scripts/gen-types.mjs`)
 * @param {string} o.npmScript the npm script that regenerates the file (`gen:types`)
 * @param {string} o.relative the generated file, from the repository's root
 * @param {string} o.renderer the built module that renders it, under dist/meshes/api-model/
 * @param {(renderer: any, model: import('../../src/meshes/api-model/app-mesh-model.js').AppMeshModel) => string} o.render
 *   its text, from that module and the loaded model
 */
export async function generateFromModel({ script, npmScript, relative, renderer, render }) {
  const target = join(root, relative);
  const built = [join(root, 'dist/meshes/api-model', renderer), join(root, 'dist/meshes/api-model/app-mesh-model.js')];
  const args = process.argv.slice(2);
  const check = args.includes('--check');
  if (args.some((a) => a !== '--check')) {
    console.error(`Usage: node ${script} [--check]`);
    process.exit(2);
  }
  for (const file of built) {
    if (!existsSync(file)) {
      console.error(`${file} does not exist: run \`npm run build\` first (or \`npm run ${npmScript}\`).`);
      process.exit(2);
    }
  }
  const [module, { AppMeshModel }] = await Promise.all(built.map((file) => import(pathToFileURL(file).href)));
  const options = (await prettier.resolveConfig(target)) ?? {};
  const rendered = await prettier.format(render(module, AppMeshModel.load()), { ...options, filepath: target });

  if (check) {
    const current = existsSync(target) ? readFileSync(target, 'utf8') : undefined;
    if (current !== rendered) {
      console.error(
        `${relative} is ${current === undefined ? 'missing' : 'out of date with the App Mesh model'}.\n` +
          `Regenerate it with: npm run ${npmScript}`,
      );
      process.exit(1);
    }
    console.log(`${relative} matches the App Mesh model.`);
  } else {
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, rendered);
    console.log(`Wrote ${relative}.`);
  }
}
