import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretBox } from './secret-box.js';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32).toString('base64'));

  it('round-trips a secret bound to its access key id', () => {
    const sealed = box.seal('s3cret', 'MPAKAAAA');
    expect(box.open(sealed, box.keyId, 'MPAKAAAA')).toBe('s3cret');
    expect(sealed.toString('latin1')).not.toContain('s3cret');
  });

  it('uses a fresh IV each time', () => {
    expect(box.seal('same', 'k').equals(box.seal('same', 'k'))).toBe(false);
  });

  it('refuses a ciphertext moved to another key id, tampered with, or sealed under another master key', () => {
    const sealed = box.seal('s3cret', 'MPAKAAAA');
    expect(() => box.open(sealed, box.keyId, 'MPAKBBBB')).toThrow();
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 1]! ^= 1;
    expect(() => box.open(tampered, box.keyId, 'MPAKAAAA')).toThrow();
    const other = new SecretBox(randomBytes(32).toString('base64'));
    expect(() => other.open(sealed, box.keyId, 'MPAKAAAA')).toThrow(/sealed under master key/);
  });
});
