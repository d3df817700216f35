import { describe, expect, it } from 'vitest';
import { GqlError } from './client';
import { progressOf, type Propagation } from './propagation';

describe('GqlError.fieldErrors', () => {
  it("gives each field named by extensions.fields its part of the API's message", () => {
    const error = new GqlError(
      [
        {
          message:
            'spec.listeners[0].portMapping.port: must be between 1 and 65535; virtualNodeName: must not be empty',
          extensions: { code: 'VALIDATION', fields: ['spec.listeners[0].portMapping.port', 'virtualNodeName'] },
        },
      ],
      200,
    );
    expect(Object.fromEntries(error.fieldErrors())).toEqual({
      'spec.listeners[0].portMapping.port': 'must be between 1 and 65535',
      virtualNodeName: 'must not be empty',
    });
  });

  it("drops a bootstrap input's `input.` prefix, and keeps a message that names no field whole", () => {
    const error = new GqlError(
      [{ message: 'Admin port is wrong', extensions: { code: 'VALIDATION', fields: ['input.adminPort'] } }],
      200,
    );
    expect(Object.fromEntries(error.fieldErrors())).toEqual({ adminPort: 'Admin port is wrong' });
  });
});

describe('progressOf (one applied change)', () => {
  const base: Propagation = {
    generation: '7',
    servedGeneration: '6',
    compiledAt: null,
    inSync: false,
    proxies: { connected: 3, inSync: 3, withNack: 0 },
    rejected: null,
    problems: [],
  };

  it('is compiling until the fleet serves that generation, whatever the proxies hold', () => {
    expect(progressOf(base, 7n)).toEqual({ state: 'compiling' });
  });

  it('counts the proxies that have it once it is served', () => {
    const served = { ...base, servedGeneration: '7', proxies: { connected: 3, inSync: 1, withNack: 1 } };
    expect(progressOf(served, 7n)).toEqual({ state: 'propagating', have: 1, of: 3, nacked: 1 });
    expect(progressOf({ ...served, proxies: { connected: 3, inSync: 3, withNack: 0 } }, 7n)).toMatchObject({
      state: 'done',
    });
  });

  it('reports a refused compile of that generation or a later one', () => {
    const rejected = { ...base, rejected: { generation: '8', reason: 'bad' } };
    expect(progressOf(rejected, 7n)).toEqual({ state: 'rejected', reason: 'bad' });
    expect(progressOf({ ...base, rejected: { generation: '5', reason: 'old' } }, 7n)).toEqual({ state: 'compiling' });
  });
});
