// Generated from reference/appmesh-2019-01-25.service-2.json by `npm run gen:types`: do not edit by hand.
//
// One declaration per structure and string enum reachable from an App Mesh operation (operation
// inputs/outputs and error shapes excluded). Primitives, lists and maps are inlined: strings as
// `string`, integers and longs as `number`, timestamps as `Date`, lists as `readonly T[]`, maps as
// `Readonly<Record<string, T>>`. Union structures are interfaces whose members are all optional;
// exactly one of them is set.

/**
 * An object that represents the access logging information for a virtual node.
 *
 * Exactly one member is set.
 */
export interface AccessLog {
  /** The file object to send virtual node access logs to. */
  readonly file?: FileAccessLog;
}

/** An object that represents the Cloud Map attribute information for your virtual node. */
export interface AwsCloudMapInstanceAttribute {
  /** The name of an Cloud Map service instance attribute key. */
  readonly key: string;
  /** The value of an Cloud Map service instance attribute key. */
  readonly value: string;
}

/** An object that represents the Cloud Map service discovery information for your virtual node. */
export interface AwsCloudMapServiceDiscovery {
  /**
   * A string map that contains attributes with values that you can use to filter instances by any custom
   * attribute that you specified when you registered the instance.
   */
  readonly attributes?: readonly AwsCloudMapInstanceAttribute[];
  /** The preferred IP version that this virtual node uses. */
  readonly ipPreference?: IpPreference;
  /** The name of the Cloud Map namespace to use. */
  readonly namespaceName: string;
  /** The name of the Cloud Map service to use. */
  readonly serviceName: string;
}

/**
 * An object that represents the backends that a virtual node is expected to send outbound traffic to.
 *
 * Exactly one member is set.
 */
export interface Backend {
  /** Specifies a virtual service to use as a backend. */
  readonly virtualService?: VirtualServiceBackend;
}

/** An object that represents the default properties for a backend. */
export interface BackendDefaults {
  /** A reference to an object that represents a client policy. */
  readonly clientPolicy?: ClientPolicy;
}

/** An object that represents a client policy. */
export interface ClientPolicy {
  /** A reference to an object that represents a Transport Layer Security (TLS) client policy. */
  readonly tls?: ClientPolicyTls;
}

/** A reference to an object that represents a Transport Layer Security (TLS) client policy. */
export interface ClientPolicyTls {
  /** A reference to an object that represents a client's TLS certificate. */
  readonly certificate?: ClientTlsCertificate;
  /** Whether the policy is enforced. */
  readonly enforce?: boolean;
  /** One or more ports that the policy is enforced for. */
  readonly ports?: readonly number[];
  /** A reference to an object that represents a TLS validation context. */
  readonly validation: TlsValidationContext;
}

/**
 * An object that represents the client's certificate.
 *
 * Exactly one member is set.
 */
export interface ClientTlsCertificate {
  /** An object that represents a local file certificate. */
  readonly file?: ListenerTlsFileCertificate;
  /** A reference to an object that represents a client's TLS Secret Discovery Service certificate. */
  readonly sds?: ListenerTlsSdsCertificate;
}

export type DefaultGatewayRouteRewrite = 'ENABLED' | 'DISABLED';

export type DnsResponseType = 'LOADBALANCER' | 'ENDPOINTS';

/** An object that represents the DNS service discovery information for your virtual node. */
export interface DnsServiceDiscovery {
  /** Specifies the DNS service discovery hostname for the virtual node. */
  readonly hostname: string;
  /** The preferred IP version that this virtual node uses. */
  readonly ipPreference?: IpPreference;
  /** Specifies the DNS response type for the virtual node. */
  readonly responseType?: DnsResponseType;
}

/** An object that represents a duration of time. */
export interface Duration {
  /** A unit of time. */
  readonly unit?: DurationUnit;
  /** A number of time units. */
  readonly value?: number;
}

export type DurationUnit = 's' | 'ms';

/** An object that represents the egress filter rules for a service mesh. */
export interface EgressFilter {
  /** The egress filter type. */
  readonly type: EgressFilterType;
}

export type EgressFilterType = 'ALLOW_ALL' | 'DROP_ALL';

/** An object that represents an access log file. */
export interface FileAccessLog {
  /** The specified format for the logs. */
  readonly format?: LoggingFormat;
  /** The file path to write access logs to. */
  readonly path: string;
}

/** An object that represents a gateway route returned by a describe operation. */
export interface GatewayRouteData {
  /** The name of the gateway route. */
  readonly gatewayRouteName: string;
  /** The name of the service mesh that the resource resides in. */
  readonly meshName: string;
  /** An object that represents metadata for a resource. */
  readonly metadata: ResourceMetadata;
  /** The specifications of the gateway route. */
  readonly spec: GatewayRouteSpec;
  /** The status of the gateway route. */
  readonly status: GatewayRouteStatus;
  /** The virtual gateway that the gateway route is associated with. */
  readonly virtualGatewayName: string;
}

/** An object representing the gateway route host name to match. */
export interface GatewayRouteHostnameMatch {
  /** The exact host name to match on. */
  readonly exact?: string;
  /** The specified ending characters of the host name to match on. */
  readonly suffix?: string;
}

/** An object representing the gateway route host name to rewrite. */
export interface GatewayRouteHostnameRewrite {
  /** The default target host name to write to. */
  readonly defaultTargetHostname?: DefaultGatewayRouteRewrite;
}

/** An object that represents a gateway route returned by a list operation. */
export interface GatewayRouteRef {
  /** The full Amazon Resource Name (ARN) for the gateway route. */
  readonly arn: string;
  /** The Unix epoch timestamp in seconds for when the resource was created. */
  readonly createdAt: Date;
  /** The name of the gateway route. */
  readonly gatewayRouteName: string;
  /** The Unix epoch timestamp in seconds for when the resource was last updated. */
  readonly lastUpdatedAt: Date;
  /** The name of the service mesh that the resource resides in. */
  readonly meshName: string;
  /** The Amazon Web Services IAM account ID of the service mesh owner. */
  readonly meshOwner: string;
  /** The Amazon Web Services IAM account ID of the resource owner. */
  readonly resourceOwner: string;
  /** The version of the resource. */
  readonly version: number;
  /** The virtual gateway that the gateway route is associated with. */
  readonly virtualGatewayName: string;
}

/** An object that represents a gateway route specification. */
export interface GatewayRouteSpec {
  /** An object that represents the specification of a gRPC gateway route. */
  readonly grpcRoute?: GrpcGatewayRoute;
  /** An object that represents the specification of an HTTP/2 gateway route. */
  readonly http2Route?: HttpGatewayRoute;
  /** An object that represents the specification of an HTTP gateway route. */
  readonly httpRoute?: HttpGatewayRoute;
  /** The ordering of the gateway routes spec. */
  readonly priority?: number;
}

/** An object that represents the current status of a gateway route. */
export interface GatewayRouteStatus {
  /** The current status for the gateway route. */
  readonly status: GatewayRouteStatusCode;
}

export type GatewayRouteStatusCode = 'ACTIVE' | 'INACTIVE' | 'DELETED';

