import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { ENVOY_VERSION } from '../../../scripts/lib/peers.mjs';
import { TYPE } from '../translator/envoy-types.js';
import { decodeMessage, encodeMessage, messageType, structToJson } from './protos.js';

describe('the Envoy proto set the encoder uses', () => {
  it('comes from the release of the Envoy the project runs and supports', () => {
    const goMod = readFileSync(new URL('../../../protos/go.mod', import.meta.url), 'utf8');
    const pinned = /github\.com\/envoyproxy\/go-control-plane\/envoy v(\S+)/.exec(goMod)?.[1];
    expect(pinned).toBe(ENVOY_VERSION);
  });

  it('has the fields current Envoy has and older vendored sets lack', () => {
    expect(messageType('envoy.config.route.v3.RouteConfiguration').fields['vhost_header']).toBeDefined();
    expect(messageType('envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector')).toBeInstanceOf(
      protobuf.Type,
    );
  });

  it('has every resource type the ADS server serves', () => {
    for (const url of [TYPE.listener, TYPE.routeConfiguration, TYPE.cluster, TYPE.clusterLoadAssignment, TYPE.secret])
      expect(messageType(url.slice(url.lastIndexOf('/') + 1))).toBeInstanceOf(protobuf.Type);
  });

  it('reads map fields as maps (the descriptor spells them as repeated entries)', () => {
    expect(messageType('google.protobuf.Struct').fields['fields']).toBeInstanceOf(protobuf.MapField);
    expect(messageType('envoy.config.core.v3.Metadata').fields['filter_metadata']).toBeInstanceOf(protobuf.MapField);
    // …but only those: a message that merely contains a map entry keeps its repeated fields.
    const statics = messageType('envoy.config.bootstrap.v3.Bootstrap.StaticResources').fields['clusters'];
    expect(statics?.repeated).toBe(true);
    expect(statics?.resolve().resolvedType?.fullName).toBe('.envoy.config.cluster.v3.Cluster');
  });

  it('round-trips metadata maps and Struct values', () => {
    const metadata = { filter_metadata: { meshplane: { arn: 'arn:x', n: 2, ok: true, list: ['a'], none: null } } };
    const back = decodeMessage(
      'envoy.config.core.v3.Metadata',
      encodeMessage('envoy.config.core.v3.Metadata', metadata),
    );
    expect(structToJson((back['filter_metadata'] as Record<string, unknown>)['meshplane'])).toEqual(
      metadata.filter_metadata.meshplane,
    );
  });

  it('refuses what protobufjs would drop without a word: an unknown field or enum name', () => {
    expect(() => encodeMessage('envoy.config.cluster.v3.Cluster', { name: 'c', typo: 1 })).toThrow(
      'envoy.config.cluster.v3.Cluster has no field typo',
    );
    expect(() => encodeMessage('envoy.config.cluster.v3.Cluster', { name: 'c', type: 'STATICK' })).toThrow(
      '"STATICK" is not a value of envoy.config.cluster.v3.Cluster.DiscoveryType',
    );
    expect(() =>
      encodeMessage('envoy.config.route.v3.RouteConfiguration', {
        virtual_hosts: [{ name: 'v', domains: ['*'], require_tls: 'SOMETIMES' }],
      }),
    ).toThrow('virtual_hosts[0].require_tls');
  });
});
