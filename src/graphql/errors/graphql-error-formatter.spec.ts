import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { AuthError } from '../../common/errors/auth-error.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { formatGraphqlErrors } from './graphql-error-formatter.js';

const fieldError = (original: Error) => new GraphQLError(original.message, { path: ['mesh'], originalError: original });

describe('formatGraphqlErrors', () => {
  it('maps domain errors to stable codes, with the field paths of a validation problem', () => {
    const { statusCode, response } = formatGraphqlErrors({
      data: { mesh: null },
      errors: [
        fieldError(
          new DomainError('BAD_REQUEST', 'spec.listeners[0].port: must be at most 65535; tags[1].key: is required'),
        ),
        fieldError(new DomainError('TOO_MANY_TAGS', 'too many tags')),
        fieldError(new DomainError('TOO_MANY_REQUESTS', 'slow down', 2)),
      ],
    });
    expect(statusCode).toBe(200);
    expect(response.errors?.map((e) => e.extensions)).toEqual([
      { code: 'VALIDATION', fields: ['spec.listeners[0].port', 'tags[1].key'] },
      { code: 'LIMIT_EXCEEDED' },
      { code: 'THROTTLED', retryAfterSeconds: 2 },
    ]);
  });

  it('names a field that broke several rules once', () => {
    const { response } = formatGraphqlErrors({
      data: { mesh: null },
      errors: [
        fieldError(
          new DomainError('BAD_REQUEST', 'input.name: must not be empty; input.name: must match ^[!-~]+$; x: no'),
        ),
      ],
    });
    expect(response.errors?.[0]?.extensions).toEqual({ code: 'VALIDATION', fields: ['input.name', 'x'] });
  });

  it('answers a request-level authentication failure with its HTTP status and no data', () => {
    const { statusCode, response } = formatGraphqlErrors({
      errors: [new GraphQLError('no', { originalError: new AuthError('TENANT_SUSPENDED', 'suspended') })],
    });
    expect(statusCode).toBe(403);
    expect(response).toEqual({ data: null, errors: [expect.objectContaining({ extensions: { code: 'FORBIDDEN' } })] });
  });

  it('withholds the message of an unexpected error', () => {
    const { response } = formatGraphqlErrors({
      data: { mesh: null },
      errors: [fieldError(new Error('connection to 10.0.0.5:5432 failed for user meshplane'))],
    });
    expect(response.errors?.[0]?.message).toBe('An internal error occurred; it has been logged.');
    expect(response.errors?.[0]?.extensions).toEqual({ code: 'INTERNAL' });
    expect(JSON.stringify(response)).not.toContain('10.0.0.5');
  });
});
