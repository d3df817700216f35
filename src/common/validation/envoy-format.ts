/**
 * Access log formats (`logging.accessLog.file.format.text` and each `format.json[].value`) become
 * Envoy substitution formats, which Envoy parses when it loads the Listener: an unknown command
 * operator, a stray `%`, a missing or malformed argument makes it refuse the Listener, and with it
 * every listener of the proxy (a NACK). The API accepts what this grammar allows, a subset of
 * Envoy 1.40's that a test checks against the real Envoy (every format it accepts, Envoy loads):
 *
 * - `%%` is a literal `%`; any other `%` starts a command operator `%NAME%`, `%NAME(arg)%` or
 *   `%NAME(arg):length%` (Envoy's own token syntax);
 * - NAME is one of the operators below, with an argument only where it takes one, of the form it
 *   takes, and a length only where Envoy allows one.
 *
 * Formatter extensions (CEL, METADATA, REQ_WITHOUT_QUERY) need configuration the translator does
 * not emit, so they are not offered.
 */

/** Operators without an argument. */
const PLAIN = new Set(
  `REQUEST_HEADERS_BYTES BYTES_RECEIVED BYTES_RETRANSMITTED PACKETS_RETRANSMITTED PROTOCOL
  UPSTREAM_PROTOCOL RESPONSE_CODE RESPONSE_CODE_DETAILS CONNECTION_TERMINATION_DETAILS
  RESPONSE_HEADERS_BYTES RESPONSE_TRAILERS_BYTES BYTES_SENT UPSTREAM_WIRE_BYTES_SENT
  UPSTREAM_WIRE_BYTES_RECEIVED UPSTREAM_HEADER_BYTES_SENT UPSTREAM_HEADER_BYTES_RECEIVED
  DOWNSTREAM_WIRE_BYTES_SENT DOWNSTREAM_WIRE_BYTES_RECEIVED DOWNSTREAM_HEADER_BYTES_SENT
  DOWNSTREAM_HEADER_BYTES_RECEIVED DURATION REQUEST_DURATION REQUEST_TX_DURATION RESPONSE_DURATION
  RESPONSE_TX_DURATION DOWNSTREAM_HANDSHAKE_DURATION ROUNDTRIP_DURATION
  UPSTREAM_CONNECTION_POOL_READY_DURATION RESPONSE_FLAGS RESPONSE_FLAGS_LONG UPSTREAM_HOST
  UPSTREAM_HOST_NAME UPSTREAM_HOST_NAME_WITHOUT_PORT UPSTREAM_CLUSTER UPSTREAM_CLUSTER_RAW
  UPSTREAM_LOCAL_ADDRESS UPSTREAM_LOCAL_ADDRESS_WITHOUT_PORT UPSTREAM_LOCAL_PORT
  UPSTREAM_REMOTE_ADDRESS UPSTREAM_REMOTE_ADDRESS_WITHOUT_PORT UPSTREAM_REMOTE_PORT
  UPSTREAM_REQUEST_ATTEMPT_COUNT UPSTREAM_TLS_CIPHER UPSTREAM_TLS_VERSION UPSTREAM_TLS_SESSION_ID
  UPSTREAM_PEER_ISSUER UPSTREAM_PEER_CERT UPSTREAM_PEER_SUBJECT UPSTREAM_PEER_URI_SAN
  UPSTREAM_PEER_DNS_SAN UPSTREAM_PEER_IP_SAN UPSTREAM_LOCAL_URI_SAN UPSTREAM_LOCAL_DNS_SAN
  UPSTREAM_LOCAL_IP_SAN UPSTREAM_TRANSPORT_FAILURE_REASON UPSTREAM_CONNECTION_ID
  UPSTREAM_LOCAL_CLOSE_REASON DOWNSTREAM_LOCAL_CLOSE_REASON DOWNSTREAM_DETECTED_CLOSE_TYPE
  UPSTREAM_DETECTED_CLOSE_TYPE HOSTNAME DOWNSTREAM_LOCAL_ADDRESS DOWNSTREAM_LOCAL_ADDRESS_WITHOUT_PORT
  DOWNSTREAM_LOCAL_PORT DOWNSTREAM_REMOTE_ADDRESS DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT
  DOWNSTREAM_REMOTE_PORT DOWNSTREAM_DIRECT_REMOTE_ADDRESS DOWNSTREAM_DIRECT_REMOTE_ADDRESS_WITHOUT_PORT
  DOWNSTREAM_DIRECT_REMOTE_PORT CONNECTION_ID REQUESTED_SERVER_NAME ROUTE_NAME VIRTUAL_CLUSTER_NAME
  DOWNSTREAM_PEER_URI_SAN DOWNSTREAM_PEER_DNS_SAN DOWNSTREAM_PEER_IP_SAN DOWNSTREAM_PEER_EMAIL_SAN
  DOWNSTREAM_PEER_OTHERNAME_SAN DOWNSTREAM_LOCAL_URI_SAN DOWNSTREAM_LOCAL_DNS_SAN
  DOWNSTREAM_LOCAL_IP_SAN DOWNSTREAM_LOCAL_EMAIL_SAN DOWNSTREAM_LOCAL_OTHERNAME_SAN
  DOWNSTREAM_LOCAL_SUBJECT DOWNSTREAM_PEER_SUBJECT DOWNSTREAM_PEER_ISSUER DOWNSTREAM_TLS_SESSION_ID
  DOWNSTREAM_TLS_CIPHER DOWNSTREAM_TLS_VERSION DOWNSTREAM_PEER_FINGERPRINT_256
  DOWNSTREAM_PEER_FINGERPRINT_1 DOWNSTREAM_PEER_SERIAL DOWNSTREAM_PEER_CERT
  DOWNSTREAM_PEER_CHAIN_FINGERPRINTS_256 DOWNSTREAM_PEER_CHAIN_FINGERPRINTS_1
  DOWNSTREAM_PEER_CHAIN_SERIALS DOWNSTREAM_TRANSPORT_FAILURE_REASON LOCAL_REPLY_BODY ACCESS_LOG_TYPE
  STREAM_ID UNIQUE_ID TRACE_ID CUSTOM_FLAGS`.split(/\s+/),
);

