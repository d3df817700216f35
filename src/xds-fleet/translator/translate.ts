import type { ClientPolicyTls } from '../../meshes/api-model/generated/app-mesh-types.js';
import type { MeshSnapshot, SnapshotResource } from '../snapshot/mesh-snapshot.js';
import {
  allowAllCluster,
  clusterLoadAssignment,
  egressCluster,
  egressClusterVariant,
  ingressCluster,
} from './clusters.js';
import {
  arnMetadata,
  duration,
  emptyResourceSet,
  type EnvoyResource,
  type FilterChain,
  type ResourceSet,
} from './envoy-types.js';
import { gatewayTranslator } from './gateway.js';
import { accessLogs, captureListener, directChains, httpConnectionManager, tcpProxy } from './listeners.js';
import { DomainClaims } from './domains.js';
import { DEFAULT_PORTS, names } from './names.js';
import { compareRoutes, type Orderable } from './route-order.js';
import { affectedViews } from './incremental.js';
import { proxylessTranslator, proxylessViewName } from './proxyless.js';
import { grpcMatch, httpMatch, weightedRoute, type ClusterWeight } from './routes.js';
import type {
  MeshSpec,
  NodeListener,
  Protocol,
  RouteSpec,
  VirtualNodeSpec,
  VirtualRouterSpec,
  VirtualServiceSpec,
} from './spec-types.js';
import {
  clientPolicyTls,
  listenerTls,
  policyCovers,
  policyUpstreamTls,
  renameRouteClusters,
  secureChains,
  tlsVariantName,
} from './tls.js';
import type { TranslationProblem } from './translation-problem.js';

/** Re-exported: callers of translate() find every type of its result here. */
export type { TranslationProblem };

export interface TranslationResult {
  /**
   * Each proxy identity's configuration: `virtualNode/<name>`, `virtualGateway/<name>` and `proxyless`
   * (what proxyless gRPC clients of the mesh may request). Resources several proxies share are the same objects.
   */
  readonly views: ReadonlyMap<string, ResourceSet>;
  readonly problems: readonly TranslationProblem[];
  /** The problems found while building each view (kept with the view when it is reused). */
  readonly problemsByView: ReadonlyMap<string, readonly TranslationProblem[]>;
  readonly ports: { readonly ingress: number; readonly egress: number };
}

/** One port a virtual service answers on, and what a request to it becomes. */
interface ServicePort {
  readonly port: number;
  readonly protocol: Protocol;
  /** HTTP, HTTP/2, gRPC: routes in match order. */
  readonly routes: readonly EnvoyResource[];
  /** TCP: where connections go. */
  readonly tcpTargets: readonly ClusterWeight[];
  /** Every egress cluster the port's routes use. */
  readonly clusters: readonly string[];
}

const HTTP_FAMILY = new Set<Protocol>(['http', 'http2', 'grpc']);
const ROUTE_MEMBER: Record<Protocol, keyof RouteSpec> = {
  http: 'httpRoute',
  http2: 'http2Route',
  grpc: 'grpcRoute',
  tcp: 'tcpRoute',
};

/**
 * The pure heart of the control plane: one mesh snapshot in, every proxy's Envoy configuration
 * out. No Nest, no database, no clock, no I/O: the same snapshot always gives the same output.
 */
export function translate(
  snapshot: MeshSnapshot,
  ports: { ingress: number; egress: number } = DEFAULT_PORTS,
  previous?: { readonly snapshot: MeshSnapshot; readonly result: TranslationResult },
): TranslationResult {
  const samePorts = previous?.result.ports.ingress === ports.ingress && previous.result.ports.egress === ports.egress;
  const affected = previous && samePorts ? affectedViews(previous.snapshot, snapshot) : 'all';
  return new Translation(snapshot, ports).run(
    affected === 'all' ? undefined : { views: affected, result: previous!.result },
  );
}

class Translation {
  private readonly problems: TranslationProblem[] = [];
  private readonly nodes: Map<string, SnapshotResource>;
  private readonly routers: Map<string, SnapshotResource & { routes: readonly SnapshotResource[] }>;
  private readonly services: Map<string, SnapshotResource>;
  /** Egress clusters (and EDS assignments), built once and shared by every view that uses them. */
  private readonly egress = new Map<string, EgressEntry | null>();
  private readonly servicePorts = new Map<string, readonly ServicePort[]>();
  private readonly meshSpec: MeshSpec;
  private readonly allowAll: EnvoyResource | undefined;

