import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AppMeshModel } from './app-mesh-model.js';
import { KIND_RULES } from '../resources/kind-registry.js';
import { buildOpenApiDocument, MESHPLANE_STATUS_OPERATIONS, openApiPath, type JsonObject } from './openapi.js';

const DOC = new URL('../../../docs/api/openapi.json', import.meta.url);
const model = AppMeshModel.load();
const doc = buildOpenApiDocument(model);

type Operation = JsonObject & { operationId: string; parameters?: JsonObject[]; responses: Record<string, JsonObject> };
const paths = doc.paths as Record<string, Record<string, Operation>>;
const schemas = (doc.components as { schemas: Record<string, JsonObject> }).schemas;

describe('docs/api/openapi.json', () => {
  it('is what the App Mesh model generates', () => {
    const committed: unknown = existsSync(DOC) ? JSON.parse(readFileSync(DOC, 'utf8')) : undefined;
    expect(committed, 'docs/api/openapi.json is out of date with the App Mesh model: run npm run docs:openapi').toEqual(
      doc,
    );
  });

  it('is deterministic', () => {
    expect(JSON.stringify(buildOpenApiDocument(model))).toBe(JSON.stringify(doc));
  });
});

describe('buildOpenApiDocument', () => {
  it('describes every operation once, at its path and method', () => {
    const found = Object.entries(paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, op]) => ({ path, method, name: op.operationId })),
    );
    expect(found.map((f) => f.name).sort()).toEqual([...model.operations.keys()].sort());
    for (const f of found) {
      const op = model.operations.get(f.name as never);
      expect(op && openApiPath(op.requestUri), f.name).toBe(f.path);
      expect(op?.method.toLowerCase(), f.name).toBe(f.method);
    }
    expect(doc.openapi).toBe('3.1.0');
  });

  it('has path and query parameters, a request body and responses', () => {
    const create = paths['/v20190125/meshes/{meshName}/virtualNodes']?.put;
    expect(create?.parameters).toEqual([
      expect.objectContaining({
        name: 'meshName',
        in: 'path',
        required: true,
        schema: { $ref: '#/components/schemas/ResourceName' },
      }),
      expect.objectContaining({
        name: 'meshOwner',
        in: 'query',
        required: false,
        schema: { $ref: '#/components/schemas/AccountId' },
      }),
    ]);
    const body = (create?.requestBody as { content: Record<string, { schema: JsonObject }> }).content[
      'application/json'
    ]?.schema;
    expect(body).toMatchObject({ type: 'object', required: ['spec', 'virtualNodeName'], additionalProperties: false });
    expect(Object.keys(body?.properties as JsonObject)).toEqual(['clientToken', 'spec', 'tags', 'virtualNodeName']);
    expect(create?.responses['200']).toMatchObject({
      content: { 'application/json': { schema: { $ref: '#/components/schemas/VirtualNodeData' } } },
    });
    expect(create?.responses['400']).toMatchObject({
      headers: {
        'x-amzn-ErrorType': {
          schema: { enum: ['BadRequestException', 'IncompleteSignatureException', 'LimitExceededException'] },
        },
      },
      content: {
        'application/json': {
          schema: {
            anyOf: [
              { $ref: '#/components/schemas/BadRequestException' },
              { $ref: '#/components/schemas/IncompleteSignatureException' },
              { $ref: '#/components/schemas/LimitExceededException' },
            ],
          },
        },
      },
    });
    expect(Object.keys(create?.responses ?? {})).toEqual([
      '200',
      '400',
      '403',
      '404',
      '408',
      '409',
      '413',
      '415',
      '429',
      '431',
      '500',
      '503',
    ]);
    expect(paths['/v20190125/meshes']?.get?.responses['200']).toMatchObject({
      content: { 'application/json': { schema: { $ref: '#/components/schemas/ListMeshesOutput' } } },
    });
    expect(paths['/v20190125/meshes/{meshName}']?.get?.requestBody).toBeUndefined();
  });

  it('turns shapes into JSON Schemas', () => {
    expect(schemas.ListenerPort).toEqual({ type: 'integer', format: 'int32', minimum: 1, maximum: 65535 });
    expect(schemas.ResourceName).toEqual({ type: 'string', minLength: 1, maxLength: 255 });
    expect(schemas.PortProtocol).toEqual({ type: 'string', enum: ['http', 'tcp', 'http2', 'grpc'] });
    expect(schemas.AwsCloudMapInstanceAttributeKey).toMatchObject({ pattern: '^[a-zA-Z0-9!-~]+$' });
    expect(schemas.TagList).toEqual({
      type: 'array',
      items: { $ref: '#/components/schemas/TagRef' },
      minItems: 0,
      maxItems: 50,
    });
    expect(schemas.VirtualServiceProvider).toMatchObject({
      type: 'object',
      minProperties: 1,
      maxProperties: 1,
      additionalProperties: false,
    });
    expect(schemas.Timestamp).toMatchObject({ type: 'number' });
    expect(schemas.Timestamp?.description).toContain('seconds since the Unix epoch');
    expect(schemas.TagRef).toMatchObject({ required: ['key', 'value'] });
    expect(schemas.CreateVirtualNodeInput).toBeUndefined();
    expect(schemas.NotFoundException).toMatchObject({ type: 'object', properties: { message: expect.anything() } });
  });

  it('declares SigV4', () => {
    expect(doc.security).toEqual([{ sigv4: [] }]);
    expect((doc.components as { securitySchemes: JsonObject }).securitySchemes.sigv4).toMatchObject({
      type: 'apiKey',
      in: 'header',
      name: 'Authorization',
    });
  });

  it("lists the errors meshplane sends besides the model's on every operation", () => {
    for (const item of Object.values(paths)) {
      for (const op of Object.values(item)) {
        const types = (status: string) =>
          ((op.responses[status]?.headers as { 'x-amzn-ErrorType': { schema: { enum: string[] } } } | undefined)?.[
            'x-amzn-ErrorType'
          ].schema.enum ?? []) as string[];
        expect(types('403'), op.operationId).toEqual([
          'ForbiddenException',
          'InvalidSignatureException',
          'MissingAuthenticationTokenException',
          'UnrecognizedClientException',
        ]);
        expect(types('400'), op.operationId).toContain('IncompleteSignatureException');
        expect(types('408'), op.operationId).toEqual(['RequestTimeoutException']);
        expect(types('413'), op.operationId).toEqual(['RequestEntityTooLargeException']);
        expect(types('415'), op.operationId).toEqual(['UnsupportedMediaTypeException']);
        expect(types('429'), op.operationId).toEqual(['TooManyRequestsException']);
        expect(types('431'), op.operationId).toEqual(['RequestHeaderFieldsTooLargeException']);
        expect(types('503'), op.operationId).toEqual(['ServiceUnavailableException']);
      }
    }
    expect(schemas.UnsupportedMediaTypeException).toMatchObject({
      type: 'object',
      properties: { message: { type: 'string' } },
    });
    expect((doc.components as { responses: Record<string, JsonObject> }).responses.UnknownOperation).toMatchObject({
      headers: { 'x-amzn-ErrorType': { schema: { enum: ['UnknownOperationException'] } } },
      content: { 'application/json': { schema: { $ref: '#/components/schemas/UnknownOperationException' } } },
    });
  });

  it('adds meshplaneStatus to the Describe output of every kind but meshes', () => {
    const kinds = Object.values(KIND_RULES).map((rules) => `Describe${rules.apiName}`);
    expect([...MESHPLANE_STATUS_OPERATIONS].sort()).toEqual(kinds.sort());
    const describe = paths['/v20190125/meshes/{meshName}/virtualNodes/{virtualNodeName}']?.get;
    expect(describe?.responses['200']).toMatchObject({
      content: {
        'application/json': { schema: { $ref: '#/components/schemas/VirtualNodeDataWithMeshplaneStatus' } },
      },
    });
    expect(schemas.VirtualNodeDataWithMeshplaneStatus).toMatchObject({
      ...schemas.VirtualNodeData,
      properties: {
        ...(schemas.VirtualNodeData?.properties as JsonObject),
        meshplaneStatus: { $ref: '#/components/schemas/MeshplaneStatus', 'x-meshplane-extension': true },
      },
    });
    expect(schemas.MeshplaneStatus).toMatchObject({
      required: ['translation'],
      properties: { translation: { enum: ['OK', 'DEGRADED', 'REJECTED', 'PENDING'] } },
    });
    expect(paths['/v20190125/meshes/{meshName}']?.get?.responses['200']).toMatchObject({
      content: { 'application/json': { schema: { $ref: '#/components/schemas/MeshData' } } },
    });
  });

  it('only references schemas it defines', () => {
    const refs = JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g);
    for (const [, name] of refs) expect(schemas[name ?? ''], name).toBeDefined();
  });
});
