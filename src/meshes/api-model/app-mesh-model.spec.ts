import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  APP_MESH_MODEL_URL,
  AppMeshModel,
  OPERATION_NAMES,
  toFastifyPath,
  type OperationName,
} from './app-mesh-model.js';
import { uriLabels } from './operations.js';

const raw = JSON.parse(readFileSync(APP_MESH_MODEL_URL, 'utf8')) as { operations: Record<string, unknown> };

// Compile-time half of the check: every OperationName is a key here, and nothing else is.
const EVERY_OPERATION: Record<OperationName, true> = Object.fromEntries(
  OPERATION_NAMES.map((n) => [n, true]),
) as Record<OperationName, true>;

describe('AppMeshModel operations', () => {
  const model = AppMeshModel.load();

  it('OperationName is exactly the model operations', () => {
    const modelNames = Object.keys(raw.operations).sort();
    expect(modelNames).toHaveLength(38);
    expect([...OPERATION_NAMES].sort()).toEqual(modelNames);
    expect(Object.keys(EVERY_OPERATION).sort()).toEqual(modelNames);
    expect([...model.operations.keys()].sort()).toEqual(modelNames);
  });

  it('is loaded once', () => {
    expect(AppMeshModel.load()).toBe(model);
  });

  it('converts request URIs to Fastify paths', () => {
    expect(model.operation('CreateVirtualNode')).toMatchObject({
      method: 'PUT',
      requestUri: '/v20190125/meshes/{meshName}/virtualNodes',
      fastifyPath: '/v20190125/meshes/:meshName/virtualNodes',
      inputShape: 'CreateVirtualNodeInput',
      outputShape: 'CreateVirtualNodeOutput',
    });
    expect(model.operation('DeleteGatewayRoute').fastifyPath).toBe(
      '/v20190125/meshes/:meshName/virtualGateway/:virtualGatewayName/gatewayRoutes/:gatewayRouteName',
    );
    expect(model.operation('ListTagsForResource')).toMatchObject({ method: 'GET', fastifyPath: '/v20190125/tags' });
    expect(toFastifyPath('/buckets/{Bucket}/{Key+}')).toBe('/buckets/:Bucket/*');
    expect(toFastifyPath('/{Bucket}?tagging')).toBe('/:Bucket');
  });

  it('has one uri member per URI label, and unique method + path pairs', () => {
    const routes = new Set<string>();
    for (const op of model.operations.values()) {
      const input = model.shape(op.inputShape);
      if (input.type !== 'structure') throw new Error(`${op.inputShape} is not a structure`);
      const uriMembers = input.members.filter((m) => m.location === 'uri').map((m) => m.locationName);
      expect(uriLabels(op.requestUri).sort(), op.name).toEqual(uriMembers.sort());
      expect(op.fastifyPath.split('/').filter((s) => s.startsWith(':')).length, op.name).toBe(uriMembers.length);
      routes.add(`${op.method} ${op.fastifyPath}`);
    }
    expect(routes.size).toBe(38);
  });

  it('detects output payloads', () => {
    expect(model.operation('CreateMesh').outputPayload).toBe('mesh');
    expect(model.operation('DescribeVirtualNode').outputPayload).toBe('virtualNode');
    expect(model.operation('UpdateGatewayRoute').outputPayload).toBe('gatewayRoute');
    expect(model.operation('ListMeshes').outputPayload).toBeUndefined();
    expect(model.operation('TagResource').outputPayload).toBeUndefined();
    const withoutPayload = [...model.operations.values()].filter((op) => op.outputPayload === undefined);
    expect(withoutPayload.map((op) => op.name).every((name) => /^List|^(Un)?[Tt]agResource$/.test(name))).toBe(true);
    expect(withoutPayload).toHaveLength(10);
  });

  it('lists error shapes with their HTTP status codes', () => {
    expect(model.operation('CreateMesh').errors).toEqual(
      expect.arrayContaining(['BadRequestException', 'ConflictException', 'LimitExceededException']),
    );
    expect(model.operation('TagResource').errors).toContain('TooManyTagsException');
    expect(model.shape('TooManyRequestsException')).toMatchObject({
      type: 'structure',
      error: { httpStatusCode: 429, senderFault: true },
    });
    expect(model.shape('InternalServerErrorException')).toMatchObject({ error: { httpStatusCode: 500 } });
  });

  it('gives a typed view of shapes', () => {
    expect(model.shape('PortProtocol')).toEqual({
      name: 'PortProtocol',
      type: 'string',
      enum: ['http', 'tcp', 'http2', 'grpc'],
    });
    expect(model.shape('ListenerPort')).toMatchObject({ type: 'integer', min: 1, max: 65535 });
    expect(model.shape('TagList')).toMatchObject({ type: 'list', member: 'TagRef', min: 0, max: 50 });
    const provider = model.shape('VirtualServiceProvider');
    expect(provider).toMatchObject({ type: 'structure', union: true, required: [] });
    const input = model.shape('ListVirtualNodesInput');
    expect(input.type === 'structure' && input.members.find((m) => m.name === 'limit')).toMatchObject({
      shape: 'ListVirtualNodesLimit',
      location: 'querystring',
      locationName: 'limit',
      required: false,
    });
    const create = model.shape('CreateMeshInput');
    expect(create.type === 'structure' && create.members.find((m) => m.name === 'clientToken')).toMatchObject({
      idempotencyToken: true,
      required: false,
    });
    expect(() => model.shape('NoSuchShape')).toThrow('the App Mesh model has no shape NoSuchShape');
  });

  it('enforces every pattern of the model', () => {
    expect([...model.unsupportedPatterns]).toEqual([]);
  });
});