/** An object that represents a gateway route target. */
export interface GatewayRouteTarget {
  /** The port number of the gateway route target. */
  readonly port?: number;
  /** An object that represents a virtual service gateway route target. */
  readonly virtualService: GatewayRouteVirtualService;
}

/** An object that represents the virtual service that traffic is routed to. */
export interface GatewayRouteVirtualService {
  /** The name of the virtual service that traffic is routed to. */
  readonly virtualServiceName: string;
}

/** An object that represents a gRPC gateway route. */
export interface GrpcGatewayRoute {
  /** An object that represents the action to take if a match is determined. */
  readonly action: GrpcGatewayRouteAction;
  /** An object that represents the criteria for determining a request match. */
  readonly match: GrpcGatewayRouteMatch;
}

/** An object that represents the action to take if a match is determined. */
export interface GrpcGatewayRouteAction {
  /** The gateway route action to rewrite. */
  readonly rewrite?: GrpcGatewayRouteRewrite;
  /** An object that represents the target that traffic is routed to when a request matches the gateway route. */
  readonly target: GatewayRouteTarget;
}

/** An object that represents the criteria for determining a request match. */
export interface GrpcGatewayRouteMatch {
  /** The gateway route host name to be matched on. */
  readonly hostname?: GatewayRouteHostnameMatch;
  /** The gateway route metadata to be matched on. */
  readonly metadata?: readonly GrpcGatewayRouteMetadata[];
  /** The port number to match from the request. */
  readonly port?: number;
  /** The fully qualified domain name for the service to match from the request. */
  readonly serviceName?: string;
}

/** An object representing the metadata of the gateway route. */
export interface GrpcGatewayRouteMetadata {
  /** Specify True to match anything except the match criteria. */
  readonly invert?: boolean;
  /** The criteria for determining a metadata match. */
  readonly match?: GrpcMetadataMatchMethod;
  /** A name for the gateway route metadata. */
  readonly name: string;
}

/** An object that represents the gateway route to rewrite. */
export interface GrpcGatewayRouteRewrite {
  /** The host name of the gateway route to rewrite. */
  readonly hostname?: GatewayRouteHostnameRewrite;
}

/**
 * An object representing the method header to be matched.
 *
 * Exactly one member is set.
 */
export interface GrpcMetadataMatchMethod {
  /** The exact method header to be matched on. */
  readonly exact?: string;
  /** The specified beginning characters of the method header to be matched on. */
  readonly prefix?: string;
  /** An object that represents the range of values to match on. */
  readonly range?: MatchRange;
  /** The regex used to match the method header. */
  readonly regex?: string;
  /** The specified ending characters of the method header to match on. */
  readonly suffix?: string;
}

/** An object that represents a retry policy. */
export interface GrpcRetryPolicy {
  /** Specify at least one of the valid values. */
  readonly grpcRetryEvents?: readonly GrpcRetryPolicyEvent[];
  /** Specify at least one of the following values. */
  readonly httpRetryEvents?: readonly string[];
  /** The maximum number of retry attempts. */
  readonly maxRetries: number;
  /** The timeout for each retry attempt. */
  readonly perRetryTimeout: Duration;
  /** Specify a valid value. */
  readonly tcpRetryEvents?: readonly TcpRetryPolicyEvent[];
}

export type GrpcRetryPolicyEvent =
  'cancelled' | 'deadline-exceeded' | 'internal' | 'resource-exhausted' | 'unavailable';

/** An object that represents a gRPC route type. */
export interface GrpcRoute {
  /** An object that represents the action to take if a match is determined. */
  readonly action: GrpcRouteAction;
  /** An object that represents the criteria for determining a request match. */
  readonly match: GrpcRouteMatch;
  /** An object that represents a retry policy. */
  readonly retryPolicy?: GrpcRetryPolicy;
  /** An object that represents types of timeouts. */
  readonly timeout?: GrpcTimeout;
}

/** An object that represents the action to take if a match is determined. */
export interface GrpcRouteAction {
  /** An object that represents the targets that traffic is routed to when a request matches the route. */
  readonly weightedTargets: readonly WeightedTarget[];
}

/** An object that represents the criteria for determining a request match. */
export interface GrpcRouteMatch {
  /** An object that represents the data to match from the request. */
  readonly metadata?: readonly GrpcRouteMetadata[];
  /** The method name to match from the request. */
  readonly methodName?: string;
  /** The port number to match on. */
  readonly port?: number;
  /** The fully qualified domain name for the service to match from the request. */
  readonly serviceName?: string;
}

/** An object that represents the match metadata for the route. */
export interface GrpcRouteMetadata {
  /** Specify True to match anything except the match criteria. */
  readonly invert?: boolean;
  /** An object that represents the data to match from the request. */
  readonly match?: GrpcRouteMetadataMatchMethod;
  /** The name of the route. */
  readonly name: string;
}

/**
 * An object that represents the match method.
 *
 * Exactly one member is set.
 */
export interface GrpcRouteMetadataMatchMethod {
  /** The value sent by the client must match the specified value exactly. */
  readonly exact?: string;
  /** The value sent by the client must begin with the specified characters. */
  readonly prefix?: string;
  /** An object that represents the range of values to match on. */
  readonly range?: MatchRange;
  /** The value sent by the client must include the specified characters. */
  readonly regex?: string;
  /** The value sent by the client must end with the specified characters. */
  readonly suffix?: string;
}

/** An object that represents types of timeouts. */
export interface GrpcTimeout {
  /** An object that represents an idle timeout. */
  readonly idle?: Duration;
  /** An object that represents a per request timeout. */
  readonly perRequest?: Duration;
}

/**
 * An object that represents the method and value to match with the header value sent in a request.
 *
 * Exactly one member is set.
 */
export interface HeaderMatchMethod {
  /** The value sent by the client must match the specified value exactly. */
  readonly exact?: string;
  /** The value sent by the client must begin with the specified characters. */
  readonly prefix?: string;
  /** An object that represents the range of values to match on. */
  readonly range?: MatchRange;
  /** The value sent by the client must include the specified characters. */
  readonly regex?: string;
  /** The value sent by the client must end with the specified characters. */
  readonly suffix?: string;
}

/** An object that represents the health check policy for a virtual node's listener. */
export interface HealthCheckPolicy {
  /** The number of consecutive successful health checks that must occur before declaring listener healthy. */
  readonly healthyThreshold: number;
  /** The time period in milliseconds between each health check execution. */
  readonly intervalMillis: number;
  /** The destination path for the health check request. */
  readonly path?: string;
  /** The destination port for the health check request. */
  readonly port?: number;
  /** The protocol for the health check request. */
  readonly protocol: PortProtocol;
  /** The amount of time to wait when receiving a response from the health check, in milliseconds. */
  readonly timeoutMillis: number;
  /** The number of consecutive failed health checks that must occur before declaring a virtual node unhealthy. */
  readonly unhealthyThreshold: number;
}

