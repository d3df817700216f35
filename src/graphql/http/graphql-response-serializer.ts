import type { FastifySerializerCompiler } from 'fastify';

/**
 * The serializer of the /graphql route's responses: `JSON.stringify`, in place of the one Fastify
 * compiles from Mercurius' response schema. That schema (mercurius/lib/routes.js) types the items
 * of an error's `path` as strings, so a list index left as `"1"`, where the GraphQL spec (7.1.2,
 * "Path") wants the integer 1; clients that match a path against their data would miss it. A
 * response is `{data, errors, extensions}` already made of JSON values by the engine and the
 * error formatter, so plain JSON serialization loses nothing (the schema's `data` was free-form).
 */
export const graphqlResponseSerializer: FastifySerializerCompiler<unknown> = () => (data) => JSON.stringify(data);
