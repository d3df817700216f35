import { envoyFormatProblem } from '../../common/validation/envoy-format.js';
import { arnMetadata, type EnvoyResource, type FilterChain, TYPE } from './envoy-types.js';
import type { AccessLog } from './spec-types.js';
import { TLS_TYPE } from './tls.js';

const ADS = { ads: {}, resource_api_version: 'V3' } as const;
const ROUTER = { name: 'envoy.filters.http.router', typed_config: { '@type': TYPE.router } };

/**
 * A node's or gateway's access log (file, text or JSON), attached to every HTTP and TCP filter it
 * has. A format Envoy would refuse (stored before the API checked formats) would NACK every
 * listener of the proxy: the log is left out instead, and `problem` says why; traffic still flows.
 */
export function accessLogs(log: AccessLog | undefined, problem: (message: string) => void): EnvoyResource[] {
  const file = log?.file;
  if (!file) return [];
  const formats = file.format?.json
    ? file.format.json.map((kv, i) => ({ field: `format.json[${i}].value`, value: kv.value }))
    : file.format?.text !== undefined
      ? [{ field: 'format.text', value: file.format.text }]
      : [];
  for (const { field, value } of formats) {
    const refused = envoyFormatProblem(value);
    if (refused) {
      problem(`the access log is left out: logging.accessLog.file.${field} ${refused}`);
      return [];
    }
  }
  const format = file.format?.json
    ? { log_format: { json_format: Object.fromEntries(file.format.json.map((kv) => [kv.key, kv.value])) } }
    : file.format?.text !== undefined
      ? { log_format: { text_format_source: { inline_string: file.format.text } } }
      : {};
  return [
    { name: 'envoy.access_loggers.file', typed_config: { '@type': TYPE.fileAccessLog, path: file.path, ...format } },
  ];
}

/** An HTTP connection manager fetching its routes over ADS. */
export function httpConnectionManager(
  statPrefix: string,
  routeConfigName: string,
  logs: EnvoyResource[],
): EnvoyResource {
  return {
    name: 'envoy.filters.network.http_connection_manager',
    typed_config: {
      '@type': TYPE.httpConnectionManager,
      stat_prefix: statPrefix,
      codec_type: 'AUTO',
      rds: { route_config_name: routeConfigName, config_source: ADS },
      http_filters: [ROUTER],
      upgrade_configs: [{ upgrade_type: 'websocket' }],
      ...(logs.length ? { access_log: logs } : {}),
    },
  };
}

/** A TCP proxy to weighted clusters (or one cluster). */
export function tcpProxy(
  statPrefix: string,
  clusters: readonly { cluster: string; weight: number }[],
  logs: EnvoyResource[],
  idleTimeout?: string,
): EnvoyResource {
  const live = clusters.filter((c) => c.weight > 0);
  const target =
    live.length === 1
      ? { cluster: live[0]!.cluster }
      : { weighted_clusters: { clusters: live.map((c) => ({ name: c.cluster, weight: c.weight })) } };
  return {
    name: 'envoy.filters.network.tcp_proxy',
    typed_config: {
      '@type': TYPE.tcpProxy,
      stat_prefix: statPrefix,
      ...target,
      ...(idleTimeout ? { idle_timeout: idleTimeout } : {}),
      ...(logs.length ? { access_log: logs } : {}),
    },
  };
}

/**
 * The chains for traffic addressed to a capture listener's own port (no iptables), from the chains
 * of its single listener, with the same TLS: the plaintext or STRICT chain becomes the default
 * chain; a PERMISSIVE listener's TLS chain is kept for TLS traffic (`transport_protocol: tls`, any port).
 */
export function directChains(chains: readonly FilterChain[]): { chains: FilterChain[]; defaultChain?: FilterChain } {
  const direct: { chains: FilterChain[]; defaultChain?: FilterChain } = { chains: [] };
  for (const { name, filter_chain_match: match, ...rest } of chains) {
    if (match?.['transport_protocol'] === 'tls') {
      direct.chains.push({ name: `${name}_direct`, filter_chain_match: { transport_protocol: 'tls' }, ...rest });
    } else {
      direct.defaultChain = { name: `${name}_direct`, ...rest };
    }
  }
  return direct;
}

/** The TLS inspector, as listener filters, when chains are told apart by TLS or not (PERMISSIVE listeners); else none. */
export function tlsInspector(chains: readonly FilterChain[]): EnvoyResource[] {
  return chains.some((c) => c.filter_chain_match?.['transport_protocol'] !== undefined)
    ? [{ name: 'envoy.filters.listener.tls_inspector', typed_config: { '@type': TLS_TYPE.tlsInspector } }]
    : [];
}

/**
 * A listener that accepts both redirected traffic (iptables to this port, original destination
 * restored, filter chain chosen by destination port) and traffic addressed to it directly.
 */
export function captureListener(
  name: string,
  port: number,
  arn: string,
  chains: readonly FilterChain[],
  defaultChain: FilterChain | undefined,
  inspectHttp: boolean,
): EnvoyResource {
  return {
    name,
    address: { socket_address: { address: '0.0.0.0', port_value: port } },
    listener_filters: [
      { name: 'envoy.filters.listener.original_dst', typed_config: { '@type': TYPE.originalDst } },
      ...tlsInspector(chains),
      ...(inspectHttp
        ? [{ name: 'envoy.filters.listener.http_inspector', typed_config: { '@type': TYPE.httpInspector } }]
        : []),
    ],
    filter_chains: chains,
    ...(defaultChain ? { default_filter_chain: defaultChain } : {}),
    traffic_direction: name.includes('ingress') ? 'INBOUND' : 'OUTBOUND',
    metadata: arnMetadata(arn),
  };
}
