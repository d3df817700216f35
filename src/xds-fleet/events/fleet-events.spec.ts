import { describe, expect, it } from 'vitest';
import { fleetEventsChannel, fleetEventsInterestKey, parseFleetEventBatch } from './fleet-events.js';

const connected = {
  type: 'proxyConnected',
  meshId: 'm1',
  meshName: 'shop',
  sessionId: 's1',
  kind: 'virtualNode',
  name: 'web',
  nodeId: 'mesh/shop/virtualNode/web',
  protocol: 'sotw',
  at: '2026-12-06T22:00:00.000Z',
};

describe('fleet events', () => {
  it('reads the batches shards and workers publish', () => {
    const compiled = { type: 'meshCompiled', meshId: 'm1', meshName: 'shop', generation: '3', version: 'v', at: 'x' };
    expect(parseFleetEventBatch(JSON.stringify({ events: [connected, compiled], dropped: 0 }))).toEqual({
      events: [connected, compiled],
      dropped: 0,
    });
  });

  it('counts the events it cannot read as dropped (a newer version during a rolling upgrade), and reads the rest', () => {
    const batch = parseFleetEventBatch(
      JSON.stringify({
        events: [{ type: 'proxyTeleported', meshId: 'm1' }, connected, { ...connected, kind: 'x' }],
        dropped: 2,
      }),
    );
    expect(batch).toEqual({ events: [connected], dropped: 4 });
  });

  it('reads nothing from a message that is not a batch (subscribers then read the state again)', () => {
    for (const message of ['not json', 'null', '[]', '{}', JSON.stringify({ events: 'x' })]) {
      expect(parseFleetEventBatch(message), message).toBeUndefined();
    }
  });

  it("names a tenant's channel and interest mark in the installation namespace, in the tenant's hash slot", () => {
    expect(fleetEventsChannel('meshplane', 't1')).toBe('meshplane:events:{tenant/t1}');
    expect(fleetEventsInterestKey('meshplane', 't1')).toBe('meshplane:events:{tenant/t1}:listening');
  });
});
