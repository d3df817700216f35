import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staticBootstrap } from '../../src/xds-fleet/translator/static-config.js';
import { translate } from '../../src/xds-fleet/translator/translate.js';
import {
  countUpstreams,
  freePorts,
  startEnvoy,
  startUpstream,
  type RunningEnvoy,
  type Upstream,
} from '../support/envoy.js';
import { buildSnapshot } from '../support/snapshot-builder.js';

/**
 * DNS service discovery of `localhost` against an upstream that listens on IPv4 only, as in a
 * local trial. Envoy's resolver answers `localhost` with ::1 as well as 127.0.0.1; with no IP
 * preference set, App Mesh's default (prefer IPv6, fall back to IPv4; ADR 0014) must still reach
 * the upstream. `IPv6_ONLY` is the control: it proves the IPv6 answer exists and cannot connect.
 */
describe('DNS discovery of localhost with an IPv4-only upstream, in a real Envoy', () => {
  let upstream: Upstream;
  let client: RunningEnvoy;
  let egressPort: number;

  beforeAll(async () => {
    upstream = await startUpstream('v4'); // 127.0.0.1 only
    const node = (name: string, dns: Record<string, unknown>) => ({
      name,
      spec: {
        listeners: [{ portMapping: { port: upstream.port, protocol: 'http' } }],
        serviceDiscovery: { dns: { hostname: 'localhost', ...dns } },
      },
    });
    const snapshot = buildSnapshot({
      mesh: { name: 'trial', spec: { egressFilter: { type: 'DROP_ALL' } } },
      virtualNodes: [
        node('default', {}),
        node('v6-preferred', { ipPreference: 'IPv6_PREFERRED' }),
        node('v4-preferred-endpoints', { responseType: 'ENDPOINTS', ipPreference: 'IPv4_PREFERRED' }),
        node('v6-only', { ipPreference: 'IPv6_ONLY' }),
        {
          name: 'client',
          spec: {
            backends: ['default', 'v6-preferred', 'v4-preferred-endpoints', 'v6-only'].map((n) => ({
              virtualService: { virtualServiceName: `${n}.local` },
            })),
          },
        },
      ],
      virtualServices: ['default', 'v6-preferred', 'v4-preferred-endpoints', 'v6-only'].map((n) => ({
        name: `${n}.local`,
        spec: { provider: { virtualNode: { virtualNodeName: n } } },
      })),
    });
    [egressPort] = (await freePorts(1)) as [number];
    const { views, problems } = translate(snapshot, { ingress: egressPort + 1, egress: egressPort });
    expect(problems).toEqual([]);
    client = await startEnvoy(staticBootstrap(views.get('virtualNode/client')!, { adminPort: 0 }));
  });
  afterAll(async () => {
    await client?.stop();
    await upstream?.close();
  });

  it('reaches the upstream with no IP preference set (IPv6 first, then IPv4)', async () => {
    expect(await countUpstreams(egressPort, 'default.local', 10)).toEqual({ v4: 10 });
  });

  it('reaches it with IPv6_PREFERRED, and with IPv4_PREFERRED on ENDPOINTS discovery', async () => {
    expect(await countUpstreams(egressPort, 'v6-preferred.local', 10)).toEqual({ v4: 10 });
    expect(await countUpstreams(egressPort, 'v4-preferred-endpoints.local', 10)).toEqual({ v4: 10 });
  });

  it('cannot reach it with IPv6_ONLY: localhost does resolve to ::1 in this Envoy', async () => {
    const counts = await countUpstreams(egressPort, 'v6-only.local', 3);
    expect(counts['v4']).toBeUndefined();
    expect(counts['503']).toBe(3);
    const clusters = await (await fetch(`http://127.0.0.1:${client.adminPort}/clusters`)).text();
    expect(clusters).toContain(`cds_egress_trial_v6-only_http_${upstream.port}::[::1]:${upstream.port}::`);
  });
});
