import { describe, expect, it } from 'vitest';
import { parseRevocationNotice, revocationsChannel } from './revocation-notice.js';

describe('revocation notices', () => {
  it('reads the notices writers publish', () => {
    const token = { kind: 'proxyToken', tenantId: 't1', tokenId: 'k1' };
    const tenant = { kind: 'tenant', tenantId: 't1', accountId: '123456789012', status: 'suspended' };
    expect(parseRevocationNotice(JSON.stringify(token))).toEqual(token);
    for (const credential of [
      { kind: 'apiToken', tenantId: 't1', tokenId: 'k2' },
      { kind: 'accessKey', tenantId: 't1', keyId: 'k3' },
    ])
      expect(parseRevocationNotice(JSON.stringify(credential))).toEqual(credential);
    expect(parseRevocationNotice(JSON.stringify(tenant))).toEqual(tenant);
    expect(parseRevocationNotice(JSON.stringify({ ...tenant, status: 'deleted' }))).toEqual({
      ...tenant,
      status: 'deleted',
    });
  });

  it('reads nothing from a message that is not a notice of this version (subscribers then resync)', () => {
    for (const message of [
      'not json',
      'null',
      '[]',
      JSON.stringify({ kind: 'accessKey', tenantId: 't1', accessKeyId: 'AKIA' }),
      JSON.stringify({ kind: 'tenant', tenantId: 't1', accountId: '123456789012', status: 'resumed' }),
      JSON.stringify({ kind: 'proxyToken', tenantId: 't1' }),
      JSON.stringify({ kind: 'proxyToken', tenantId: 't1', tokenId: 'k1', extra: true }),
    ]) {
      expect(parseRevocationNotice(message), message).toBeUndefined();
    }
  });

  it('names its channel in the installation namespace, like the xDS change channel', () => {
    expect(revocationsChannel('meshplane')).toBe('meshplane:auth:revocations');
  });
});
