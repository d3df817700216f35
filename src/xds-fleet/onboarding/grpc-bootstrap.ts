import { isIP } from 'node:net';
import type { BootstrapOptions } from './bootstrap-options.js';
import type { BootstrapTarget } from './envoy-bootstrap.js';

/** Zone of proxyless clients that name none: @grpc/grpc-js-xds refuses a node without a locality. */
export const DEFAULT_PROXYLESS_ZONE = 'default';

/**
 * A gRPC xDS bootstrap (gRFC A27) for proxyless clients (`GRPC_XDS_BOOTSTRAP`) running as
 * `target`. A gRPC client cannot be told by its bootstrap to send metadata on its xDS stream
 * (@grpc/grpc-js-xds 1.14 sends none, and knows only the `insecure` and `google_default` channel
 * credentials), so the proxy token travels in the node's metadata, `meshplane.token`: the client
 * sends the node, metadata included, on the first request of every stream. That is weaker than a
 * header only in where it can be seen (the server's request logs must not print node metadata).
 *
 * With `tls`, the channel credentials are gRFC A65's `tls` (grpc-go, grpc-java, C-core); Node's
 * grpc-js-xds 1.14 does not support them and refuses such a bootstrap.
 */
export function grpcBootstrap(target: BootstrapTarget, token: string, options: BootstrapOptions): object {
  const { host, port, tls, caFile } = options.xds;
  const hostPart = isIP(host) === 6 ? `[${host}]` : host;
  return {
    xds_servers: [
      {
        server_uri: `${hostPart}:${port}`,
        channel_creds: [tls ? { type: 'tls', config: { ca_certificate_file: caFile } } : { type: 'insecure' }],
        server_features: ['xds_v3'],
      },
    ],
    node: {
      id: target.arn,
      cluster: target.name,
      locality: { zone: options.zone ?? DEFAULT_PROXYLESS_ZONE },
      metadata: {
        meshplane: { token, ...(options.address === undefined ? {} : { address: options.address }) },
      },
    },
  };
}
