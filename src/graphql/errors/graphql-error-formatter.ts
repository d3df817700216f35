import { Logger } from '@nestjs/common';
import { GraphQLError, type ExecutionResult } from 'graphql';
import { AuthError } from '../../common/errors/auth-error.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { isDatabaseUnavailable } from '../../platform/prisma/database-errors.js';
import {
  AUTH_TO_GRAPHQL,
  DOMAIN_TO_GRAPHQL,
  GRAPHQL_CODE_STATUS,
  type GraphqlErrorCode,
} from './graphql-error-codes.js';

const log = new Logger('GraphqlErrors');
/** A validation problem as services word it: `<field path>: <rule>`, several joined by `; `. */
const PROBLEM = /^([A-Za-z_$][\w$.[\]]*): /;

/**
 * The one error mapper of the GraphQL API (Mercurius' `errorFormatter`): every error leaves in
 * GraphQL's shape with a stable `extensions.code`. Domain and authentication errors map through
 * exhaustive Records; errors of the document itself (syntax, unknown fields, depth and cost
 * limits) are GRAPHQL_VALIDATION_FAILED; anything else is INTERNAL, logged, and its message
 * withheld: internals never reach the client.
 */
export function formatGraphqlErrors(execution: ExecutionResult & { readonly errors: readonly GraphQLError[] }): {
  statusCode: number;
  response: ExecutionResult;
} {
  const errors = execution.errors.flatMap(expand).map(shape);
  const hasData = execution.data !== undefined && execution.data !== null;
  // Errors of the request as a whole (no path: authentication, body, document) carry their HTTP
  // status when there is no data; errors of single fields leave the response a 200.
  const requestLevel = !hasData && errors.length > 0 && errors.every((e) => e.path === undefined);
  const statusCode = requestLevel ? statusOf(errors[0]!) : 200;
  return { statusCode, response: { data: execution.data ?? null, errors } };
}

/**
 * One error as the formatter answers it, for errors that leave outside an execution result: a
 * subscription that cannot start (Mercurius sends those as they are thrown).
 */
export function shapeGraphqlError(err: unknown): GraphQLError {
  if (err instanceof GraphQLError && err.originalError === undefined && err.extensions.code !== undefined) return err;
  const error =
    err instanceof GraphQLError
      ? err
      : new GraphQLError(err instanceof Error ? err.message : String(err), {
          ...(err instanceof Error ? { originalError: err } : {}),
        });
  return shape(error);
}

/**
 * Mercurius reports a document's problems as one error holding them all: its validation errors
 * (the document is at fault) or, say, a mutation sent over GET (the HTTP request is: 405).
 */
function expand(error: GraphQLError): GraphQLError[] {
  const outer = error.originalError as { errors?: unknown; code?: unknown; statusCode?: unknown } | undefined;
  const inner = outer?.errors;
  if (!Array.isArray(inner)) return [error];
  const ofDocument = outer?.code === 'MER_ERR_GQL_VALIDATION';
  const extensions: Record<string, unknown> = ofDocument
    ? { code: 'GRAPHQL_VALIDATION_FAILED' }
    : { code: 'BAD_REQUEST', ...(typeof outer?.statusCode === 'number' ? { status: outer.statusCode } : {}) };
  return inner.map((e: Error) => (e instanceof GraphQLError ? e : new GraphQLError(e.message, { extensions })));
}

function shape(error: GraphQLError): GraphQLError {
  const original = error.originalError;
  const described = describe(error, original);
  return new GraphQLError(described.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    extensions: described.extensions,
  });
}

function describe(
  error: GraphQLError,
  original: Error | undefined,
): { message: string; extensions: Record<string, unknown> & { code: GraphqlErrorCode } } {
  if (original instanceof DomainError) {
    const code = DOMAIN_TO_GRAPHQL[original.code];
    const extensions: Record<string, unknown> & { code: GraphqlErrorCode } = { code };
    if (code === 'VALIDATION') extensions.fields = fieldsOf(original.message);
    if (original.retryAfterSeconds !== undefined) extensions.retryAfterSeconds = original.retryAfterSeconds;
    return { message: original.message, extensions };
  }
  if (original instanceof AuthError)
    return { message: original.message, extensions: { code: AUTH_TO_GRAPHQL[original.code] } };
  if (original === undefined || original instanceof GraphQLError) {
    // GraphQL's own errors (syntax, validation, variables), and the HTTP-level ones `expand` made.
    if (error.extensions.code === 'BAD_REQUEST') {
      return { message: error.message, extensions: { code: 'BAD_REQUEST', status: error.extensions.status } };
    }
    return { message: error.message, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } };
  }
  if (isDatabaseUnavailable(original)) {
    return {
      message: 'The service is temporarily unable to reach its database; retry the request.',
      extensions: { code: 'UNAVAILABLE', retryAfterSeconds: 2 },
    };
  }
  const status = (original as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    // The HTTP layer's own refusals (a body that is not strict JSON, too large, an unsupported
    // media type, a mutation over GET) and the engine's (a document that does not parse).
    const code =
      (original as { code?: unknown }).code === 'MER_ERR_GQL_VALIDATION' ? 'GRAPHQL_VALIDATION_FAILED' : 'BAD_REQUEST';
    return { message: original.message, extensions: { code, status } };
  }
  log.error({ err: original }, 'unhandled GraphQL error');
  return { message: 'An internal error occurred; it has been logged.', extensions: { code: 'INTERNAL' } };
}

function statusOf(error: GraphQLError): number {
  const explicit = error.extensions.status;
  if (typeof explicit === 'number') return explicit;
  return GRAPHQL_CODE_STATUS[error.extensions.code as GraphqlErrorCode] ?? 200;
}

/**
 * The field paths a validation message names, so clients can point at the input at fault: each
 * once, in the message's order, however many of its rules one field broke.
 */
function fieldsOf(message: string): string[] {
  const fields = message
    .split('; ')
    .map((problem) => PROBLEM.exec(problem)?.[1])
    .filter((field): field is string => field !== undefined);
  return [...new Set(fields)];
}