  constructor(
    private readonly snapshot: MeshSnapshot,
    private readonly ports: { ingress: number; egress: number },
  ) {
    this.nodes = new Map(snapshot.virtualNodes.map((n) => [n.name, n]));
    this.routers = new Map(snapshot.virtualRouters.map((r) => [r.name, r]));
    this.services = new Map(snapshot.virtualServices.map((s) => [s.name, s]));
    this.meshSpec = (snapshot.spec ?? {}) as MeshSpec;
    this.allowAll =
      this.meshSpec.egressFilter?.type === 'ALLOW_ALL'
        ? allowAllCluster(snapshot.meshName, snapshot.meshArn)
        : undefined;
  }

  /**
   * Builds every view, or with `reuse` only the affected ones, taking the others (and their
   * problems) from the previous result: unchanged views stay the very same objects.
   */
  run(reuse?: { views: ReadonlySet<string>; result: TranslationResult }): TranslationResult {
    const views = new Map<string, ResourceSet>();
    const problemsByView = new Map<string, readonly TranslationProblem[]>();
    const build = (name: string, make: () => ResourceSet) => {
      const old = reuse && !reuse.views.has(name) ? reuse.result.views.get(name) : undefined;
      if (old) {
        views.set(name, old);
        problemsByView.set(name, reuse!.result.problemsByView.get(name) ?? []);
        return;
      }
      const start = this.problems.length;
      views.set(name, make());
      problemsByView.set(name, this.problems.slice(start));
    };
    for (const node of this.snapshot.virtualNodes) build(names.nodeView(node.name), () => this.nodeView(node));
    const gateway = gatewayTranslator(this.snapshot, this.ports, this.problems, this.egressListener.bind(this));
    for (const gw of this.snapshot.virtualGateways) build(names.gatewayView(gw.name), () => gateway(gw));
    let proxyless: ((service: SnapshotResource) => ResourceSet) | undefined;
    for (const service of this.snapshot.virtualServices) {
      build(proxylessViewName(service.name), () => {
        proxyless ??= proxylessTranslator(this.snapshot, (s) => this.resolveService(s));
        return proxyless(service);
      });
    }
    const problems = new Map<string, TranslationProblem>();
    for (const list of problemsByView.values()) for (const p of list) problems.set(`${p.arn}\n${p.message}`, p);
    return { views, problems: [...problems.values()], problemsByView, ports: this.ports };
  }

  private problem(arn: string, message: string): void {
    this.problems.push({ arn, message });
  }

  // --- one virtual node's proxy --------------------------------------------------------------

  private nodeView(node: SnapshotResource): ResourceSet {
    const set = emptyResourceSet();
    const spec = node.spec as VirtualNodeSpec;
    const logs = accessLogs(spec.logging?.accessLog, (message) => this.problem(node.arn, message));
    this.ingress(node, spec, logs, set);
    this.egressListener(node, spec, logs, set);
    return set;
  }

