import { describe, expect, it } from 'vitest';
import { DomainError } from '../../common/errors/domain-error.js';
import { decodeJsonBody } from './request-body.js';
import { TransportError } from './transport-error.js';

const json = { 'content-type': 'application/json' };

function failure(fn: () => unknown): { kind: string; status?: number; message: string } {
  try {
    fn();
  } catch (err) {
    if (err instanceof TransportError) return { kind: err.awsType, status: err.statusCode, message: err.message };
    if (err instanceof DomainError) return { kind: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected a failure');
}

describe('decodeJsonBody', () => {
  it('decodes a JSON object', () => {
    expect(decodeJsonBody(json, Buffer.from('{"meshName":"m","n":1}'))).toEqual({ meshName: 'm', n: 1 });
    expect(decodeJsonBody({ 'content-type': 'Application/JSON; Charset="UTF-8"' }, Buffer.from('{}'))).toEqual({});
  });

  it('takes an empty body as no body, whatever its headers', () => {
    expect(decodeJsonBody({}, undefined)).toBeUndefined();
    expect(decodeJsonBody({ 'content-type': 'text/plain' }, Buffer.alloc(0))).toBeUndefined();
  });

  it('strips a UTF-8 byte order mark', () => {
    expect(decodeJsonBody(json, Buffer.from('\ufeff{"a":"b"}'))).toEqual({ a: 'b' });
  });

  it.each([
    [{ 'content-type': 'text/plain' }, /Content-Type 'text\/plain' is not supported/],
    [{ 'content-type': 'application/x-www-form-urlencoded' }, /application\/json/],
    [{ 'content-type': 'application/jsonx' }, /application\/json/],
    [{}, /without a Content-Type/],
    [{ 'content-type': 'application/json; charset=utf-16' }, /Charset 'utf-16'/],
    [{ ...json, 'content-encoding': 'gzip' }, /Content-Encoding 'gzip'/],
    [{ ...json, 'content-encoding': 'identity, gzip' }, /Content-Encoding/],
    [{ ...json, 'transfer-encoding': 'gzip, chunked' }, /Transfer-Encoding 'gzip, chunked'/],
  ])('refuses %j with 415', (headers, message) => {
    expect(failure(() => decodeJsonBody(headers, Buffer.from('{}')))).toMatchObject({
      kind: 'UnsupportedMediaTypeException',
      status: 415,
      message: expect.stringMatching(message),
    });
  });

  it('refuses a compressed empty body too: the encoding is never ignored', () => {
    expect(failure(() => decodeJsonBody({ 'content-encoding': 'br' }, undefined)).status).toBe(415);
    expect(decodeJsonBody({ 'content-encoding': 'identity' }, undefined)).toBeUndefined();
    expect(decodeJsonBody({ ...json, 'transfer-encoding': 'chunked' }, Buffer.from('{}'))).toEqual({});
  });

  it.each([
    ['lone continuation byte', [0x80]],
    ['truncated sequence', [0xe2, 0x82]],
    ['overlong encoding', [0xc0, 0xaf]],
    ['encoded surrogate', [0xed, 0xa0, 0x80]],
    ['beyond U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
  ])('refuses invalid UTF-8 (%s) with 400 instead of replacing it', (_case, bytes) => {
    const body = Buffer.concat([Buffer.from('{"meshName":"a'), Buffer.from(bytes), Buffer.from('"}')]);
    expect(failure(() => decodeJsonBody(json, body))).toEqual({
      kind: 'BAD_REQUEST',
      message: 'body: must be UTF-8 text; it contains bytes that are not valid UTF-8.',
    });
  });

  it.each([
    ['null', 'null'],
    ['[]', 'an array'],
    ['1', 'a number'],
    ['"x"', 'a string'],
    ['true', 'a boolean'],
  ])('refuses the top-level value %s with 400 naming the body', (text, what) => {
    expect(failure(() => decodeJsonBody(json, Buffer.from(text)))).toEqual({
      kind: 'BAD_REQUEST',
      message: `body: must be a JSON object, not ${what}.`,
    });
  });

  it('refuses a member name given twice with 400 naming it', () => {
    expect(failure(() => decodeJsonBody(json, Buffer.from('{"meshName":"a","meshName":"b"}')))).toEqual({
      kind: 'BAD_REQUEST',
      message: "body: member 'meshName' appears more than once in one object.",
    });
  });

  it.each(['{"a":', '{"a":1}x', '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"x":1}}}'])(
    'refuses %s with 400',
    (text) => {
      expect(failure(() => decodeJsonBody(json, Buffer.from(text)))).toMatchObject({
        kind: 'BAD_REQUEST',
        message: expect.stringMatching(/^body: must be valid JSON/),
      });
    },
  );
});
