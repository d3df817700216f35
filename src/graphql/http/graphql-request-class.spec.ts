import { describe, expect, it } from 'vitest';
import { graphqlRequestClass } from './graphql-request-class.js';

describe('graphqlRequestClass', () => {
  it('bills mutations as writes and everything else as reads', () => {
    expect(graphqlRequestClass('POST', { query: 'mutation { createMesh(name: "a") { name } }' })).toBe('write');
    expect(graphqlRequestClass('POST', { query: '{ meshes { name } }' })).toBe('read');
    expect(graphqlRequestClass('GET', { query: 'mutation { x }' })).toBe('read');
    expect(graphqlRequestClass('POST', { query: 'not graphql {' })).toBe('read');
    const both = 'query Q { meshes { name } } mutation M { deleteMesh(name: "a") { name } }';
    expect(graphqlRequestClass('POST', { query: both, operationName: 'M' })).toBe('write');
    expect(graphqlRequestClass('POST', { query: both, operationName: 'Q' })).toBe('read');
  });
});
