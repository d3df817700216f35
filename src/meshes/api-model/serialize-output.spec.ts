import { describe, expect, it } from 'vitest';
import { AppMeshModel } from './app-mesh-model.js';

const model = AppMeshModel.load();
const createdAt = new Date('2026-01-01T00:00:00.123Z');
const lastUpdatedAt = new Date('2026-01-02T03:04:05.000Z');

const metadata = {
  arn: 'arn:aws:appmesh:eu-west-1:111122223333:mesh/prod/virtualNode/orders-v1',
  uid: 'f6b1c1a4-0000-4000-8000-000000000001',
  version: 3n,
  createdAt,
  lastUpdatedAt,
  meshOwner: '111122223333',
  resourceOwner: '111122223333',
  tenantId: 'internal',
};

describe('serializeOutput', () => {
  it('unwraps the payload member, converts timestamps and longs, and drops undeclared members', () => {
    const body = model.serializeOutput('DescribeVirtualNode', {
      virtualNode: {
        meshName: 'prod',
        virtualNodeName: 'orders-v1',
        metadata,
        spec: { listeners: [{ portMapping: { port: 8080, protocol: 'http' }, internalId: 7 }], backends: [] },
        status: { status: 'ACTIVE' },
        rowVersion: 12,
      },
      requestId: 'not part of the body',
    });
    expect(body).toEqual({
      meshName: 'prod',
      virtualNodeName: 'orders-v1',
      metadata: {
        arn: metadata.arn,
        uid: metadata.uid,
        version: 3,
        createdAt: 1767225600.123,
        lastUpdatedAt: 1767323045,
        meshOwner: '111122223333',
        resourceOwner: '111122223333',
      },
      spec: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }], backends: [] },
      status: { status: 'ACTIVE' },
    });
    expect(JSON.stringify((body as { metadata: unknown }).metadata)).toContain('"createdAt":1767225600.123');
  });

  it('keeps the output structure for operations without a payload', () => {
    const mesh = {
      meshName: 'prod',
      version: 1,
      createdAt,
      lastUpdatedAt,
      arn: 'a',
      meshOwner: 'o',
      resourceOwner: 'r',
    };
    expect(
      model.serializeOutput('ListMeshes', {
        meshes: [mesh, { ...mesh, meshName: 'dev', secret: 1 }],
        nextToken: 't',
        cursor: {},
      }),
    ).toEqual({
      meshes: [
        { ...mesh, createdAt: 1767225600.123, lastUpdatedAt: 1767323045 },
        { ...mesh, meshName: 'dev', createdAt: 1767225600.123, lastUpdatedAt: 1767323045 },
      ],
      nextToken: 't',
    });
    expect(model.serializeOutput('TagResource', { ignored: true })).toEqual({});
  });

  it('omits null and undefined members', () => {
    expect(model.serializeOutput('ListTagsForResource', { tags: [{ key: 'k', value: '' }], nextToken: null })).toEqual({
      tags: [{ key: 'k', value: '' }],
    });
    expect(
      model.serializeOutput('DescribeMesh', { mesh: { meshName: 'prod', spec: { egressFilter: undefined } } }),
    ).toEqual({
      meshName: 'prod',
      spec: {},
    });
  });

  it('passes through timestamps that are already epoch seconds', () => {
    expect(model.serializeOutput('ListMeshes', { meshes: [{ createdAt: 1767225600.5 }] })).toEqual({
      meshes: [{ createdAt: 1767225600.5 }],
    });
  });
});
