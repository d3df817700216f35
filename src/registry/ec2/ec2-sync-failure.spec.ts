import { EC2ServiceException } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { allowedEndpoints, endpointAllowed } from './ec2-endpoints.js';
import { classifyFailure, RegistryServiceMissing } from './ec2-sync-failure.js';

const awsError = (name: string, status: number) =>
  new EC2ServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    message: `${name} says no`,
  });

describe('classifyFailure', () => {
  it('sorts the SDK’s errors by what the operator should do', () => {
    expect(classifyFailure(awsError('RequestLimitExceeded', 503)).kind).toBe('throttled');
    expect(classifyFailure(awsError('AuthFailure', 401)).kind).toBe('credentials');
    expect(classifyFailure(awsError('UnauthorizedOperation', 403)).kind).toBe('credentials');
    expect(classifyFailure(awsError('InternalError', 500)).kind).toBe('unreachable');
    expect(classifyFailure(awsError('InvalidParameterValue', 400)).kind).toBe('aws');
    expect(
      classifyFailure(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })).kind,
    ).toBe('unreachable');
    expect(classifyFailure(new RegistryServiceMissing('s')).kind).toBe('service-missing');
  });

  it('names the kind and the error in a bounded message', () => {
    expect(classifyFailure(awsError('AuthFailure', 401)).message).toBe('credentials: AuthFailure: AuthFailure says no');
    expect(classifyFailure(new Error('x'.repeat(5_000))).message).toHaveLength(1000);
  });
});

describe('endpoint overrides', () => {
  const allowed = allowedEndpoints(' http://127.0.0.1:5000 ,https://ec2.example.com');

  it('allow exactly the listed origins, without a path or query', () => {
    expect(endpointAllowed(allowed, 'http://127.0.0.1:5000')).toBe(true);
    expect(endpointAllowed(allowed, 'https://ec2.example.com/')).toBe(true);
    expect(endpointAllowed(allowed, 'https://ec2.example.com/admin')).toBe(false);
    expect(endpointAllowed(allowed, 'https://ec2.example.com?x=1')).toBe(false);
    expect(endpointAllowed(allowed, 'http://127.0.0.1:5001')).toBe(false);
    expect(endpointAllowed(allowedEndpoints(''), 'http://127.0.0.1:5000')).toBe(false);
  });
});
