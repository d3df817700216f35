/**
 * Specs travel as JSON values in this first slice of the API; typed inputs and outputs mirroring
 * the App Mesh shapes are a later one (docs/api/graphql.md). graphql-scalars' JSON scalar
 * serializes any JSON value as is.
 */
export { GraphQLJSON as JsonScalar } from 'graphql-scalars';
