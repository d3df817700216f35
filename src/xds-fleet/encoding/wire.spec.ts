import { describe, expect, it } from 'vitest';
import { TYPE } from '../translator/envoy-types.js';
import { decodeMessage, encodeMessage, messageType, structToJson } from './protos.js';
import {
  decodeDeltaDiscoveryRequest,
  decodeDiscoveryRequest,
  deltaDiscoveryResponse,
  deltaResource,
  discoveryResponse,
  encodeResourceAny,
} from './wire.js';

const cluster = {
  name: 'cds_egress_m_a_http_8080',
  type: 'EDS',
  connect_timeout: '1.5s',
  eds_cluster_config: { eds_config: { ads: {}, resource_api_version: 'V3' } },
  metadata: { filter_metadata: { meshplane: { arn: 'arn:aws:appmesh:r:1:mesh/m/virtualNode/a' } } },
};

describe('xDS wire format from pre-encoded resources', () => {
  it('assembles a DiscoveryResponse that protobufjs decodes field for field', () => {
    const any = encodeResourceAny(TYPE.cluster, cluster);
    const bytes = discoveryResponse('v1', TYPE.cluster, [any, any], 'n7');
    const type = messageType('envoy.service.discovery.v3.DiscoveryResponse');
    const decoded = type.toObject(type.decode(bytes), { longs: String, enums: String }) as Record<string, unknown>;
    expect(decoded['version_info']).toBe('v1');
    expect(decoded['type_url']).toBe(TYPE.cluster);
    expect(decoded['nonce']).toBe('n7');
    const resources = decoded['resources'] as { type_url: string; value: Uint8Array }[];
    expect(resources).toHaveLength(2);
    expect(resources[0]!.type_url).toBe(TYPE.cluster);
    const back = decodeMessage('envoy.config.cluster.v3.Cluster', resources[0]!.value);
    expect(back['name']).toBe(cluster.name);
    expect(back['type']).toBe('EDS');
    expect(back['connect_timeout']).toEqual({ seconds: '1', nanos: 500_000_000 });
    const metadata = back['metadata'] as { filter_metadata: Record<string, unknown> };
    expect(structToJson(metadata.filter_metadata['meshplane'])).toEqual(cluster.metadata.filter_metadata.meshplane);
  });

  it('assembles a DeltaDiscoveryResponse with resources and removals', () => {
    const any = encodeResourceAny(TYPE.cluster, cluster);
    const encoded = deltaResource({ name: cluster.name, version: 'h1', any });
    const bytes = deltaDiscoveryResponse('s1', TYPE.cluster, [encoded], ['gone'], 'n1');
    const decoded = decodeMessage('envoy.service.discovery.v3.DeltaDiscoveryResponse', bytes);
    expect(decoded['system_version_info']).toBe('s1');
    expect(decoded['nonce']).toBe('n1');
    expect(decoded['removed_resources']).toEqual(['gone']);
    const [resource] = decoded['resources'] as { name: string; version: string; resource: { type_url: string } }[];
    expect(resource).toMatchObject({ name: cluster.name, version: 'h1', resource: { type_url: TYPE.cluster } });
  });

  it('decodes requests, with node metadata as plain JSON and NACK details', () => {
    const bytes = encodeMessage('envoy.service.discovery.v3.DiscoveryRequest', {
      version_info: '3',
      node: { id: 'mesh/m/virtualNode/a', cluster: 'a', metadata: { meshplane: { ingressPort: 16000 } } },
      resource_names: ['x'],
      type_url: TYPE.cluster,
      response_nonce: '4',
      error_detail: { code: 3, message: 'bad cluster' },
    });
    expect(decodeDiscoveryRequest(bytes)).toMatchObject({
      versionInfo: '3',
      node: { id: 'mesh/m/virtualNode/a', cluster: 'a', metadata: { meshplane: { ingressPort: 16000 } } },
      resourceNames: ['x'],
      responseNonce: '4',
      errorDetail: { code: 3, message: 'bad cluster' },
    });
    const delta = encodeMessage('envoy.service.discovery.v3.DeltaDiscoveryRequest', {
      type_url: TYPE.cluster,
      resource_names_subscribe: ['a', 'b'],
      resource_names_unsubscribe: ['c'],
      initial_resource_versions: { a: 'h' },
    });
    expect(decodeDeltaDiscoveryRequest(delta)).toMatchObject({
      subscribe: ['a', 'b'],
      unsubscribe: ['c'],
      initialVersions: { a: 'h' },
      responseNonce: '',
    });
  });

  it('refuses bytes that are not a request', () => {
    expect(() => decodeDiscoveryRequest(Buffer.from([0xff, 0xff, 0xff, 0xff]))).toThrow();
  });

  it('names an unknown field instead of dropping it', () => {
    expect(() => encodeMessage('envoy.config.cluster.v3.Cluster', { name: 'x', conect_timeout: '1s' })).toThrow(
      /Cluster has no field conect_timeout/,
    );
  });
});