const HEADER = String.raw`:?[A-Za-z0-9!#$&'*+\-.^_\x60|~]+`;
const KEY = String.raw`[A-Za-z0-9_.\-]+`;

interface WithArgument {
  /** The argument's form; undefined when it takes none. */
  readonly argument: RegExp;
  readonly argumentRule: string;
  /** Whether `%NAME%` alone is allowed. */
  readonly optional: boolean;
  /** Whether `:length` is allowed. */
  readonly length: boolean;
}

const headers: WithArgument = {
  argument: new RegExp(`^${HEADER}(\\?${HEADER})?$`),
  argumentRule: 'a header name, or two separated by ?',
  optional: false,
  length: true,
};
const metadata: WithArgument = {
  argument: new RegExp(`^${KEY}(:${KEY})*$`),
  argumentRule: 'a metadata namespace, then keys, separated by :',
  optional: false,
  length: true,
};
const filterState: WithArgument = {
  argument: new RegExp(`^${KEY}(:(PLAIN|TYPED))?$`),
  argumentRule: 'a filter state key, optionally followed by :PLAIN or :TYPED',
  optional: false,
  length: true,
};
const time: WithArgument = {
  argument: /^[^)]*$/,
  argumentRule: 'a time format',
  optional: true,
  length: false,
};

const ARGUMENTS: Readonly<Record<string, WithArgument>> = {
  REQ: headers,
  RESP: headers,
  TRAILER: headers,
  DYNAMIC_METADATA: metadata,
  // Envoy 1.40 allows no length on these two (checked in validate mode).
  CLUSTER_METADATA: { ...metadata, length: false },
  UPSTREAM_METADATA: { ...metadata, length: false },
  FILTER_STATE: filterState,
  UPSTREAM_FILTER_STATE: filterState,
  ENVIRONMENT: {
    argument: /^[A-Za-z_][A-Za-z0-9_]*$/,
    argumentRule: 'an environment variable name',
    optional: false,
    length: true,
  },
  QUERY_PARAM: {
    argument: /^[A-Za-z0-9_.\-~]+$/,
    argumentRule: 'a query parameter name',
    optional: false,
    length: true,
  },
  START_TIME: time,
  START_TIME_LOCAL: time,
  EMIT_TIME: time,
  EMIT_TIME_LOCAL: time,
  DOWNSTREAM_PEER_CERT_V_START: time,
  DOWNSTREAM_PEER_CERT_V_END: time,
  UPSTREAM_PEER_CERT_V_START: time,
  UPSTREAM_PEER_CERT_V_END: time,
};

/** Envoy's token: `%NAME%`, `%NAME(arg)%`, `%NAME(arg):length%`. */
const TOKEN = /^%([A-Z0-9_]+)(?:\(([^)]*)\))?(?::([0-9]{1,9}))?%/;

/** The rule an access log format breaks, or `undefined` when Envoy will load it. */
export function envoyFormatProblem(format: string): string | undefined {
  for (let at = format.indexOf('%'); at !== -1; at = format.indexOf('%', at)) {
    if (format[at + 1] === '%') {
      at += 2;
      continue;
    }
    const token = TOKEN.exec(format.slice(at));
    if (!token) {
      return `must be an Envoy access log format: the % at position ${at} starts no command operator (%NAME%, %NAME(argument)% or %NAME(argument):length%, or %% for a literal %)`;
    }
    const [text, name = '', argument, length] = token;
    const problem = operatorProblem(name, argument, length !== undefined);
    if (problem) return `must be an Envoy access log format: ${text} at position ${at} ${problem}`;
    at += text.length;
  }
  return undefined;
}

function operatorProblem(name: string, argument: string | undefined, length: boolean): string | undefined {
  const withArgument = ARGUMENTS[name];
  if (!withArgument) {
    if (!PLAIN.has(name)) return `is not a command operator Envoy supports`;
    if (argument !== undefined || length) return `takes no argument or length`;
    return undefined;
  }
  if (argument === undefined) {
    if (!withArgument.optional) return `needs an argument (${withArgument.argumentRule})`;
  } else if (!withArgument.argument.test(argument)) {
    return `needs ${withArgument.argumentRule} as its argument`;
  }
  if (length && !withArgument.length) return `takes no length`;
  return undefined;
}

/** The operators offered, for tests that load each into a real Envoy. */
export const ACCESS_LOG_OPERATORS = {
  plain: [...PLAIN],
  withArgument: Object.entries(ARGUMENTS).map(([name, a]) => ({ name, optional: a.optional, length: a.length })),
} as const;