/** An object that represents an HTTP gateway route. */
export interface HttpGatewayRoute {
  /** An object that represents the action to take if a match is determined. */
  readonly action: HttpGatewayRouteAction;
  /** An object that represents the criteria for determining a request match. */
  readonly match: HttpGatewayRouteMatch;
}

/** An object that represents the action to take if a match is determined. */
export interface HttpGatewayRouteAction {
  /** The gateway route action to rewrite. */
  readonly rewrite?: HttpGatewayRouteRewrite;
  /** An object that represents the target that traffic is routed to when a request matches the gateway route. */
  readonly target: GatewayRouteTarget;
}

/** An object that represents the HTTP header in the gateway route. */
export interface HttpGatewayRouteHeader {
  /** Specify True to match anything except the match criteria. */
  readonly invert?: boolean;
  /** An object that represents the method and value to match with the header value sent in a request. */
  readonly match?: HeaderMatchMethod;
  /** A name for the HTTP header in the gateway route that will be matched on. */
  readonly name: string;
}

/** An object that represents the criteria for determining a request match. */
export interface HttpGatewayRouteMatch {
  /** The client request headers to match on. */
  readonly headers?: readonly HttpGatewayRouteHeader[];
  /** The host name to match on. */
  readonly hostname?: GatewayRouteHostnameMatch;
  /** The method to match on. */
  readonly method?: HttpMethod;
  /** The path to match on. */
  readonly path?: HttpPathMatch;
  /** The port number to match on. */
  readonly port?: number;
  /** Specifies the path to match requests with. */
  readonly prefix?: string;
  /** The query parameter to match on. */
  readonly queryParameters?: readonly HttpQueryParameter[];
}

/** An object that represents the path to rewrite. */
export interface HttpGatewayRoutePathRewrite {
  /** The exact path to rewrite. */
  readonly exact?: string;
}

/** An object representing the beginning characters of the route to rewrite. */
export interface HttpGatewayRoutePrefixRewrite {
  /** The default prefix used to replace the incoming route prefix when rewritten. */
  readonly defaultPrefix?: DefaultGatewayRouteRewrite;
  /** The value used to replace the incoming route prefix when rewritten. */
  readonly value?: string;
}

/** An object representing the gateway route to rewrite. */
export interface HttpGatewayRouteRewrite {
  /** The host name to rewrite. */
  readonly hostname?: GatewayRouteHostnameRewrite;
  /** The path to rewrite. */
  readonly path?: HttpGatewayRoutePathRewrite;
  /** The specified beginning characters to rewrite. */
  readonly prefix?: HttpGatewayRoutePrefixRewrite;
}

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE' | 'CONNECT' | 'OPTIONS' | 'TRACE' | 'PATCH';

/** An object representing the path to match in the request. */
export interface HttpPathMatch {
  /** The exact path to match on. */
  readonly exact?: string;
  /** The regex used to match the path. */
  readonly regex?: string;
}

/** An object that represents the query parameter in the request. */
export interface HttpQueryParameter {
  /** The query parameter to match on. */
  readonly match?: QueryParameterMatch;
  /** A name for the query parameter that will be matched on. */
  readonly name: string;
}

/** An object that represents a retry policy. */
export interface HttpRetryPolicy {
  /** Specify at least one of the following values. */
  readonly httpRetryEvents?: readonly string[];
  /** The maximum number of retry attempts. */
  readonly maxRetries: number;
  /** The timeout for each retry attempt. */
  readonly perRetryTimeout: Duration;
  /** Specify a valid value. */
  readonly tcpRetryEvents?: readonly TcpRetryPolicyEvent[];
}

/** An object that represents an HTTP or HTTP/2 route type. */
export interface HttpRoute {
  /** An object that represents the action to take if a match is determined. */
  readonly action: HttpRouteAction;
  /** An object that represents the criteria for determining a request match. */
  readonly match: HttpRouteMatch;
  /** An object that represents a retry policy. */
  readonly retryPolicy?: HttpRetryPolicy;
  /** An object that represents types of timeouts. */
  readonly timeout?: HttpTimeout;
}

/** An object that represents the action to take if a match is determined. */
export interface HttpRouteAction {
  /** An object that represents the targets that traffic is routed to when a request matches the route. */
  readonly weightedTargets: readonly WeightedTarget[];
}

/** An object that represents the HTTP header in the request. */
export interface HttpRouteHeader {
  /** Specify True to match anything except the match criteria. */
  readonly invert?: boolean;
  /** The HeaderMatchMethod object. */
  readonly match?: HeaderMatchMethod;
  /** A name for the HTTP header in the client request that will be matched on. */
  readonly name: string;
}

/** An object that represents the requirements for a route to match HTTP requests for a virtual router. */
export interface HttpRouteMatch {
  /** The client request headers to match on. */
  readonly headers?: readonly HttpRouteHeader[];
  /** The client request method to match on. */
  readonly method?: HttpMethod;
  /** The client request path to match on. */
  readonly path?: HttpPathMatch;
  /** The port number to match on. */
  readonly port?: number;
  /** Specifies the path to match requests with. */
  readonly prefix?: string;
  /** The client request query parameters to match on. */
  readonly queryParameters?: readonly HttpQueryParameter[];
  /** The client request scheme to match on. */
  readonly scheme?: HttpScheme;
}

export type HttpScheme = 'http' | 'https';

/** An object that represents types of timeouts. */
export interface HttpTimeout {
  /** An object that represents an idle timeout. */
  readonly idle?: Duration;
  /** An object that represents a per request timeout. */
  readonly perRequest?: Duration;
}

export type IpPreference = 'IPv6_PREFERRED' | 'IPv4_PREFERRED' | 'IPv4_ONLY' | 'IPv6_ONLY';

/** An object that represents the key value pairs for the JSON. */
export interface JsonFormatRef {
  /** The specified key for the JSON. */
  readonly key: string;
  /** The specified value for the JSON. */
  readonly value: string;
}

/** An object that represents a listener for a virtual node. */
export interface Listener {
  /** The connection pool information for the listener. */
  readonly connectionPool?: VirtualNodeConnectionPool;
  /** The health check information for the listener. */
  readonly healthCheck?: HealthCheckPolicy;
  /** The outlier detection information for the listener. */
  readonly outlierDetection?: OutlierDetection;
  /** The port mapping information for the listener. */
  readonly portMapping: PortMapping;
  /** An object that represents timeouts for different protocols. */
  readonly timeout?: ListenerTimeout;
  /** A reference to an object that represents the Transport Layer Security (TLS) properties for a listener. */
  readonly tls?: ListenerTls;
}

/**
 * An object that represents timeouts for different protocols.
 *
 * Exactly one member is set.
 */
export interface ListenerTimeout {
  /** An object that represents types of timeouts. */
  readonly grpc?: GrpcTimeout;
  /** An object that represents types of timeouts. */
  readonly http?: HttpTimeout;
  /** An object that represents types of timeouts. */
  readonly http2?: HttpTimeout;
  /** An object that represents types of timeouts. */
  readonly tcp?: TcpTimeout;
}