  private ingress(node: SnapshotResource, spec: VirtualNodeSpec, logs: EnvoyResource[], set: ResourceSet): void {
    const listeners = spec.listeners ?? [];
    if (listeners.length === 0) return;
    const chains: FilterChain[] = listeners.flatMap((listener) => {
      const { port, protocol } = listener.portMapping;
      // TLS that cannot be honoured leaves the listener out (never plaintext in its place).
      const tls = listenerTls(listener);
      if (typeof tls === 'string') {
        this.problem(node.arn, tls);
        return [];
      }
      const cluster = ingressCluster(this.snapshot.meshName, node, listener);
      set.clusters.set(cluster['name'] as string, cluster);
      const statPrefix = listeners.length > 1 ? `ingress.${protocol}.${port}` : 'ingress';
      if (protocol === 'tcp') {
        const idle = duration(listener.timeout?.tcp?.idle);
        return secureChains(
          {
            name: `ingress_tcp_${port}`,
            filter_chain_match: { destination_port: port },
            filters: [tcpProxy(statPrefix, [{ cluster: cluster['name'] as string, weight: 1 }], logs, idle)],
          },
          tls,
        );
      }
      const routeName = names.ingressRoutes(protocol, port);
      set.routes.set(routeName, this.ingressRoutes(node, listener, routeName, cluster['name'] as string));
      return secureChains(
        {
          name: `ingress_${protocol}_${port}`,
          filter_chain_match: { destination_port: port },
          filters: [httpConnectionManager(statPrefix, routeName, logs)],
        },
        tls,
      );
    });
    if (chains.length === 0) return; // every listener left out (problems reported)
    // With a single listener, traffic sent to the ingress port directly (no iptables) reaches it too, with its TLS.
    const direct: ReturnType<typeof directChains> = listeners.length === 1 ? directChains(chains) : { chains: [] };
    set.listeners.set(
      names.ingressListener(this.ports.ingress),
      captureListener(
        names.ingressListener(this.ports.ingress),
        this.ports.ingress,
        node.arn,
        [...chains, ...direct.chains],
        direct.defaultChain,
        false,
      ),
    );
  }

  private ingressRoutes(
    node: SnapshotResource,
    listener: NodeListener,
    routeName: string,
    cluster: string,
  ): EnvoyResource {
    const protocol = listener.portMapping.protocol;
    const timeouts = protocol === 'tcp' ? undefined : listener.timeout?.[protocol];
    const perRequest = duration(timeouts?.perRequest);
    const idle = duration(timeouts?.idle);
    return {
      name: routeName,
      virtual_hosts: [
        {
          name: `ingress_${protocol}_${listener.portMapping.port}`,
          domains: ['*'],
          routes: [
            {
              match: { prefix: '/' },
              route: { cluster, timeout: perRequest ?? '15s', ...(idle ? { idle_timeout: idle } : {}) },
              metadata: arnMetadata(node.arn),
            },
          ],
        },
      ],
      validate_clusters: false,
    };
  }

