import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { ADS_SERVICE } from '../server/ads.service.js';
import { TYPE } from '../translator/envoy-types.js';
import { decodeMessage, encodeMessage, messageType, structToJson } from './protos.js';
import {
  decodeDeltaDiscoveryRequest,
  decodeDiscoveryRequest,
  deltaDiscoveryResponse,
  deltaResource,
  discoveryResponse,
  discoveryResponseBody,
  encodeResourceAny,
  OutboundMessage,
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

  it('completes a shared body with a nonce, written once into the target', () => {
    const body = discoveryResponseBody('v1', TYPE.cluster, [encodeResourceAny(TYPE.cluster, cluster)]);
    const message = new OutboundMessage(body, 'z9');
    const frame = Buffer.alloc(message.byteLength + 7, 0xee);
    expect(message.copy(frame, 5)).toBe(message.byteLength);
    expect(frame.subarray(0, 5)).toEqual(Buffer.alloc(5, 0xee));
    expect(frame.subarray(5 + message.byteLength)).toEqual(Buffer.alloc(2, 0xee));
    const decoded = decodeMessage(
      'envoy.service.discovery.v3.DiscoveryResponse',
      frame.subarray(5, 5 + message.byteLength),
    );
    expect(decoded).toMatchObject({ version_info: 'v1', type_url: TYPE.cluster, nonce: 'z9' });
    expect(message.toBuffer()).toEqual(frame.subarray(5, 5 + message.byteLength));
    expect(() => new OutboundMessage(body, 'x'.repeat(128))).toThrow();
  });

  it('hands grpc-js an OutboundMessage that it frames as the message bytes (the contract ADS_SERVICE relies on)', async () => {
    const server = new grpc.Server();
    const definition = ADS_SERVICE['StreamAggregatedResources']!;
    server.register(
      definition.path,
      (call: grpc.ServerDuplexStream<unknown, OutboundMessage>) => {
        call.on('data', () => {
          call.write(new OutboundMessage(Buffer.from('body bytes'), 'n1'));
          call.end();
        });
      },
      definition.responseSerialize,
      (b: Buffer) => b,
      'bidi',
    );
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) =>
        err ? reject(err) : resolve(p),
      ),
    );
    const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    try {
      const call = client.makeBidiStreamRequest(
        definition.path,
        (b: Buffer) => b,
        (b: Buffer) => b,
      );
      const received = new Promise<Buffer>((resolve, reject) => {
        call.once('data', resolve);
        call.once('error', reject);
      });
      call.write(Buffer.alloc(0));
      const bytes = await received;
      expect(bytes).toEqual(Buffer.concat([Buffer.from('body bytes'), Buffer.from([0x2a, 2]), Buffer.from('n1')]));
      call.end();
    } finally {
      client.close();
      server.forceShutdown();
    }
  });
});
