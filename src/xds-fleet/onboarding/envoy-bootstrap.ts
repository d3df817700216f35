import { isIP } from 'node:net';
import { Document } from 'yaml';
import type { ProxyKind } from '../identity/proxy-identity.js';
import type { BootstrapOptions, XdsAddress } from './bootstrap-options.js';

/** The resource a bootstrap is for. */
export interface BootstrapTarget {
  readonly kind: ProxyKind;
  readonly meshName: string;
  readonly name: string;
  /** The resource's ARN: the bootstrap's `node.id`. */
  readonly arn: string;
}

/** The static cluster through which Envoy reaches the xDS fleet. */
export const XDS_CLUSTER = 'xds_cluster';

const HTTP_PROTOCOL_OPTIONS = 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions';
const UPSTREAM_TLS_CONTEXT = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext';

/** Envoy waits for its first listeners and clusters instead of starting half-configured. */
const ADS_CONFIG_SOURCE = { ads: {}, resource_api_version: 'V3', initial_fetch_timeout: '0s' } as const;

/**
 * An Envoy v3 bootstrap that runs a proxy as `target`: `node.id` is the resource's ARN (which the
 * xDS server checks against the token), `node.cluster` its name; listeners and clusters come over
 * one ADS stream authenticated by the proxy token in the gRPC `initial_metadata` (Envoy's aws_iam
 * credentials, App Mesh's way, are gone from current Envoy). Pure: the same input gives the same
 * bootstrap.
 */
export function envoyBootstrap(target: BootstrapTarget, token: string, options: BootstrapOptions): object {
  return {
    node: {
      id: target.arn,
      cluster: target.name,
      ...(options.zone === undefined ? {} : { locality: { zone: options.zone } }),
      // The capture ports the xDS server compiles the node's listeners for, and the address the
      // proxy registers as an endpoint of its node (when given; else its stream's source address).
      ...(target.kind === 'virtualNode'
        ? {
            metadata: {
              meshplane: {
                ingressPort: options.ingressPort,
                egressPort: options.egressPort,
                ...(options.address === undefined ? {} : { address: options.address }),
              },
            },
          }
        : {}),
    },
    admin: { address: { socket_address: { address: '127.0.0.1', port_value: options.adminPort } } },
    dynamic_resources: {
      ads_config: {
        api_type: 'GRPC',
        transport_api_version: 'V3',
        // The node is sent once per stream, as proxyless gRPC clients do anyway.
        set_node_on_first_message_only: true,
        grpc_services: [
          {
            envoy_grpc: { cluster_name: XDS_CLUSTER },
            initial_metadata: [{ key: 'authorization', value: `Bearer ${token}` }],
          },
        ],
      },
      lds_config: ADS_CONFIG_SOURCE,
      cds_config: ADS_CONFIG_SOURCE,
    },
    static_resources: { clusters: [xdsCluster(options.xds)] },
  };
}

function xdsCluster(xds: XdsAddress): object {
  const ip = isIP(xds.host) !== 0;
  return {
    name: XDS_CLUSTER,
    // An IP needs no resolution; a name (a load balancer's) is re-resolved as its addresses change.
    type: ip ? 'STATIC' : 'STRICT_DNS',
    connect_timeout: '5s',
    load_assignment: {
      cluster_name: XDS_CLUSTER,
      endpoints: [
        { lb_endpoints: [{ endpoint: { address: { socket_address: { address: xds.host, port_value: xds.port } } } }] },
      ],
    },
    typed_extension_protocol_options: {
      [HTTP_PROTOCOL_OPTIONS]: {
        '@type': `type.googleapis.com/${HTTP_PROTOCOL_OPTIONS}`,
        // gRPC is HTTP/2. The keepalive notices a fleet that vanished without closing the stream
        // (a load balancer's idle timeout, a dead host), so Envoy reconnects to another shard.
        explicit_http_config: {
          http2_protocol_options: { connection_keepalive: { interval: '30s', timeout: '10s' } },
        },
      },
    },
    upstream_connection_options: { tcp_keepalive: {} },
    ...(xds.tls ? { transport_socket: tlsTransportSocket(xds, ip) } : {}),
  };
}

/**
 * TLS to the xDS fleet, verifying its certificate against `caFile` and its name (or IP) against the
 * certificate's subject alternative names: a bundle of public CAs alone would accept anyone's
 * certificate.
 */
function tlsTransportSocket(xds: XdsAddress, ip: boolean): object {
  const name = xds.host.replace(/\.$/, '');
  return {
    name: 'envoy.transport_sockets.tls',
    typed_config: {
      '@type': UPSTREAM_TLS_CONTEXT,
      ...(ip ? {} : { sni: name }),
      common_tls_context: {
        alpn_protocols: ['h2'],
        validation_context: {
          trusted_ca: { filename: xds.caFile },
          match_typed_subject_alt_names: [{ san_type: ip ? 'IP_ADDRESS' : 'DNS', matcher: { exact: name } }],
        },
      },
    },
  };
}

/**
 * The bootstrap as YAML. Every string is double-quoted: Envoy reads YAML 1.1 (yaml-cpp), where a
 * plain `yes`, `no`, `on` or `off` would be a boolean. The header says what the file is, that it
 * holds a secret, and how to revoke it.
 */
export function envoyBootstrapYaml(target: BootstrapTarget, bootstrap: object, tokenId: string): string {
  // The two config sources are one object: written twice, not as a YAML anchor and alias.
  const doc = new Document(bootstrap, { aliasDuplicateObjects: false });
  doc.commentBefore = [
    ` Envoy bootstrap for ${target.kind} ${target.name} in mesh ${target.meshName}, generated by meshplane.`,
    ` It contains proxy token ${tokenId} (in dynamic_resources.ads_config): keep this file as secret`,
    ` as a password. Revoke the token with DELETE /v1/meshes/${target.meshName}/proxyTokens/${tokenId}.`,
  ].join('\n');
  return doc.toString({ defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN', lineWidth: 0 });
}