  private egressListener(node: SnapshotResource, spec: VirtualNodeSpec, logs: EnvoyResource[], set: ResourceSet): void {
    const backends = (spec.backends ?? []).flatMap((b) =>
      b.virtualService ? [b.virtualService.virtualServiceName] : [],
    );
    // Each backend's TLS client policy (its own, else the node's default); the first listing of a service wins.
    const clientPolicies = new Map<string, ClientPolicyTls | undefined>();
    for (const { virtualService: backend } of spec.backends ?? []) {
      if (backend && !clientPolicies.has(backend.virtualServiceName))
        clientPolicies.set(backend.virtualServiceName, clientPolicyTls(spec, backend));
    }
    const httpByPort = new Map<number, { service: string; port: ServicePort }[]>();
    const tcpByPort = new Map<number, { service: string; port: ServicePort }>();
    const allowAll = this.allowAll !== undefined;
    // Every HTTP domain of this proxy's route configurations, across ports (the explicit egress
    // configuration holds them all): a service that would repeat one is left out, not NACKed.
    const claims = new DomainClaims(allowAll ? { '*': 'the mesh egress filter ALLOW_ALL' } : {});
    for (const serviceName of [...new Set(backends)].sort()) {
      const service = this.services.get(serviceName);
      if (!service) {
        // App Mesh lets a backend name a service created later: nothing to route to yet.
        continue;
      }
      const ports = this.withClientPolicy(this.resolveService(service), clientPolicies.get(serviceName), node);
      const domains = ports
        .filter((p) => HTTP_FAMILY.has(p.protocol))
        .flatMap((p) => [serviceName, `${serviceName}:${p.port}`]);
      const clash = claims.claim(`virtual service ${serviceName}`, domains);
      if (clash) {
        this.problem(
          service.arn,
          `is left out of the routes of ${node.name}'s proxy: its host ${clash.domain} is already ${clash.holder}'s${clash.caseOnly ? ' (Envoy and DNS compare host names without regard to letter case)' : ''}`,
        );
        continue;
      }
      for (const port of ports) {
        for (const clusterName of port.clusters) this.useEgressCluster(clusterName, set);
        if (HTTP_FAMILY.has(port.protocol)) {
          httpByPort.set(port.port, [...(httpByPort.get(port.port) ?? []), { service: serviceName, port }]);
        } else if (tcpByPort.has(port.port) || httpByPort.has(port.port)) {
          this.problem(
            service.arn,
            `port ${port.port} is already used by another backend of virtual node ${node.name}; TCP backends need a port of their own`,
          );
        } else {
          tcpByPort.set(port.port, { service: serviceName, port });
        }
      }
    }
    if (allowAll) set.clusters.set(this.allowAll!['name'] as string, this.allowAll!);

    const chains: FilterChain[] = [];
    for (const [port, entries] of [...httpByPort].sort(([a], [b]) => a - b)) {
      const routeName = names.egressRoutes(node.name, 'http', port);
      const hosts = entries.map(({ service, port: sp }) => ({
        name: `${service}:${port}`,
        domains: [service, `${service}:${port}`],
        routes: sp.routes,
      }));
      if (allowAll)
        hosts.push({
          name: 'allow_all',
          domains: ['*'],
          routes: [{ match: { prefix: '/' }, route: { cluster: this.allowAll!['name'], timeout: '0s' } }],
        });
      set.routes.set(routeName, { name: routeName, virtual_hosts: hosts, validate_clusters: false });
      chains.push({
        name: `egress_http_${port}`,
        filter_chain_match: { destination_port: port },
        filters: [httpConnectionManager(`egress.http.${port}`, routeName, logs)],
      });
    }
    for (const [port, { service, port: sp }] of [...tcpByPort].sort(([a], [b]) => a - b)) {
      chains.push({
        name: `egress_tcp_${port}`,
        filter_chain_match: { destination_port: port },
        filters: [tcpProxy(`egress.tcp.${service}.${port}`, sp.tcpTargets, logs)],
      });
    }
    if (httpByPort.size > 0) {
      // Applications without iptables send HTTP to the egress port itself; route by Host across all backends.
      const routeName = names.egressExplicitRoutes(node.name, this.ports.egress);
      const hosts = new Map<string, { name: string; domains: string[]; routes: readonly EnvoyResource[] }>();
      for (const [port, entries] of [...httpByPort].sort(([a], [b]) => a - b)) {
        for (const { service, port: sp } of entries) {
          const first = !hosts.has(service);
          hosts.set(`${service}:${port}`, {
            name: `${service}:${port}`,
            domains: [`${service}:${port}`, ...(first ? [service] : [])],
            routes: sp.routes,
          });
          if (first) hosts.set(service, hosts.get(`${service}:${port}`)!);
        }
      }
      const unique = [...new Set(hosts.values())];
      set.routes.set(routeName, { name: routeName, virtual_hosts: unique, validate_clusters: false });
      chains.push({
        name: 'egress_http_direct',
        filter_chain_match: { application_protocols: ['http/1.1', 'h2c'] },
        filters: [httpConnectionManager('egress.http.direct', routeName, logs)],
      });
    }
    const defaultChain = allowAll
      ? {
          name: 'egress_allow_all',
          filters: [tcpProxy('egress.allow_all', [{ cluster: this.allowAll!['name'] as string, weight: 1 }], logs)],
        }
      : undefined;
    if (chains.length === 0 && !defaultChain) return; // DROP_ALL and nothing to reach: no egress listener at all.
    const name = names.egressListener(this.ports.egress);
    set.listeners.set(
      name,
      captureListener(name, this.ports.egress, node.arn, chains, defaultChain, httpByPort.size > 0),
    );
  }

  // --- virtual services: the ports they answer on and their routes --------------------------

  private resolveService(service: SnapshotResource): readonly ServicePort[] {
    const cached = this.servicePorts.get(service.name);
    if (cached) return cached;
    const provider = (service.spec as VirtualServiceSpec).provider;
    let ports: ServicePort[] = [];
    if (provider?.virtualNode) {
      const target = this.nodes.get(provider.virtualNode.virtualNodeName);
      if (target) ports = this.nodeProvided(service, target);
    } else if (provider?.virtualRouter) {
      const router = this.routers.get(provider.virtualRouter.virtualRouterName);
      if (router) ports = this.routerProvided(service, router);
    }
    this.servicePorts.set(service.name, ports);
    return ports;
  }