/** An object that represents the Transport Layer Security (TLS) properties for a listener. */
export interface ListenerTls {
  /** A reference to an object that represents a listener's Transport Layer Security (TLS) certificate. */
  readonly certificate: ListenerTlsCertificate;
  /** Specify one of the following modes. */
  readonly mode: ListenerTlsMode;
  /** A reference to an object that represents a listener's Transport Layer Security (TLS) validation context. */
  readonly validation?: ListenerTlsValidationContext;
}

/** An object that represents an Certificate Manager certificate. */
export interface ListenerTlsAcmCertificate {
  /** The Amazon Resource Name (ARN) for the certificate. */
  readonly certificateArn: string;
}

/**
 * An object that represents a listener's Transport Layer Security (TLS) certificate.
 *
 * Exactly one member is set.
 */
export interface ListenerTlsCertificate {
  /** A reference to an object that represents an Certificate Manager certificate. */
  readonly acm?: ListenerTlsAcmCertificate;
  /** A reference to an object that represents a local file certificate. */
  readonly file?: ListenerTlsFileCertificate;
  /** A reference to an object that represents a listener's Secret Discovery Service certificate. */
  readonly sds?: ListenerTlsSdsCertificate;
}

/** An object that represents a local file certificate. */
export interface ListenerTlsFileCertificate {
  /** The certificate chain for the certificate. */
  readonly certificateChain: string;
  /** The private key for a certificate stored on the file system of the virtual node that the proxy is running on. */
  readonly privateKey: string;
}

export type ListenerTlsMode = 'STRICT' | 'PERMISSIVE' | 'DISABLED';

/** An object that represents the listener's Secret Discovery Service certificate. */
export interface ListenerTlsSdsCertificate {
  /**
   * A reference to an object that represents the name of the secret requested from the Secret Discovery
   * Service provider representing Transport Layer Security (TLS) materials like a certificate or certificate
   * chain.
   */
  readonly secretName: string;
}

/** An object that represents a listener's Transport Layer Security (TLS) validation context. */
export interface ListenerTlsValidationContext {
  /**
   * A reference to an object that represents the SANs for a listener's Transport Layer Security (TLS)
   * validation context.
   */
  readonly subjectAlternativeNames?: SubjectAlternativeNames;
  /**
   * A reference to where to retrieve the trust chain when validating a peer’s Transport Layer Security (TLS)
   * certificate.
   */
  readonly trust: ListenerTlsValidationContextTrust;
}

/**
 * An object that represents a listener's Transport Layer Security (TLS) validation context trust.
 *
 * Exactly one member is set.
 */
export interface ListenerTlsValidationContextTrust {
  /** An object that represents a Transport Layer Security (TLS) validation context trust for a local file. */
  readonly file?: TlsValidationContextFileTrust;
  /**
   * A reference to an object that represents a listener's Transport Layer Security (TLS) Secret Discovery
   * Service validation context trust.
   */
  readonly sds?: TlsValidationContextSdsTrust;
}

/** An object that represents the logging information for a virtual node. */
export interface Logging {
  /** The access log configuration for a virtual node. */
  readonly accessLog?: AccessLog;
}

/**
 * An object that represents the format for the logs.
 *
 * Exactly one member is set.
 */
export interface LoggingFormat {
  readonly json?: readonly JsonFormatRef[];
  readonly text?: string;
}

/** An object that represents the range of values to match on. */
export interface MatchRange {
  /** The end of the range. */
  readonly end: number;
  /** The start of the range. */
  readonly start: number;
}

/** An object that represents a service mesh returned by a describe operation. */
export interface MeshData {
  /** The name of the service mesh. */
  readonly meshName: string;
  /** The associated metadata for the service mesh. */
  readonly metadata: ResourceMetadata;
  /** The associated specification for the service mesh. */
  readonly spec: MeshSpec;
  /** The status of the service mesh. */
  readonly status: MeshStatus;
}

/** An object that represents a service mesh returned by a list operation. */
export interface MeshRef {
  /** The full Amazon Resource Name (ARN) of the service mesh. */
  readonly arn: string;
  /** The Unix epoch timestamp in seconds for when the resource was created. */
  readonly createdAt: Date;
  /** The Unix epoch timestamp in seconds for when the resource was last updated. */
  readonly lastUpdatedAt: Date;
  /** The name of the service mesh. */
  readonly meshName: string;
  /** The Amazon Web Services IAM account ID of the service mesh owner. */
  readonly meshOwner: string;
  /** The Amazon Web Services IAM account ID of the resource owner. */
  readonly resourceOwner: string;
  /** The version of the resource. */
  readonly version: number;
}

/** An object that represents the service discovery information for a service mesh. */
export interface MeshServiceDiscovery {
  /** The IP version to use to control traffic within the mesh. */
  readonly ipPreference?: IpPreference;
}

/** An object that represents the specification of a service mesh. */
export interface MeshSpec {
  /** The egress filter rules for the service mesh. */
  readonly egressFilter?: EgressFilter;
  /** An object that represents the service discovery information for a service mesh. */
  readonly serviceDiscovery?: MeshServiceDiscovery;
}

/** An object that represents the status of a service mesh. */
export interface MeshStatus {
  /** The current mesh status. */
  readonly status?: MeshStatusCode;
}

export type MeshStatusCode = 'ACTIVE' | 'INACTIVE' | 'DELETED';

/** An object that represents the outlier detection for a virtual node's listener. */
export interface OutlierDetection {
  /** The base amount of time for which a host is ejected. */
  readonly baseEjectionDuration: Duration;
  /** The time interval between ejection sweep analysis. */
  readonly interval: Duration;
  /** Maximum percentage of hosts in load balancing pool for upstream service that can be ejected. */
  readonly maxEjectionPercent: number;
  /** Number of consecutive 5xx errors required for ejection. */
  readonly maxServerErrors: number;
}

/** An object that represents a port mapping. */
export interface PortMapping {
  /** The port used for the port mapping. */
  readonly port: number;
  /** The protocol used for the port mapping. */
  readonly protocol: PortProtocol;
}

export type PortProtocol = 'http' | 'tcp' | 'http2' | 'grpc';

/** An object representing the query parameter to match. */
export interface QueryParameterMatch {
  /** The exact query parameter to match on. */
  readonly exact?: string;
}

/** An object that represents metadata for a resource. */
export interface ResourceMetadata {
  /** The full Amazon Resource Name (ARN) for the resource. */
  readonly arn: string;
  /** The Unix epoch timestamp in seconds for when the resource was created. */
  readonly createdAt: Date;
  /** The Unix epoch timestamp in seconds for when the resource was last updated. */
  readonly lastUpdatedAt: Date;
  /** The Amazon Web Services IAM account ID of the service mesh owner. */
  readonly meshOwner: string;
  /** The Amazon Web Services IAM account ID of the resource owner. */
  readonly resourceOwner: string;
  /** The unique identifier for the resource. */
  readonly uid: string;
  /** The version of the resource. */
  readonly version: number;
}

