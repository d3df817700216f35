/**
 * The App Mesh spec types the translator reads, generated from the model
 * (src/meshes/api-model/generated). Specs in a snapshot were validated against the model on
 * write, so reading them through these types is sound. Aliases name them as the translator uses them.
 */
export type {
  AccessLog,
  Duration,
  GrpcRoute as GrpcRouteSpec,
  HeaderMatchMethod as HeaderMatch,
  HealthCheckPolicy as HealthCheck,
  HttpRetryPolicy as RetryPolicy,
  HttpRoute as HttpRouteSpec,
  Listener as NodeListener,
  MeshSpec,
  PortProtocol as Protocol,
  RouteSpec,
  TcpRoute as TcpRouteSpec,
  VirtualNodeSpec,
  VirtualRouterSpec,
  VirtualServiceSpec,
  WeightedTarget,
} from '../../meshes/api-model/generated/app-mesh-types.js';
