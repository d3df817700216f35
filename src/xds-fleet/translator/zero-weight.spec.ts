import { describe, expect, it } from 'vitest';
import { buildSnapshot } from '../../../test/support/snapshot-builder.js';
import { consistent } from './consistency.js';
import { translate } from './translate.js';

describe('weighted targets at weight 0', () => {
  it('leaves out a route whose every target has weight 0, and says why', () => {
    const node = (port: number) => ({
      listeners: [{ portMapping: { port, protocol: 'http' } }],
      serviceDiscovery: { dns: { hostname: `n${port}.local` } },
    });
    const result = translate(
      buildSnapshot({
        mesh: { name: 'shop' },
        virtualNodes: [
          { name: 'blue', spec: node(8080) },
          { name: 'client', spec: { backends: [{ virtualService: { virtualServiceName: 'web.shop.local' } }] } },
        ],
        virtualRouters: [
          {
            name: 'web',
            spec: { listeners: [{ portMapping: { port: 80, protocol: 'http' } }] },
            routes: [
              {
                name: 'nowhere',
                spec: {
                  httpRoute: {
                    match: { prefix: '/' },
                    action: { weightedTargets: [{ virtualNode: 'blue', weight: 0 }] },
                  },
                },
              },
            ],
          },
        ],
        virtualServices: [
          { name: 'web.shop.local', spec: { provider: { virtualRouter: { virtualRouterName: 'web' } } } },
        ],
      }),
    );
    expect(result.problems).toEqual([
      expect.objectContaining({
        arn: expect.stringContaining('/route/nowhere'),
        message: expect.stringContaining('weight 0'),
      }),
    ]);
    expect(consistent(result.views)).toEqual([]);
    expect([...result.views.get('virtualNode/client')!.clusters.keys()]).not.toContain(
      'cds_egress_shop_blue_http_8080',
    );
  });
});
