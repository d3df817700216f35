import { describe, expect, it } from 'vitest';
import { formatArn, parseArn } from './arn.js';

describe('App Mesh ARNs', () => {
  it.each([
    [undefined, 'arn:aws:appmesh:us-east-1:123456789012:mesh/m'],
    [{ kind: 'virtualNode', name: 'n' }, 'arn:aws:appmesh:us-east-1:123456789012:mesh/m/virtualNode/n'],
    [{ kind: 'virtualRouter', name: 'r' }, 'arn:aws:appmesh:us-east-1:123456789012:mesh/m/virtualRouter/r'],
    [
      { kind: 'route', parentName: 'r', name: 'x' },
      'arn:aws:appmesh:us-east-1:123456789012:mesh/m/virtualRouter/r/route/x',
    ],
    [
      { kind: 'gatewayRoute', parentName: 'g', name: 'x' },
      'arn:aws:appmesh:us-east-1:123456789012:mesh/m/virtualGateway/g/gatewayRoute/x',
    ],
  ])('formats and parses %j', (path, arn) => {
    expect(formatArn('us-east-1', '123456789012', 'm', path)).toBe(arn);
    expect(parseArn(arn)).toEqual({ region: 'us-east-1', accountId: '123456789012', meshName: 'm', ...path });
  });

  it.each([
    'arn:aws:appmesh:us-east-1:12345:mesh/m',
    'arn:aws:ec2:us-east-1:123456789012:mesh/m',
    'arn:aws:appmesh:us-east-1:123456789012:mesh/',
    'arn:aws:appmesh:us-east-1:123456789012:mesh/m/route/x',
    'arn:aws:appmesh:us-east-1:123456789012:mesh/m/virtualGateway/g/route/x',
    'arn:aws:appmesh:us-east-1:123456789012:mesh/m/virtualNode',
    'not an arn',
  ])('rejects %s', (arn) => {
    expect(parseArn(arn)).toBeUndefined();
  });
});
