import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedTenant } from '../../src/tenants/tenants.service.js';
import { openSocket, rawExchange, readUntilClosed, type RawResponse } from '../support/raw-http.js';
import { jsonContentType, signedAppMeshRequest } from '../support/signed-http.js';
import { createTenant } from '../support/tenant-builder.js';
import { call, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Protocol edges of the REST surfaces (ADR 0012): every answer, from Node's parser to the
 * handlers, is in App Mesh's error shape; SigV4 covers the bytes received whatever their type;
 * bodies are decoded strictly, and only after authentication.
 */

type Answer = { status: number; body: any; headers: Headers } | RawResponse;

function expectAppMeshError(res: Answer, status: number, type: string): string {
  const header = res.headers instanceof Headers ? res.headers.get('x-amzn-errortype') : res.headers['x-amzn-errortype'];
  const body = typeof res.body === 'string' ? (JSON.parse(res.body) as unknown) : res.body;
  expect({ status: res.status, type: header }).toEqual({ status, type });
  expect(body).toEqual({ message: expect.any(String) });
  return (body as { message: string }).message;
}

describe('HTTP strictness', () => {
  let api: TestApp;
  let tenant: CreatedTenant;

  beforeAll(async () => {
    api = await startTestApp();
    tenant = await createTenant(api);
  });
  afterAll(async () => {
    await api?.close();
  });

  const host = () => new URL(api.baseUrl).host;
  const signed = (options: Parameters<typeof signedAppMeshRequest>[2]) =>
    signedAppMeshRequest(api, tenant.accessKey, options);
  const createMesh = (
    body: string | Buffer,
    headers: Record<string, string> = { 'content-type': 'application/json' },
  ) => signed({ method: 'PUT', path: '/v20190125/meshes', headers, body });

  describe('every answer uses the App Mesh error shape', () => {
    it.each(['/v20190125/meshes/%zz', '/v20190125/meshes/%ff%fe', '/v1/meshes/%zz/status', '/admin/v1/tenants/%zz'])(
      'malformed percent-encoding in %s is a 400 BadRequestException',
      async (path) => {
        const message = expectAppMeshError(await call(api.baseUrl, 'GET', path), 400, 'BadRequestException');
        expect(message).toMatch(/percent-encoding/);
      },
    );

    it('an over-long path parameter is a 4xx in App Mesh shape', async () => {
      const res = await call(api.baseUrl, 'GET', `/v20190125/meshes/${'a'.repeat(5000)}`);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.headers.get('x-amzn-errortype')).toMatch(/Exception$/);
      expect(res.body).toEqual({ message: expect.any(String) });
    });

    it('oversized headers are a 431 RequestHeaderFieldsTooLargeException', async () => {
      const { response } = await rawExchange(
        api.baseUrl,
        `GET /v20190125/meshes HTTP/1.1\r\nHost: ${host()}\r\nx-big: ${'b'.repeat(20_000)}\r\n\r\n`,
      );
      expectAppMeshError(response!, 431, 'RequestHeaderFieldsTooLargeException');
    });

    it.each([
      ['a request line that is not HTTP', 'GARBAGE\r\n\r\n'],
      ['an invalid method', 'G@T / HTTP/1.1\r\nHost: x\r\n\r\n'],
      ['a header without a colon', 'GET / HTTP/1.1\r\nHost: x\r\nbroken header\r\n\r\n'],
      [
        'both Content-Length and Transfer-Encoding',
        'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      ],
    ])('%s is a 400 BadRequestException, and the connection is closed', async (_case, request) => {
      const exchange = await rawExchange(api.baseUrl, request);
      expectAppMeshError(exchange.response!, 400, 'BadRequestException');
      expect(exchange.response?.headers['connection']).toBe('close');
    });

    it.each([
      ['an HTTP/2 preface on the HTTP/1.1 port', () => 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'],
      [
        'an absolute-form target',
        () => `GET http://${host()}/nowhere HTTP/1.1\r\nHost: ${host()}\r\nConnection: close\r\n\r\n`,
      ],
      ['the asterisk form', () => `OPTIONS * HTTP/1.1\r\nHost: ${host()}\r\nConnection: close\r\n\r\n`],
      ['a NUL in the request line', () => `GET /v20190125/meshes\0 HTTP/1.1\r\nHost: ${host()}\r\n\r\n`],
      ['a bare LF line ending', () => `GET /healthz HTTP/1.1\nHost: ${host()}\n\n`],
    ])('%s gets a 4xx in App Mesh shape', async (_case, request) => {
      const { response } = await rawExchange(api.baseUrl, request());
      expect(response?.status).toBeGreaterThanOrEqual(400);
      expect(response?.status).toBeLessThan(500);
      expect(response?.headers['x-amzn-errortype']).toMatch(/Exception$/);
      expect(JSON.parse(response?.body ?? '')).toEqual({ message: expect.any(String) });
    });

    it('an HTTP/1.1 request without Host is a 400 BadRequestException', async () => {
      const exchange = await rawExchange(api.baseUrl, 'GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n');
      expect(expectAppMeshError(exchange.response!, 400, 'BadRequestException')).toMatch(/Host/);
    });

    it('an Expect other than 100-continue is a 417 in App Mesh shape', async () => {
      const exchange = await rawExchange(
        api.baseUrl,
        `GET /healthz HTTP/1.1\r\nHost: ${host()}\r\nExpect: something-else\r\n\r\n`,
      );
      expectAppMeshError(exchange.response!, 417, 'BadRequestException');
    });

    it('a body over the limit is a 413 RequestEntityTooLargeException', async () => {
      const res = await call(api.baseUrl, 'PUT', '/v20190125/meshes', {}, `{"meshName":"${'x'.repeat(1_100_000)}"}`);
      expectAppMeshError(res, 413, 'RequestEntityTooLargeException');
    });

    it('a malformed Content-Type is a 415 UnsupportedMediaTypeException', async () => {
      const res = await call(api.baseUrl, 'PUT', '/v20190125/meshes', { 'content-type': 'not a media type' }, '{}');
      expectAppMeshError(res, 415, 'UnsupportedMediaTypeException');
    });

    it('a path outside every API is a 404 NotFoundException', async () => {
      expectAppMeshError(await call(api.baseUrl, 'GET', '/nowhere'), 404, 'NotFoundException');
    });

    it('errors of requests to no route keep the shape too (Fastify answers them in another context)', async () => {
      const big = await call(api.baseUrl, 'PUT', '/nowhere', {}, 'x'.repeat(1_100_000));
      expectAppMeshError(big, 413, 'RequestEntityTooLargeException');
      const badType = await call(api.baseUrl, 'PUT', '/nowhere', { 'content-type': '/' }, '{}');
      expect(badType.status).toBeGreaterThanOrEqual(400);
      expect(badType.headers.get('x-amzn-errortype')).toMatch(/Exception$/);
      expect(badType.body).toEqual({ message: expect.any(String) });
    });

    it('an unknown App Mesh path is an UnknownOperationException once authenticated', async () => {
      const res = await signed({ method: 'GET', path: '/v20190125/nothing-here' });
      expectAppMeshError(res, 404, 'UnknownOperationException');
    });
  });

  describe('odd requests never get a 5xx, and always the App Mesh shape', () => {
    const odd: [string, string][] = [
      ['GET', '/v20190125/meshes?limit=%zz'],
      ['GET', '/v20190125/meshes?limit=abc'],
      ['GET', '/v20190125/meshes?limit=1&limit=2'],
      ['GET', '/v20190125/meshes?nextToken=%ff%fe'],
      ['PATCH', '/v20190125/meshes'],
      ['POST', '/v20190125/meshes/m'],
      ['OPTIONS', '/v20190125/meshes'],
      ['DELETE', '/v20190125/meshes'],
      ['GET', '//v20190125//meshes'],
      ['GET', '/v20190125/meshes/%2F'],
      ['GET', `/v20190125/meshes/m/virtualNodes/${'x'.repeat(300)}`],
      ['GET', '/v20190125/meshes/m/virtualRouters/r/routes/x/y/z'],
    ];

    it.each(odd)('signed %s %s', async (method, path) => {
      const res = await signed({ method, path });
      expect(res.status, JSON.stringify(res.body)).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.headers.get('x-amzn-errortype')).toMatch(/Exception$/);
      expect(res.body).toEqual({ message: expect.any(String) });
    });

    it.each(odd)('unauthenticated %s %s', async (method, path) => {
      const res = await call(api.baseUrl, method, path);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.headers.get('x-amzn-errortype')).toMatch(/Exception$/);
      expect(res.body).toEqual({ message: expect.any(String) });
    });
  });

  describe('SigV4 covers the bytes received, whatever their Content-Type', () => {
    it('refuses a text/plain body that was not signed (it used to be verified as empty)', async () => {
      // Signed empty, sent empty: authenticated, then the (empty) input is validated.
      const res = await createMesh('', { 'content-type': 'text/plain' });
      expect(expectAppMeshError(res, 400, 'BadRequestException')).toMatch(/meshName/);
      const tampered = await signed({
        method: 'PUT',
        path: '/v20190125/meshes',
        headers: { 'content-type': 'text/plain' },
        body: '',
        sentBody: '{"meshName":"smuggled"}',
      });
      expectAppMeshError(tampered, 403, 'InvalidSignatureException');
    });

    it('refuses a changed body of any content type', async () => {
      for (const type of ['application/x-www-form-urlencoded', 'application/octet-stream', 'application/json']) {
        const tampered = await signed({
          method: 'PUT',
          path: '/v20190125/meshes',
          headers: { 'content-type': type },
          body: '{"meshName":"a"}',
          sentBody: '{"meshName":"b"}',
        });
        expectAppMeshError(tampered, 403, 'InvalidSignatureException');
      }
    });

    it('judges the body only after authentication: an unauthenticated caller learns nothing', async () => {
      for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
        const res = await call(api.baseUrl, 'PUT', '/v20190125/meshes', { 'content-type': type }, 'meshName=x');
        expectAppMeshError(res, 403, 'MissingAuthenticationTokenException');
      }
      const res = await call(api.baseUrl, 'PUT', '/v20190125/meshes', { 'content-type': 'application/json' }, 'null');
      expectAppMeshError(res, 403, 'MissingAuthenticationTokenException');
    });
  });

  describe('bodies are strict', () => {
    it.each([
      ['text/plain', 'text/plain'],
      ['a form', 'application/x-www-form-urlencoded'],
      ['multipart', 'multipart/form-data; boundary=x'],
      ['JSON in another charset', 'application/json; charset=iso-8859-1'],
    ])('%s is a 415 UnsupportedMediaTypeException', async (_case, type) => {
      const message = expectAppMeshError(
        await createMesh('{"meshName":"m"}', { 'content-type': type }),
        415,
        'UnsupportedMediaTypeException',
      );
      expect(message).toMatch(/application\/json|UTF-8/);
    });

    it('a transfer coding other than chunked is a 415 once authenticated, and a 403 before', async () => {
      const body = '{"meshName":"te"}';
      const url = new URL(api.baseUrl);
      const signer = new SignatureV4({
        service: 'appmesh',
        region: api.config.region,
        credentials: tenant.accessKey,
        sha256: Sha256,
      });
      const request = await signer.sign(
        new HttpRequest({
          method: 'PUT',
          hostname: url.hostname,
          port: Number(url.port),
          path: '/v20190125/meshes',
          headers: { host: url.host, 'content-type': 'application/json' },
          body,
        }),
      );
      const chunked = `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`;
      const send = (headers: Record<string, string>) =>
        rawExchange(
          api.baseUrl,
          `PUT /v20190125/meshes HTTP/1.1\r\n${Object.entries(headers)
            .map(([k, v]) => `${k}: ${v}\r\n`)
            .join('')}transfer-encoding: gzip, chunked\r\nconnection: close\r\n\r\n${chunked}`,
        );
      const signedHeaders = request.headers as Record<string, string>;
      const message = expectAppMeshError((await send(signedHeaders)).response!, 415, 'UnsupportedMediaTypeException');
      expect(message).toMatch(/Transfer-Encoding 'gzip, chunked'/);
      const { authorization: _dropped, ...unsigned } = signedHeaders;
      expectAppMeshError((await send(unsigned)).response!, 403, 'MissingAuthenticationTokenException');
    });

    it('a body without a Content-Type is a 415', async () => {
      expectAppMeshError(await createMesh('{"meshName":"m"}', {}), 415, 'UnsupportedMediaTypeException');
    });

    it('a compressed body is refused (415), not read as if it were plain', async () => {
      const message = expectAppMeshError(
        await createMesh('{"meshName":"m"}', { 'content-type': 'application/json', 'content-encoding': 'gzip' }),
        415,
        'UnsupportedMediaTypeException',
      );
      expect(message).toMatch(/Content-Encoding 'gzip'/);
    });

    it.each([
      ['null', 'null'],
      ['an array', '[{"meshName":"m"}]'],
      ['a number', '42'],
      ['a string', '"m"'],
    ])('a JSON body that is %s is a 400 naming the body', async (what, body) => {
      const message = expectAppMeshError(await createMesh(body), 400, 'BadRequestException');
      expect(message).toBe(`body: must be a JSON object, not ${what}.`);
    });

    it('invalid JSON is a 400 naming the body', async () => {
      const message = expectAppMeshError(await createMesh('{"meshName":'), 400, 'BadRequestException');
      expect(message).toMatch(/^body: must be valid JSON/);
    });

    it('a __proto__ key is a 400', async () => {
      expectAppMeshError(await createMesh('{"meshName":"m","__proto__":{"x":1}}'), 400, 'BadRequestException');
    });

    it('invalid UTF-8 is a 400, never replaced: two byte strings cannot become one name', async () => {
      for (const bytes of [[0xff], [0xc3], [0xed, 0xa0, 0x80]]) {
        const body = Buffer.concat([Buffer.from('{"meshName":"utf-'), Buffer.from(bytes), Buffer.from('"}')]);
        const message = expectAppMeshError(await createMesh(body), 400, 'BadRequestException');
        expect(message).toMatch(/^body: must be UTF-8/);
      }
      const list = await signed({ method: 'GET', path: '/v20190125/meshes' });
      expect(list.body.meshes.filter((m: { meshName: string }) => m.meshName.startsWith('utf-'))).toEqual([]);
    });

    it('accepts a valid JSON object, with or without charset=utf-8, and an empty body where no body member is needed', async () => {
      expect((await createMesh('{"meshName":"strict-a"}')).status).toBe(200);
      expect(
        (await createMesh('{"meshName":"strict-b"}', { 'content-type': 'application/json; charset=UTF-8' })).status,
      ).toBe(200);
      expect((await signed({ method: 'GET', path: '/v20190125/meshes/strict-a' })).status).toBe(200);
      const deleted = await signed({ method: 'DELETE', path: '/v20190125/meshes/strict-a', body: '' });
      expect(deleted.status).toBe(200);
      const identity = await createMesh('{"meshName":"strict-c"}', {
        'content-type': 'application/json',
        'content-encoding': 'identity',
      });
      expect(identity.status).toBe(200);
    });

    it('a GET or DELETE with a body is verified over its bytes and decoded like any body', async () => {
      // Signed as the SDK would, with its JSON Content-Type unless a test names another.
      const raw = (request: Parameters<typeof signedAppMeshRequest>[2]) =>
        signedAppMeshRequest(api, tenant.accessKey, { headers: jsonContentType(request.body), ...request });
      await signed({
        method: 'PUT',
        path: '/v20190125/meshes',
        headers: { 'content-type': 'application/json' },
        body: '{"meshName":"bodies"}',
      });
      for (const method of ['GET', 'DELETE'] as const) {
        const path = method === 'GET' ? '/v20190125/meshes/bodies' : '/v20190125/meshes/no-such-mesh';
        // An empty JSON object is no input at all: the operation's own answer.
        const plain = await raw({ method, path, body: '{}' });
        expect(plain.status, plain.text).toBe(method === 'GET' ? 200 : 404);
        // A member of the input belongs in the path or query, never in the body.
        const member = await raw({ method, path, body: '{"meshName":"other"}' });
        expect({ status: member.status, type: member.headers.get('x-amzn-errortype'), body: member.body }).toEqual({
          status: 400,
          type: 'BadRequestException',
          body: { message: 'meshName: must be given in the URI path, not in the body' },
        });
        // Another content type is signed over its bytes, then refused (415), never read as empty.
        const text = await raw({ method, path, body: 'hello', headers: { 'content-type': 'text/plain' } });
        expect([text.status, text.headers.get('x-amzn-errortype')]).toEqual([415, 'UnsupportedMediaTypeException']);
        // Bytes other than the signed ones fail the signature, whatever the method.
        const tampered = await raw({ method, path, body: '{}', sentBody: '{"x":1}' });
        expect([tampered.status, tampered.headers.get('x-amzn-errortype')]).toEqual([403, 'InvalidSignatureException']);
        const bad = await raw({ method, path, body: '{bad' });
        expect([bad.status, bad.headers.get('x-amzn-errortype')]).toEqual([400, 'BadRequestException']);
      }
    });

    it('the operator and tenant APIs decode bodies the same way', async () => {
      const auth = { authorization: `Bearer ${api.config.adminToken}` };
      expectAppMeshError(
        await call(
          api.baseUrl,
          'POST',
          '/admin/v1/tenants',
          { ...auth, 'content-type': 'application/x-www-form-urlencoded' },
          'name=x',
        ),
        415,
        'UnsupportedMediaTypeException',
      );
      expectAppMeshError(
        await call(api.baseUrl, 'POST', '/admin/v1/tenants', { ...auth, 'content-type': 'application/json' }, 'null'),
        400,
        'BadRequestException',
      );
      const bearer = { authorization: `Bearer ${tenant.apiToken.token}` };
      expectAppMeshError(
        await call(api.baseUrl, 'POST', '/v1/access-keys', { ...bearer, 'content-type': 'text/plain' }, '{}'),
        415,
        'UnsupportedMediaTypeException',
      );
    });
  });
});

