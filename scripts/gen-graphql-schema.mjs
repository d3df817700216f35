#!/usr/bin/env node
// @ts-check
// Writes src/graphql/schema.gql, the GraphQL API's SDL printed from the code-first resolvers
// (`npm run gen:graphql`). The printer is TypeScript, so this runs the BUILT one (dist/graphql/):
// build first (`npm run gen:graphql` does).
//
//   node scripts/gen-graphql-schema.mjs           write src/graphql/schema.gql
//   node scripts/gen-graphql-schema.mjs --check   exit 1 if that file differs from the code
// Exit codes: 0 ok, 1 out of date, 2 usage or missing build.
import 'reflect-metadata';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const printer = fileURLToPath(new URL('../dist/graphql/schema/print-schema.js', import.meta.url));
const args = process.argv.slice(2);
const check = args.includes('--check');
if (args.some((a) => a !== '--check')) {
  console.error('Usage: node scripts/gen-graphql-schema.mjs [--check]');
  process.exit(2);
}
if (!existsSync(printer)) {
  console.error(`${printer} does not exist: run \`npm run build\` first (or \`npm run gen:graphql\`).`);
  process.exit(2);
}
/** @type {typeof import('../src/graphql/schema/print-schema.js')} */
const { printGraphqlSchema, SCHEMA_FILE } = await import(pathToFileURL(printer).href);
const target = fileURLToPath(new URL(`../${SCHEMA_FILE}`, import.meta.url));
const sdl = await printGraphqlSchema();
const current = existsSync(target) ? readFileSync(target, 'utf8') : '';
if (check) {
  if (current !== sdl) {
    console.error(`${SCHEMA_FILE} is out of date: run \`npm run gen:graphql\`.`);
    process.exit(1);
  }
} else if (current !== sdl) {
  writeFileSync(target, sdl);
  console.log(`wrote ${SCHEMA_FILE}`);
}
