import { describe, expect, it } from 'vitest';
import type { ResourceKind } from '../../generated/prisma/client.js';
import type { MeshContent } from '../../meshes/resources/mesh-resources.service.js';
import type { ResourceData } from '../../meshes/resources/resource-views.js';
import { meshTopology } from './mesh-topology.js';

function content(kind: ResourceKind, name: string, spec: unknown, parentName = ''): MeshContent {
  const arn = `arn:aws:appmesh:eu-west-1:111122223333:mesh/m/${kind}/${parentName ? `${parentName}/` : ''}${name}`;
  return { kind, name, parentName, data: { meshName: 'm', spec, metadata: { arn } } as unknown as ResourceData };
}

describe('meshTopology', () => {
  it('lists nodes in the order traffic flows and draws only edges between resources it has', () => {
    const t = meshTopology([
      content('virtualNode', 'a', { backends: [{ virtualService: { virtualServiceName: 'gone' } }] }),
      content(
        'route',
        'r',
        {
          tcpRoute: {
            action: {
              weightedTargets: [
                { virtualNode: 'a', weight: 0 },
                { virtualNode: 'x', weight: 5 },
              ],
            },
          },
        },
        'vr',
      ),
      content('virtualRouter', 'vr', {}),
      content('virtualGateway', 'gw', {}),
      content(
        'gatewayRoute',
        'g',
        { grpcRoute: { action: { target: { virtualService: { virtualServiceName: 'gone' } } } } },
        'gw',
      ),
    ]);
    expect(t.nodes.map((n) => n.id)).toEqual([
      'virtualGateway/gw',
      'gatewayRoute/gw/g',
      'virtualRouter/vr',
      'route/vr/r',
      'virtualNode/a',
    ]);
    // The backend, the gateway route's target and node `x` do not exist: no edge to them.
    expect(t.edges).toEqual([
      { from: 'virtualGateway/gw', to: 'gatewayRoute/gw/g', kind: 'GATEWAY_ROUTE', weight: null },
      { from: 'virtualRouter/vr', to: 'route/vr/r', kind: 'ROUTE', weight: null },
      { from: 'route/vr/r', to: 'virtualNode/a', kind: 'WEIGHTED_TARGET', weight: 0 },
    ]);
  });

  it('keeps names that look like ids apart by kind and parent', () => {
    const t = meshTopology([
      content('virtualService', 'a', { provider: { virtualNode: { virtualNodeName: 'a' } } }),
      content('virtualNode', 'a', {}),
    ]);
    expect(t.edges).toEqual([{ from: 'virtualService/a', to: 'virtualNode/a', kind: 'PROVIDER', weight: null }]);
  });
});