/** An object that represents a route returned by a describe operation. */
export interface RouteData {
  /** The name of the service mesh that the route resides in. */
  readonly meshName: string;
  /** The associated metadata for the route. */
  readonly metadata: ResourceMetadata;
  /** The name of the route. */
  readonly routeName: string;
  /** The specifications of the route. */
  readonly spec: RouteSpec;
  /** The status of the route. */
  readonly status: RouteStatus;
  /** The virtual router that the route is associated with. */
  readonly virtualRouterName: string;
}

/** An object that represents a route returned by a list operation. */
export interface RouteRef {
  /** The full Amazon Resource Name (ARN) for the route. */
  readonly arn: string;
  /** The Unix epoch timestamp in seconds for when the resource was created. */
  readonly createdAt: Date;
  /** The Unix epoch timestamp in seconds for when the resource was last updated. */
  readonly lastUpdatedAt: Date;
  /** The name of the service mesh that the route resides in. */
  readonly meshName: string;
  /** The Amazon Web Services IAM account ID of the service mesh owner. */
  readonly meshOwner: string;
  /** The Amazon Web Services IAM account ID of the resource owner. */
  readonly resourceOwner: string;
  /** The name of the route. */
  readonly routeName: string;
  /** The version of the resource. */
  readonly version: number;
  /** The virtual router that the route is associated with. */
  readonly virtualRouterName: string;
}

/** An object that represents a route specification. */
export interface RouteSpec {
  /** An object that represents the specification of a gRPC route. */
  readonly grpcRoute?: GrpcRoute;
  /** An object that represents the specification of an HTTP/2 route. */
  readonly http2Route?: HttpRoute;
  /** An object that represents the specification of an HTTP route. */
  readonly httpRoute?: HttpRoute;
  /** The priority for the route. */
  readonly priority?: number;
  /** An object that represents the specification of a TCP route. */
  readonly tcpRoute?: TcpRoute;
}

/** An object that represents the current status of a route. */
export interface RouteStatus {
  /** The current status for the route. */
  readonly status: RouteStatusCode;
}

export type RouteStatusCode = 'ACTIVE' | 'INACTIVE' | 'DELETED';

/**
 * An object that represents the service discovery information for a virtual node.
 *
 * Exactly one member is set.
 */
export interface ServiceDiscovery {
  /** Specifies any Cloud Map information for the virtual node. */
  readonly awsCloudMap?: AwsCloudMapServiceDiscovery;
  /** Specifies the DNS information for the virtual node. */
  readonly dns?: DnsServiceDiscovery;
}

/**
 * An object that represents the methods by which a subject alternative name on a peer Transport Layer
 * Security (TLS) certificate can be matched.
 */
export interface SubjectAlternativeNameMatchers {
  /** The values sent must match the specified values exactly. */
  readonly exact: readonly string[];
}

/** An object that represents the subject alternative names secured by the certificate. */
export interface SubjectAlternativeNames {
  /** An object that represents the criteria for determining a SANs match. */
  readonly match: SubjectAlternativeNameMatchers;
}

/** Optional metadata that you apply to a resource to assist with categorization and organization. */
export interface TagRef {
  /** One part of a key-value pair that make up a tag. */
  readonly key: string;
  /** The optional part of a key-value pair that make up a tag. */
  readonly value: string;
}

export type TcpRetryPolicyEvent = 'connection-error';

/** An object that represents a TCP route type. */
export interface TcpRoute {
  /** The action to take if a match is determined. */
  readonly action: TcpRouteAction;
  /** An object that represents the criteria for determining a request match. */
  readonly match?: TcpRouteMatch;
  /** An object that represents types of timeouts. */
  readonly timeout?: TcpTimeout;
}

/** An object that represents the action to take if a match is determined. */
export interface TcpRouteAction {
  /** An object that represents the targets that traffic is routed to when a request matches the route. */
  readonly weightedTargets: readonly WeightedTarget[];
}

/** An object representing the TCP route to match. */
export interface TcpRouteMatch {
  /** The port number to match on. */
  readonly port?: number;
}

/** An object that represents types of timeouts. */
export interface TcpTimeout {
  /** An object that represents an idle timeout. */
  readonly idle?: Duration;
}

/** An object that represents how the proxy will validate its peer during Transport Layer Security (TLS) negotiation. */
export interface TlsValidationContext {
  /** A reference to an object that represents the SANs for a Transport Layer Security (TLS) validation context. */
  readonly subjectAlternativeNames?: SubjectAlternativeNames;
  /**
   * A reference to where to retrieve the trust chain when validating a peer’s Transport Layer Security (TLS)
   * certificate.
   */
  readonly trust: TlsValidationContextTrust;
}

/**
 * An object that represents a Transport Layer Security (TLS) validation context trust for an Certificate
 * Manager certificate.
 */
export interface TlsValidationContextAcmTrust {
  /** One or more ACM Amazon Resource Name (ARN)s. */
  readonly certificateAuthorityArns: readonly string[];
}

/** An object that represents a Transport Layer Security (TLS) validation context trust for a local file. */
export interface TlsValidationContextFileTrust {
  /**
   * The certificate trust chain for a certificate stored on the file system of the virtual node that the
   * proxy is running on.
   */
  readonly certificateChain: string;
}

/** An object that represents a Transport Layer Security (TLS) Secret Discovery Service validation context trust. */
export interface TlsValidationContextSdsTrust {
  /**
   * A reference to an object that represents the name of the secret for a Transport Layer Security (TLS)
   * Secret Discovery Service validation context trust.
   */
  readonly secretName: string;
}

/**
 * An object that represents a Transport Layer Security (TLS) validation context trust.
 *
 * Exactly one member is set.
 */
export interface TlsValidationContextTrust {
  /**
   * A reference to an object that represents a Transport Layer Security (TLS) validation context trust for an
   * Certificate Manager certificate.
   */
  readonly acm?: TlsValidationContextAcmTrust;
  /** An object that represents a Transport Layer Security (TLS) validation context trust for a local file. */
  readonly file?: TlsValidationContextFileTrust;
  /**
   * A reference to an object that represents a Transport Layer Security (TLS) Secret Discovery Service
   * validation context trust.
   */
  readonly sds?: TlsValidationContextSdsTrust;
}

/**
 * The access log configuration for a virtual gateway.
 *
 * Exactly one member is set.
 */
export interface VirtualGatewayAccessLog {
  /** The file object to send virtual gateway access logs to. */
  readonly file?: VirtualGatewayFileAccessLog;
}

/** An object that represents the default properties for a backend. */
export interface VirtualGatewayBackendDefaults {
  /** A reference to an object that represents a client policy. */
  readonly clientPolicy?: VirtualGatewayClientPolicy;
}

/** An object that represents a client policy. */
export interface VirtualGatewayClientPolicy {
  /** A reference to an object that represents a Transport Layer Security (TLS) client policy. */
  readonly tls?: VirtualGatewayClientPolicyTls;
}

/** An object that represents a Transport Layer Security (TLS) client policy. */
export interface VirtualGatewayClientPolicyTls {
  /**
   * A reference to an object that represents a virtual gateway's client's Transport Layer Security (TLS)
   * certificate.
   */
  readonly certificate?: VirtualGatewayClientTlsCertificate;
  /** Whether the policy is enforced. */
  readonly enforce?: boolean;
  /** One or more ports that the policy is enforced for. */
  readonly ports?: readonly number[];
  /** A reference to an object that represents a Transport Layer Security (TLS) validation context. */
  readonly validation: VirtualGatewayTlsValidationContext;
}

