// @ts-check
// `npm run check`: every quality gate in one command — formatting, types, import rules (no cycles,
// layers one way), generated files that must match their sources (configuration reference,
// OpenAPI, App Mesh types, the GraphQL schema, the Envoy proto set, migrations). Exits non-zero on any.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, generatePrismaClient } from './lib/build.mjs';
import { checkImports } from './lib/import-graph.mjs';
import { run } from './lib/run.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const bin = (/** @type {string} */ name) => join(root, 'node_modules', '.bin', name);

/** @type {[string, () => Promise<void>][]} */
const gates = [
  ['format (prettier)', () => run(bin('prettier'), ['--check', '--log-level', 'warn', '.'], { cwd: root })],
  [
    'types (tsc, tests and scripts included)',
    // src/ imports the generated Prisma client: generate it first when the schema changed (or on
    // a fresh clone), or the types of every model added since would be missing.
    async () => {
      await generatePrismaClient(root);
      await run(bin('tsc'), ['-p', 'tsconfig.json', '--noEmit'], { cwd: root });
    },
  ],
  [
    'types of the console (tsc, console/tsconfig.json)',
    () => run(bin('tsc'), ['-p', 'console/tsconfig.json'], { cwd: root }),
  ],
  ['build (server and console)', () => build(root)],
  // After the build, which generates the Prisma client that src/ imports.
  ['imports: no cycles, layers one way (docs/architecture.md)', () => checkImports(root)],
  [
    'docs/configuration.md matches the config schema',
    () => run(process.execPath, ['scripts/gen-config-docs.mjs', '--check'], { cwd: root }),
  ],
  [
    'docs/api/openapi.json matches the App Mesh model',
    () => run(process.execPath, ['scripts/gen-openapi.mjs', '--check'], { cwd: root }),
  ],
  [
    'App Mesh types match the App Mesh model',
    () => run(process.execPath, ['scripts/gen-types.mjs', '--check'], { cwd: root }),
  ],
  [
    "the console's form schema matches the App Mesh model",
    () => run(process.execPath, ['scripts/gen-console-schema.mjs', '--check'], { cwd: root }),
  ],
  [
    'src/graphql/schema.gql matches the GraphQL resolvers',
    () => run(process.execPath, ['scripts/gen-graphql-schema.mjs', '--check'], { cwd: root }),
  ],
  [
    'protos/envoy-api.binpb matches the pinned go-control-plane release (needs Go)',
    () => run(process.execPath, ['scripts/gen-protos.mjs', '--check'], { cwd: root }),
  ],
  ['migrations match prisma/schema.prisma', () => run(process.execPath, ['scripts/db.mjs', 'check'], { cwd: root })],
];

let failed = 0;
for (const [name, gate] of gates) {
  try {
    await gate();
    process.stderr.write(`ok    ${name}\n`);
  } catch {
    failed++;
    process.stderr.write(`FAIL  ${name}\n`);
  }
}
process.exit(failed === 0 ? 0 : 1);