  /** A service provided by a node directly: each of the node's listeners, one catch-all route. */
  private nodeProvided(service: SnapshotResource, target: SnapshotResource): ServicePort[] {
    return ((target.spec as VirtualNodeSpec).listeners ?? []).flatMap((listener) => {
      const { port, protocol } = listener.portMapping;
      const cluster = this.egressClusterName(target, listener);
      if (!cluster) return [];
      const routes = HTTP_FAMILY.has(protocol)
        ? [
            weightedRoute(
              `${service.name}_${port}`,
              service.arn,
              { prefix: '/' },
              [{ cluster, weight: 1 }],
              protocol,
              {},
            ),
          ]
        : [];
      return [{ port, protocol, routes, tcpTargets: [{ cluster, weight: 1 }], clusters: [cluster] }];
    });
  }

  /** A service provided by a router: per router listener, the router's routes for that protocol and port. */
  private routerProvided(
    service: SnapshotResource,
    router: SnapshotResource & { routes: readonly SnapshotResource[] },
  ): ServicePort[] {
    const listeners = (router.spec as VirtualRouterSpec).listeners ?? [];
    return listeners.map(({ portMapping: { port, protocol } }) => {
      const member = ROUTE_MEMBER[protocol];
      const applicable = router.routes
        .filter((r) => {
          const spec = r.spec as RouteSpec;
          const route = spec[member] as { match?: { port?: number } } | undefined;
          return route !== undefined && (route.match?.port === undefined || route.match.port === port);
        })
        .sort((a, b) => compareRoutes(orderable(a, member), orderable(b, member)));
      const clusters = new Set<string>();
      const routes: EnvoyResource[] = [];
      let tcpTargets: ClusterWeight[] = [];
      for (const route of applicable) {
        const spec = route.spec as RouteSpec;
        const body = spec[member] as {
          action: { weightedTargets: readonly { virtualNode: string; weight: number; port?: number }[] };
        };
        // A target with weight 0 gets no traffic: its cluster is not needed by this route.
        const targets = this.weightedClusters(route, protocol, body.action.weightedTargets).filter((t) => t.weight > 0);
        if (targets.length === 0) {
          if (body.action.weightedTargets.every((t) => t.weight === 0))
            this.problem(
              route.arn,
              'every weighted target has weight 0: the route sends traffic nowhere and is left out',
            );
          continue;
        }
        targets.forEach((t) => clusters.add(t.cluster));
        if (protocol === 'tcp') {
          if (tcpTargets.length === 0) tcpTargets = targets;
          continue;
        }
        const match =
          protocol === 'grpc' ? grpcMatch(spec.grpcRoute!) : httpMatch((spec.httpRoute ?? spec.http2Route)!);
        const options = protocol === 'grpc' ? spec.grpcRoute! : (spec.httpRoute ?? spec.http2Route)!;
        routes.push(
          weightedRoute(route.name, route.arn, match, targets, protocol, {
            retry: options.retryPolicy,
            timeout: options.timeout,
          }),
        );
      }
      return { port, protocol, routes, tcpTargets, clusters: [...clusters] };
    });
  }

  private weightedClusters(
    route: SnapshotResource,
    protocol: Protocol,
    targets: readonly { virtualNode: string; weight: number; port?: number }[],
  ): ClusterWeight[] {
    return targets.flatMap((t) => {
      const node = this.nodes.get(t.virtualNode);
      const listeners = ((node?.spec as VirtualNodeSpec | undefined)?.listeners ?? []) as readonly NodeListener[];
      const listener =
        t.port !== undefined
          ? listeners.find((l) => l.portMapping.port === t.port)
          : (listeners.find((l) => l.portMapping.protocol === protocol) ?? listeners[0]);
      if (!node || !listener) {
        this.problem(
          route.arn,
          `weighted target ${t.virtualNode}${t.port === undefined ? '' : ` port ${t.port}`} has no matching listener`,
        );
        return [];
      }
      const cluster = this.egressClusterName(node, listener);
      return cluster ? [{ cluster, weight: t.weight }] : [];
    });
  }

  // --- egress clusters, shared -----------------------------------------------------------------