/**
 * An object that represents the virtual gateway's client's Transport Layer Security (TLS) certificate.
 *
 * Exactly one member is set.
 */
export interface VirtualGatewayClientTlsCertificate {
  /** An object that represents a local file certificate. */
  readonly file?: VirtualGatewayListenerTlsFileCertificate;
  /** A reference to an object that represents a virtual gateway's client's Secret Discovery Service certificate. */
  readonly sds?: VirtualGatewayListenerTlsSdsCertificate;
}

/**
 * An object that represents the type of virtual gateway connection pool.
 *
 * Exactly one member is set.
 */
export interface VirtualGatewayConnectionPool {
  /** An object that represents a type of connection pool. */
  readonly grpc?: VirtualGatewayGrpcConnectionPool;
  /** An object that represents a type of connection pool. */
  readonly http?: VirtualGatewayHttpConnectionPool;
  /** An object that represents a type of connection pool. */
  readonly http2?: VirtualGatewayHttp2ConnectionPool;
}

/** An object that represents a virtual gateway returned by a describe operation. */
export interface VirtualGatewayData {
  /** The name of the service mesh that the virtual gateway resides in. */
  readonly meshName: string;
  /** An object that represents metadata for a resource. */
  readonly metadata: ResourceMetadata;
  /** The specifications of the virtual gateway. */
  readonly spec: VirtualGatewaySpec;
  /** The current status of the virtual gateway. */
  readonly status: VirtualGatewayStatus;
  /** The name of the virtual gateway. */
  readonly virtualGatewayName: string;
}

/** An object that represents an access log file. */
export interface VirtualGatewayFileAccessLog {
  /** The specified format for the virtual gateway access logs. */
  readonly format?: LoggingFormat;
  /** The file path to write access logs to. */
  readonly path: string;
}

/** An object that represents a type of connection pool. */
export interface VirtualGatewayGrpcConnectionPool {
  /** Maximum number of inflight requests Envoy can concurrently support across hosts in upstream cluster. */
  readonly maxRequests: number;
}

/** An object that represents the health check policy for a virtual gateway's listener. */
export interface VirtualGatewayHealthCheckPolicy {
  /** The number of consecutive successful health checks that must occur before declaring the listener healthy. */
  readonly healthyThreshold: number;
  /** The time period in milliseconds between each health check execution. */
  readonly intervalMillis: number;
  /** The destination path for the health check request. */
  readonly path?: string;
  /** The destination port for the health check request. */
  readonly port?: number;
  /** The protocol for the health check request. */
  readonly protocol: VirtualGatewayPortProtocol;
  /** The amount of time to wait when receiving a response from the health check, in milliseconds. */
  readonly timeoutMillis: number;
  /** The number of consecutive failed health checks that must occur before declaring a virtual gateway unhealthy. */
  readonly unhealthyThreshold: number;
}

/** An object that represents a type of connection pool. */
export interface VirtualGatewayHttp2ConnectionPool {
  /** Maximum number of inflight requests Envoy can concurrently support across hosts in upstream cluster. */
  readonly maxRequests: number;
}

/** An object that represents a type of connection pool. */
export interface VirtualGatewayHttpConnectionPool {
  /** Maximum number of outbound TCP connections Envoy can establish concurrently with all hosts in upstream cluster. */
  readonly maxConnections: number;
  /** Number of overflowing requests after max_connections Envoy will queue to upstream cluster. */
  readonly maxPendingRequests?: number;
}

/** An object that represents a listener for a virtual gateway. */
export interface VirtualGatewayListener {
  /** The connection pool information for the virtual gateway listener. */
  readonly connectionPool?: VirtualGatewayConnectionPool;
  /** The health check information for the listener. */
  readonly healthCheck?: VirtualGatewayHealthCheckPolicy;
  /** The port mapping information for the listener. */
  readonly portMapping: VirtualGatewayPortMapping;
  /** A reference to an object that represents the Transport Layer Security (TLS) properties for the listener. */
  readonly tls?: VirtualGatewayListenerTls;
}

/** An object that represents the Transport Layer Security (TLS) properties for a listener. */
export interface VirtualGatewayListenerTls {
  /** An object that represents a Transport Layer Security (TLS) certificate. */
  readonly certificate: VirtualGatewayListenerTlsCertificate;
  /** Specify one of the following modes. */
  readonly mode: VirtualGatewayListenerTlsMode;
  /**
   * A reference to an object that represents a virtual gateway's listener's Transport Layer Security (TLS)
   * validation context.
   */
  readonly validation?: VirtualGatewayListenerTlsValidationContext;
}

/** An object that represents an Certificate Manager certificate. */
export interface VirtualGatewayListenerTlsAcmCertificate {
  /** The Amazon Resource Name (ARN) for the certificate. */
  readonly certificateArn: string;
}

/**
 * An object that represents a listener's Transport Layer Security (TLS) certificate.
 *
 * Exactly one member is set.
 */
export interface VirtualGatewayListenerTlsCertificate {
  /** A reference to an object that represents an Certificate Manager certificate. */
  readonly acm?: VirtualGatewayListenerTlsAcmCertificate;
  /** A reference to an object that represents a local file certificate. */
  readonly file?: VirtualGatewayListenerTlsFileCertificate;
  /** A reference to an object that represents a virtual gateway's listener's Secret Discovery Service certificate. */
  readonly sds?: VirtualGatewayListenerTlsSdsCertificate;
}

/** An object that represents a local file certificate. */
export interface VirtualGatewayListenerTlsFileCertificate {
  /** The certificate chain for the certificate. */
  readonly certificateChain: string;
  /** The private key for a certificate stored on the file system of the mesh endpoint that the proxy is running on. */
  readonly privateKey: string;
}

export type VirtualGatewayListenerTlsMode = 'STRICT' | 'PERMISSIVE' | 'DISABLED';

/**
 * An object that represents the virtual gateway's listener's Secret Discovery Service certificate.The proxy
 * must be configured with a local SDS provider via a Unix Domain Socket.
 */
export interface VirtualGatewayListenerTlsSdsCertificate {
  /**
   * A reference to an object that represents the name of the secret secret requested from the Secret
   * Discovery Service provider representing Transport Layer Security (TLS) materials like a certificate or
   * certificate chain.
   */
  readonly secretName: string;
}

/** An object that represents a virtual gateway's listener's Transport Layer Security (TLS) validation context. */
export interface VirtualGatewayListenerTlsValidationContext {
  /**
   * A reference to an object that represents the SANs for a virtual gateway listener's Transport Layer
   * Security (TLS) validation context.
   */
  readonly subjectAlternativeNames?: SubjectAlternativeNames;
  /**
   * A reference to where to retrieve the trust chain when validating a peer’s Transport Layer Security (TLS)
   * certificate.
   */
  readonly trust: VirtualGatewayListenerTlsValidationContextTrust;
}

