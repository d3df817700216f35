import { GraphQLError, parse, specifiedRules, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { GRAPHQL_LIMITS } from '../graphql-limits.js';
import { queryCostRule } from '../limits/query-cost.rule.js';

/**
 * Mercurius' `preSubscriptionParsing` hook: a subscription's document passes the same rules as a
 * query's over HTTP (GraphQL's own validation and the cost limit; Mercurius then applies the depth
 * limit), since graphql-js' `subscribe` validates nothing itself. A refusal reaches the client
 * as the subscription's `error` message, with the code queries get.
 */
export function checkSubscriptionDocument(schema: GraphQLSchema, source: string): void {
  let document: DocumentNode;
  try {
    document = parse(source);
  } catch (err) {
    throw refused((err as Error).message);
  }
  const errors = validate(schema, document, [...specifiedRules, queryCostRule(GRAPHQL_LIMITS.maxCost)]);
  if (errors.length > 0) throw refused(errors.map((e) => e.message).join('; '));
}

function refused(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
}