describe('HTTP strictness while shutting down', () => {
  it('answers a request that arrives while the server closes with 503 ServiceUnavailableException', async () => {
    const api = await startTestApp();
    const socket = await openSocket(api.baseUrl);
    const host = new URL(api.baseUrl).host;
    try {
      // A kept-alive connection with a request under way (its headers not yet complete) is not
      // idle, so closing the server waits for it instead of dropping it.
      const first = await new Promise<string>((resolve) => {
        socket.once('data', (chunk: Buffer) => resolve(chunk.toString('utf8')));
        socket.write(`GET /healthz HTTP/1.1\r\nHost: ${host}\r\n\r\nGET /healthz HTTP/1.1\r\nHost: ${host}\r\n`);
      });
      expect(first).toMatch(/^HTTP\/1\.1 200/);
      const closed = api.close();
      await expect.poll(() => api.app.getHttpServer().listening, { timeout: 10_000 }).toBe(false);
      const exchange = await readUntilClosed(socket, '\r\n', 10_000);
      const message = expectAppMeshError(exchange.response!, 503, 'ServiceUnavailableException');
      expect(message).toMatch(/shutting down/);
      expect(exchange.response?.headers['connection']).toBe('close');
      await closed;
    } finally {
      socket.destroy();
    }
  });
});