/**
 * An object that represents a virtual gateway's listener's Transport Layer Security (TLS) validation context
 * trust.
 *
 * Exactly one member is set.
 */
export interface VirtualGatewayListenerTlsValidationContextTrust {
  /** An object that represents a Transport Layer Security (TLS) validation context trust for a local file. */
  readonly file?: VirtualGatewayTlsValidationContextFileTrust;
  /**
   * A reference to an object that represents a virtual gateway's listener's Transport Layer Security (TLS)
   * Secret Discovery Service validation context trust.
   */
  readonly sds?: VirtualGatewayTlsValidationContextSdsTrust;
}

/** An object that represents logging information. */
export interface VirtualGatewayLogging {
  /** The access log configuration. */
  readonly accessLog?: VirtualGatewayAccessLog;
}

/** An object that represents a port mapping. */
export interface VirtualGatewayPortMapping {
  /** The port used for the port mapping. */
  readonly port: number;
  /** The protocol used for the port mapping. */
  readonly protocol: VirtualGatewayPortProtocol;
}

export type VirtualGatewayPortProtocol = 'http' | 'http2' | 'grpc';

/** An object that represents a virtual gateway returned by a list operation. */
export interface VirtualGatewayRef {
  /** The full Amazon Resource Name (ARN) for the resource. */
  readonly arn: string;
  /** The Unix epoch timestamp in seconds for when the resource was created. */
  readonly createdAt: Date;
  /** The Unix epoch timestamp in seconds for when the resource was last updated. */
  readonly lastUpdatedAt: Date;
  /** The name of the service mesh that the resource resides in. */
  readonly meshName: string;
  /** The Amazon Web Services IAM account ID of the service mesh owner. */
  readonly meshOwner: string;
  /** The Amazon Web Services IAM account ID of the resource owner. */
  readonly resourceOwner: string;
  /** The version of the resource. */
  readonly version: number;
  /** The name of the resource. */
  readonly virtualGatewayName: string;
}

/** An object that represents the specification of a service mesh resource. */
export interface VirtualGatewaySpec {
  /** A reference to an object that represents the defaults for backends. */
  readonly backendDefaults?: VirtualGatewayBackendDefaults;
  /** The listeners that the mesh endpoint is expected to receive inbound traffic from. */
  readonly listeners: readonly VirtualGatewayListener[];
  /** An object that represents logging information. */
  readonly logging?: VirtualGatewayLogging;
}

/** An object that represents the status of the mesh resource. */
export interface VirtualGatewayStatus {
  /** The current status. */
  readonly status: VirtualGatewayStatusCode;
}

export type VirtualGatewayStatusCode = 'ACTIVE' | 'INACTIVE' | 'DELETED';

/** An object that represents a Transport Layer Security (TLS) validation context. */
export interface VirtualGatewayTlsValidationContext {
  /**
   * A reference to an object that represents the SANs for a virtual gateway's listener's Transport Layer
   * Security (TLS) validation context.
   */
  readonly subjectAlternativeNames?: SubjectAlternativeNames;
  /**
   * A reference to where to retrieve the trust chain when validating a peer’s Transport Layer Security (TLS)
   * certificate.
   */
  readonly trust: VirtualGatewayTlsValidationContextTrust;
}

/**
 * An object that represents a Transport Layer Security (TLS) validation context trust for an Certificate
 * Manager certificate.
 */
export interface VirtualGatewayTlsValidationContextAcmTrust {
  /** One or more ACM Amazon Resource Name (ARN)s. */
  readonly certificateAuthorityArns: readonly string[];
}

/** An object that represents a Transport Layer Security (TLS) validation context trust for a local file. */
export interface VirtualGatewayTlsValidationContextFileTrust {
  /**
   * The certificate trust chain for a certificate stored on the file system of the virtual node that the
   * proxy is running on.
   */
  readonly certificateChain: string;
}

/**
 * An object that represents a virtual gateway's listener's Transport Layer Security (TLS) Secret Discovery
 * Service validation context trust.
 */
export interface VirtualGatewayTlsValidationContextSdsTrust {
  /**
   * A reference to an object that represents the name of the secret for a virtual gateway's Transport Layer
   * Security (TLS) Secret Discovery Service validation context trust.
   */
  readonly secretName: string;
}

/**
 * An object that represents a Transport Layer Security (TLS) validation context trust.
 *
 * Exactly one member is set.
 */
export interface VirtualGatewayTlsValidationContextTrust {
  /**
   * A reference to an object that represents a Transport Layer Security (TLS) validation context trust for an
   * Certificate Manager certificate.
   */
  readonly acm?: VirtualGatewayTlsValidationContextAcmTrust;
  /** An object that represents a Transport Layer Security (TLS) validation context trust for a local file. */
  readonly file?: VirtualGatewayTlsValidationContextFileTrust;
  /**
   * A reference to an object that represents a virtual gateway's Transport Layer Security (TLS) Secret
   * Discovery Service validation context trust.
   */
  readonly sds?: VirtualGatewayTlsValidationContextSdsTrust;
}

/**
 * An object that represents the type of virtual node connection pool.
 *
 * Exactly one member is set.
 */
export interface VirtualNodeConnectionPool {
  /** An object that represents a type of connection pool. */
  readonly grpc?: VirtualNodeGrpcConnectionPool;
  /** An object that represents a type of connection pool. */
  readonly http?: VirtualNodeHttpConnectionPool;
  /** An object that represents a type of connection pool. */
  readonly http2?: VirtualNodeHttp2ConnectionPool;
  /** An object that represents a type of connection pool. */
  readonly tcp?: VirtualNodeTcpConnectionPool;
}

/** An object that represents a virtual node returned by a describe operation. */
export interface VirtualNodeData {
  /** The name of the service mesh that the virtual node resides in. */
  readonly meshName: string;
  /** The associated metadata for the virtual node. */
  readonly metadata: ResourceMetadata;
  /** The specifications of the virtual node. */
  readonly spec: VirtualNodeSpec;
  /** The current status for the virtual node. */
  readonly status: VirtualNodeStatus;
  /** The name of the virtual node. */
  readonly virtualNodeName: string;
}

/** An object that represents a type of connection pool. */
export interface VirtualNodeGrpcConnectionPool {
  /** Maximum number of inflight requests Envoy can concurrently support across hosts in upstream cluster. */
  readonly maxRequests: number;
}

/** An object that represents a type of connection pool. */
export interface VirtualNodeHttp2ConnectionPool {
  /** Maximum number of inflight requests Envoy can concurrently support across hosts in upstream cluster. */
  readonly maxRequests: number;
}

/** An object that represents a type of connection pool. */
export interface VirtualNodeHttpConnectionPool {
  /** Maximum number of outbound TCP connections Envoy can establish concurrently with all hosts in upstream cluster. */
  readonly maxConnections: number;
  /** Number of overflowing requests after max_connections Envoy will queue to upstream cluster. */
  readonly maxPendingRequests?: number;
}