  private egressClusterName(node: SnapshotResource, listener: NodeListener): string | undefined {
    const name = names.egressCluster(
      this.snapshot.meshName,
      node.name,
      listener.portMapping.protocol,
      listener.portMapping.port,
    );
    if (!this.egress.has(name)) {
      const built = egressCluster(this.snapshot.meshName, node, listener, this.meshSpec.serviceDiscovery?.ipPreference);
      if (typeof built === 'string') {
        this.problem(node.arn, built);
        this.egress.set(name, null);
      } else {
        const eds = built['type'] === 'EDS';
        this.egress.set(name, {
          cluster: built,
          target: { node, listener },
          ...(eds
            ? {
                assignment: clusterLoadAssignment(
                  name,
                  this.snapshot.endpoints[node.name] ?? [],
                  listener.portMapping.port,
                ),
              }
            : {}),
        });
      }
    }
    return this.egress.get(name) ? name : undefined;
  }

  private useEgressCluster(name: string, set: ResourceSet): void {
    const entry = this.egress.get(name);
    if (!entry) return;
    set.clusters.set(name, entry.cluster);
    if (entry.assignment) set.endpoints.set(name, entry.assignment);
  }

  /**
   * A backend's ports as `owner` reaches them under its TLS client policy: clusters the policy
   * covers swapped for their TLS variants (routes and TCP targets renamed to match). A port whose
   * policy cannot be honoured is left out, so it is never reached without the TLS asked for.
   */
  private withClientPolicy(
    ports: readonly ServicePort[],
    policy: ClientPolicyTls | undefined,
    owner: SnapshotResource,
  ): readonly ServicePort[] {
    if (!policy) return ports;
    return ports.flatMap((sp) => {
      const renamed = new Map<string, string>();
      for (const cluster of sp.clusters) {
        const name = this.clientPolicyCluster(cluster, policy, owner);
        if (name === undefined) return [];
        if (name !== cluster) renamed.set(cluster, name);
      }
      if (renamed.size === 0) return [sp];
      const rename = (cluster: string) => renamed.get(cluster) ?? cluster;
      return [
        {
          ...sp,
          routes: sp.routes.map((route) => renameRouteClusters(route, rename)),
          tcpTargets: sp.tcpTargets.map((t) => ({ ...t, cluster: rename(t.cluster) })),
          clusters: sp.clusters.map(rename),
        },
      ];
    });
  }

  /**
   * The egress cluster `owner` uses for the shared cluster `base` under a client policy: `base`
   * when the policy does not cover the target's port, else its TLS variant
   * (`<base>_tls_<hash>`, see tls.ts), built once and shared by every proxy with the same TLS
   * settings. Undefined, with a problem, when the policy cannot be honoured.
   */
  private clientPolicyCluster(base: string, policy: ClientPolicyTls, owner: SnapshotResource): string | undefined {
    const entry = this.egress.get(base);
    if (!entry || !policyCovers(policy, entry.target.listener.portMapping.port)) return base;
    const socket = policyUpstreamTls(entry.target.node.spec as VirtualNodeSpec, entry.target.listener, policy);
    if (typeof socket === 'string') {
      const message = `backend ${base}: ${socket}; the backend is left out rather than reached without that TLS`;
      if (!this.problems.some((p) => p.arn === owner.arn && p.message === message)) this.problem(owner.arn, message);
      return undefined;
    }
    const name = tlsVariantName(base, socket);
    if (!this.egress.has(name)) {
      this.egress.set(name, {
        ...entry,
        cluster: egressClusterVariant(entry.cluster, name, socket),
        ...(entry.assignment ? { assignment: { ...entry.assignment, cluster_name: name } } : {}),
      });
    }
    return name;
  }
}

/** An egress cluster built once (and its EDS assignment), with the target listener it reaches. */
interface EgressEntry {
  readonly cluster: EnvoyResource;
  readonly assignment?: EnvoyResource;
  readonly target: { readonly node: SnapshotResource; readonly listener: NodeListener };
}

function orderable(route: SnapshotResource, member: keyof RouteSpec): Orderable {
  const spec = route.spec as RouteSpec;
  const body = spec[member] as { match?: Orderable['match'] } | undefined;
  return {
    name: route.name,
    ...(spec.priority === undefined ? {} : { priority: spec.priority }),
    ...(body?.match ? { match: body.match } : {}),
  };
}
