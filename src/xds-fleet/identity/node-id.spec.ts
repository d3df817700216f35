import { describe, expect, it } from 'vitest';
import { nodeIdMatches, proxyResourceArn } from './node-id.js';
import type { ProxyIdentity } from './proxy-identity.js';

const node: ProxyIdentity = {
  tenantId: '00000000-0000-4000-8000-000000000001',
  accountId: '123456789012',
  meshId: '00000000-0000-4000-8000-000000000002',
  meshName: 'shop',
  kind: 'virtualNode',
  name: 'web',
  tokenId: '00000000-0000-4000-8000-000000000003',
};
const gateway: ProxyIdentity = { ...node, kind: 'virtualGateway', name: 'edge' };

describe('nodeIdMatches', () => {
  it('accepts the resource ARN and the mesh/<mesh>/<kind>/<name> form', () => {
    expect(nodeIdMatches(node, 'arn:aws:appmesh:us-east-1:123456789012:mesh/shop/virtualNode/web', 'us-east-1')).toBe(
      true,
    );
    expect(nodeIdMatches(node, 'mesh/shop/virtualNode/web', 'us-east-1')).toBe(true);
    expect(
      nodeIdMatches(gateway, 'arn:aws:appmesh:eu-west-1:123456789012:mesh/shop/virtualGateway/edge', 'eu-west-1'),
    ).toBe(true);
    expect(nodeIdMatches(gateway, 'mesh/shop/virtualGateway/edge', 'us-east-1')).toBe(true);
  });

  it('refuses another resource, kind, mesh, account or region', () => {
    const refused = [
      'mesh/shop/virtualNode/api',
      'mesh/shop/virtualGateway/web',
      'mesh/other/virtualNode/web',
      'arn:aws:appmesh:us-east-1:999999999999:mesh/shop/virtualNode/web',
      'arn:aws:appmesh:eu-west-1:123456789012:mesh/shop/virtualNode/web',
      'arn:aws:appmesh:us-east-1:123456789012:mesh/shop/virtualNode/web2',
      'arn:aws:appmesh:us-east-1:123456789012:mesh/shop',
    ];
    for (const id of refused) expect(nodeIdMatches(node, id, 'us-east-1'), id).toBe(false);
  });

  it('refuses near misses: bare names, other casing, padding, trailing segments', () => {
    const refused = [
      'web',
      '',
      'mesh/shop/virtualnode/web',
      'mesh/Shop/virtualNode/web',
      ' mesh/shop/virtualNode/web',
      'mesh/shop/virtualNode/web/',
      'mesh/shop/virtualNode/web/extra',
      '/mesh/shop/virtualNode/web',
    ];
    for (const id of refused) expect(nodeIdMatches(node, id, 'us-east-1'), JSON.stringify(id)).toBe(false);
  });

  it('formats the ARN generated bootstraps put in node.id', () => {
    expect(proxyResourceArn('us-east-1', '123456789012', 'shop', 'virtualGateway', 'edge')).toBe(
      'arn:aws:appmesh:us-east-1:123456789012:mesh/shop/virtualGateway/edge',
    );
  });
});