/** An object that represents a virtual node returned by a list operation. */
export interface VirtualNodeRef {
  /** The full Amazon Resource Name (ARN) for the virtual node. */
  readonly arn: string;
  /** The Unix epoch timestamp in seconds for when the resource was created. */
  readonly createdAt: Date;
  /** The Unix epoch timestamp in seconds for when the resource was last updated. */
  readonly lastUpdatedAt: Date;
  /** The name of the service mesh that the virtual node resides in. */
  readonly meshName: string;
  /** The Amazon Web Services IAM account ID of the service mesh owner. */
  readonly meshOwner: string;
  /** The Amazon Web Services IAM account ID of the resource owner. */
  readonly resourceOwner: string;
  /** The version of the resource. */
  readonly version: number;
  /** The name of the virtual node. */
  readonly virtualNodeName: string;
}

/** An object that represents a virtual node service provider. */
export interface VirtualNodeServiceProvider {
  /** The name of the virtual node that is acting as a service provider. */
  readonly virtualNodeName: string;
}

/** An object that represents the specification of a virtual node. */
export interface VirtualNodeSpec {
  /** A reference to an object that represents the defaults for backends. */
  readonly backendDefaults?: BackendDefaults;
  /** The backends that the virtual node is expected to send outbound traffic to. */
  readonly backends?: readonly Backend[];
  /** The listener that the virtual node is expected to receive inbound traffic from. */
  readonly listeners?: readonly Listener[];
  /** The inbound and outbound access logging information for the virtual node. */
  readonly logging?: Logging;
  /** The service discovery information for the virtual node. */
  readonly serviceDiscovery?: ServiceDiscovery;
}

/** An object that represents the current status of the virtual node. */
export interface VirtualNodeStatus {
  /** The current status of the virtual node. */
  readonly status: VirtualNodeStatusCode;
}

export type VirtualNodeStatusCode = 'ACTIVE' | 'INACTIVE' | 'DELETED';

/** An object that represents a type of connection pool. */
export interface VirtualNodeTcpConnectionPool {
  /** Maximum number of outbound TCP connections Envoy can establish concurrently with all hosts in upstream cluster. */
  readonly maxConnections: number;
}

/** An object that represents a virtual router returned by a describe operation. */
export interface VirtualRouterData {
  /** The name of the service mesh that the virtual router resides in. */
  readonly meshName: string;
  /** The associated metadata for the virtual router. */
  readonly metadata: ResourceMetadata;
  /** The specifications of the virtual router. */
  readonly spec: VirtualRouterSpec;
  /** The current status of the virtual router. */
  readonly status: VirtualRouterStatus;
  /** The name of the virtual router. */
  readonly virtualRouterName: string;
}

/** An object that represents a virtual router listener. */
export interface VirtualRouterListener {
  /** An object that represents a port mapping. */
  readonly portMapping: PortMapping;
}

/** An object that represents a virtual router returned by a list operation. */
export interface VirtualRouterRef {
  /** The full Amazon Resource Name (ARN) for the virtual router. */
  readonly arn: string;
  /** The Unix epoch timestamp in seconds for when the resource was created. */
  readonly createdAt: Date;
  /** The Unix epoch timestamp in seconds for when the resource was last updated. */
  readonly lastUpdatedAt: Date;
  /** The name of the service mesh that the virtual router resides in. */
  readonly meshName: string;
  /** The Amazon Web Services IAM account ID of the service mesh owner. */
  readonly meshOwner: string;
  /** The Amazon Web Services IAM account ID of the resource owner. */
  readonly resourceOwner: string;
  /** The version of the resource. */
  readonly version: number;
  /** The name of the virtual router. */
  readonly virtualRouterName: string;
}

/** An object that represents a virtual node service provider. */
export interface VirtualRouterServiceProvider {
  /** The name of the virtual router that is acting as a service provider. */
  readonly virtualRouterName: string;
}

/** An object that represents the specification of a virtual router. */
export interface VirtualRouterSpec {
  /** The listeners that the virtual router is expected to receive inbound traffic from. */
  readonly listeners?: readonly VirtualRouterListener[];
}

/** An object that represents the status of a virtual router. */
export interface VirtualRouterStatus {
  /** The current status of the virtual router. */
  readonly status: VirtualRouterStatusCode;
}

export type VirtualRouterStatusCode = 'ACTIVE' | 'INACTIVE' | 'DELETED';

/** An object that represents a virtual service backend for a virtual node. */
export interface VirtualServiceBackend {
  /** A reference to an object that represents the client policy for a backend. */
  readonly clientPolicy?: ClientPolicy;
  /** The name of the virtual service that is acting as a virtual node backend. */
  readonly virtualServiceName: string;
}

/** An object that represents a virtual service returned by a describe operation. */
export interface VirtualServiceData {
  /** The name of the service mesh that the virtual service resides in. */
  readonly meshName: string;
  /** An object that represents metadata for a resource. */
  readonly metadata: ResourceMetadata;
  /** The specifications of the virtual service. */
  readonly spec: VirtualServiceSpec;
  /** The current status of the virtual service. */
  readonly status: VirtualServiceStatus;
  /** The name of the virtual service. */
  readonly virtualServiceName: string;
}

/**
 * An object that represents the provider for a virtual service.
 *
 * Exactly one member is set.
 */
export interface VirtualServiceProvider {
  /** The virtual node associated with a virtual service. */
  readonly virtualNode?: VirtualNodeServiceProvider;
  /** The virtual router associated with a virtual service. */
  readonly virtualRouter?: VirtualRouterServiceProvider;
}

/** An object that represents a virtual service returned by a list operation. */
export interface VirtualServiceRef {
  /** The full Amazon Resource Name (ARN) for the virtual service. */
  readonly arn: string;
  /** The Unix epoch timestamp in seconds for when the resource was created. */
  readonly createdAt: Date;
  /** The Unix epoch timestamp in seconds for when the resource was last updated. */
  readonly lastUpdatedAt: Date;
  /** The name of the service mesh that the virtual service resides in. */
  readonly meshName: string;
  /** The Amazon Web Services IAM account ID of the service mesh owner. */
  readonly meshOwner: string;
  /** The Amazon Web Services IAM account ID of the resource owner. */
  readonly resourceOwner: string;
  /** The version of the resource. */
  readonly version: number;
  /** The name of the virtual service. */
  readonly virtualServiceName: string;
}

/** An object that represents the specification of a virtual service. */
export interface VirtualServiceSpec {
  /** The App Mesh object that is acting as the provider for a virtual service. */
  readonly provider?: VirtualServiceProvider;
}

/** An object that represents the status of a virtual service. */
export interface VirtualServiceStatus {
  /** The current status of the virtual service. */
  readonly status: VirtualServiceStatusCode;
}

export type VirtualServiceStatusCode = 'ACTIVE' | 'INACTIVE' | 'DELETED';

/** An object that represents a target and its relative weight. */
export interface WeightedTarget {
  /** The targeted port of the weighted object. */
  readonly port?: number;
  /** The virtual node to associate with the weighted target. */
  readonly virtualNode: string;
  /** The relative weight of the weighted target. */
  readonly weight: number;
}
