import { NestFactory } from '@nestjs/core';
import { GraphQLSchemaBuilderModule, GraphQLSchemaFactory } from '@nestjs/graphql';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import * as prettier from 'prettier';
import { GRAPHQL_RESOLVERS } from '../graphql.module.js';

/** Where the printed schema is committed, relative to the repository root. */
export const SCHEMA_FILE = 'src/graphql/schema.gql';

const HEADER =
  "# The GraphQL API's schema, printed from the code-first resolvers: `npm run gen:graphql`.\n# Do not edit: src/graphql/schema.spec.ts fails when this file drifts from the code.\n\n";

/**
 * The schema the api role serves, as SDL: built from the same resolver classes, with the same
 * options (sorted), without booting the application (no database or Redis is needed).
 */
export async function printGraphqlSchema(): Promise<string> {
  return formatSdl(printSchema(lexicographicSortSchema(await buildGraphqlSchema())));
}

/** The schema the api role serves, built from the resolver classes without booting the application. */
export async function buildGraphqlSchema(): Promise<GraphQLSchema> {
  const app = await NestFactory.createApplicationContext(GraphQLSchemaBuilderModule, { logger: false });
  try {
    return await app.get(GraphQLSchemaFactory).create([...GRAPHQL_RESOLVERS]);
  } finally {
    await app.close();
  }
}

/** SDL as committed: with its header, in the project's Prettier style (so `prettier --check` agrees). */
export async function formatSdl(sdl: string): Promise<string> {
  return prettier.format(HEADER + sdl, { parser: 'graphql', ...(await prettier.resolveConfig(SCHEMA_FILE)) });
}
