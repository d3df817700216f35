import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { printGraphqlSchema, SCHEMA_FILE } from './schema/print-schema.js';

describe('the committed GraphQL schema', () => {
  it(`${SCHEMA_FILE} is what the code-first resolvers print (run \`npm run gen:graphql\` after changing them)`, async () => {
    const committed = readFileSync(SCHEMA_FILE, 'utf8');
    expect(committed).toBe(await printGraphqlSchema());
  });
});
