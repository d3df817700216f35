import { describe, expect, it } from 'vitest';
import { buildSnapshot, type MeshInput } from '../../../test/support/snapshot-builder.js';
import type { MeshSnapshot } from '../snapshot/mesh-snapshot.js';
import { affectedViews } from './incremental.js';
import { translate } from './translate.js';

/** A mesh where every resource carries a version, as loaded from the database. */
function mesh(weights: [number, number] = [80, 20], extra: Partial<MeshInput> = {}): MeshSnapshot {
  const node = (name: string, port = 8080) => ({
    name,
    spec: {
      listeners: [{ portMapping: { port, protocol: 'http' } }],
      serviceDiscovery: { dns: { hostname: `${name}.local` } },
    },
  });
  const snapshot = buildSnapshot({
    mesh: { name: 'm' },
    virtualNodes: [
      node('blue'),
      node('green'),
      node('other'),
      { name: 'client', spec: { backends: [{ virtualService: { virtualServiceName: 'web.local' } }] } },
      { name: 'bystander', spec: { backends: [{ virtualService: { virtualServiceName: 'other.local' } }] } },
    ],
    virtualRouters: [
      {
        name: 'web',
        spec: { listeners: [{ portMapping: { port: 80, protocol: 'http' } }] },
        routes: [
          {
            name: 'split',
            spec: {
              httpRoute: {
                match: { prefix: '/' },
                action: {
                  weightedTargets: [
                    { virtualNode: 'blue', weight: weights[0] },
                    { virtualNode: 'green', weight: weights[1] },
                  ],
                },
              },
            },
          },
        ],
      },
    ],
    virtualServices: [
      { name: 'web.local', spec: { provider: { virtualRouter: { virtualRouterName: 'web' } } } },
      { name: 'other.local', spec: { provider: { virtualNode: { virtualNodeName: 'other' } } } },
    ],
    ...extra,
  });
  return withVersions(snapshot, weights[0] === 80 ? 1 : 2);
}

/** Version 1 everywhere, except `routeVersion` on the route (it is the thing that changes). */
function withVersions(s: MeshSnapshot, routeVersion: number): MeshSnapshot {
  const v = <T extends object>(r: T, version = 1) => ({ ...r, version });
  return {
    ...s,
    meshVersion: 1,
    virtualNodes: s.virtualNodes.map((n) => v(n)),
    virtualServices: s.virtualServices.map((n) => v(n)),
    virtualRouters: s.virtualRouters.map((r) => ({ ...v(r), routes: r.routes.map((x) => v(x, routeVersion)) })),
    virtualGateways: s.virtualGateways.map((g) => ({ ...v(g), gatewayRoutes: g.gatewayRoutes.map((x) => v(x)) })),
  };
}

describe('incremental translation', () => {
  it('rebuilds only the views a route change can affect, reusing the others as the same objects', () => {
    const before = mesh();
    const after = mesh([10, 90]);
    const first = translate(before);
    const affected = affectedViews(before, after);
    expect(affected).toEqual(new Set(['virtualNode/client', 'proxyless/web.local']));

    const next = translate(after, undefined, { snapshot: before, result: first });
    expect(next.views.get('virtualNode/bystander')).toBe(first.views.get('virtualNode/bystander'));
    expect(next.views.get('virtualNode/blue')).toBe(first.views.get('virtualNode/blue'));
    expect(next.views.get('virtualNode/client')).not.toBe(first.views.get('virtualNode/client'));
  });

  it.each([
    ['a route weight', () => mesh([10, 90])],
    [
      'a removed route',
      () => withVersions({ ...mesh(), virtualRouters: mesh().virtualRouters.map((r) => ({ ...r, routes: [] })) }, 1),
    ],
    [
      'a new virtual service',
      () =>
        withVersions(
          buildSnapshotWith({
            virtualServices: [{ name: 'new.local', spec: { provider: { virtualNode: { virtualNodeName: 'green' } } } }],
          }),
          1,
        ),
    ],
    ['endpoints of a node', () => ({ ...mesh(), endpoints: { green: [{ address: '10.0.0.7', port: 0 }] } })],
  ])('gives exactly what a full translation gives after %s', (_change, make) => {
    const before = mesh();
    const after = make();
    const incremental = translate(after, undefined, { snapshot: before, result: translate(before) });
    const full = translate(after);
    expect(incremental.views).toEqual(full.views);
    expect(incremental.problems).toEqual(full.problems);
  });

  it('counts a node whose endpoints changed as changed, and only that node', () => {
    const before = mesh();
    const after = { ...before, endpoints: { green: [{ address: '10.0.0.7', port: 0, zone: 'a' }] } };
    expect(affectedViews(before, after)).toEqual(
      new Set(['virtualNode/green', 'virtualNode/client', 'proxyless/web.local']),
    );
    expect(affectedViews(after, { ...after, endpoints: { ...after.endpoints } })).toEqual(new Set());
  });

  it('falls back to a full translation when versions are unknown or the mesh changed', () => {
    const before = mesh();
    expect(affectedViews(before, { ...before, meshVersion: 2 })).toBe('all');
    expect(
      affectedViews({ ...before, virtualNodes: before.virtualNodes.map(({ version: _v, ...n }) => n) }, before),
    ).toBe('all');
  });
});

function buildSnapshotWith(extra: Partial<MeshInput>): MeshSnapshot {
  const base = mesh();
  const added = buildSnapshot({ mesh: { name: 'm' }, ...extra });
  return { ...base, virtualServices: [...base.virtualServices, ...added.virtualServices] };
}
