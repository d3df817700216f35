/**
 * Envoy resource names, following the names App Mesh published, so existing dashboards and
 * alerts keep matching (`cds_egress_<mesh>_<node>_<proto>_<port>` ...).
 */
export const DEFAULT_PORTS = { ingress: 15000, egress: 15001, admin: 9901 } as const;

export const names = {
  ingressListener: (port: number) => `lds_ingress_0.0.0.0_${port}`,
  egressListener: (port: number) => `lds_egress_0.0.0.0_${port}`,
  ingressRoutes: (protocol: string, port: number) => `rds_ingress_${protocol}_${port}`,
  /** Egress routes depend on the proxy's backends, so they are per virtual node. */
  egressRoutes: (node: string, protocol: string, port: number) => `rds_egress_${node}_${protocol}_${port}`,
  /** HTTP sent straight to the egress port (no iptables), routed by Host across all backends. */
  egressExplicitRoutes: (node: string, egressPort: number) => `rds_egress_${node}_http_${egressPort}`,
  ingressCluster: (mesh: string, node: string, protocol: string, port: number) =>
    `cds_ingress_${mesh}_${node}_${protocol}_${port}`,
  egressCluster: (mesh: string, node: string, protocol: string, port: number) =>
    `cds_egress_${mesh}_${node}_${protocol}_${port}`,
  allowAllCluster: (mesh: string) => `cds_egress_${mesh}_mesh-allow-all`,
  /** The identity of a proxy's view: what a bootstrap's node id resolves to. */
  nodeView: (node: string) => `virtualNode/${node}`,
  gatewayView: (gateway: string) => `virtualGateway/${gateway}`,
};
