import { Inject, Injectable, Logger } from '@nestjs/common';
import { badRequest, conflict, DomainError, notFound } from '../common/errors/domain-error.js';
import { decodePageToken, encodePageToken } from '../common/pagination/page-token.js';
import type { TenantScope } from '../common/tenancy/tenant-scope.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import type { RegistryInstance, RegistryNamespace, RegistryService as ServiceRow } from '../generated/prisma/client.js';
import { PrismaService } from '../platform/prisma/prisma.service.js';
import { REGISTRY_CHANGES, type RegistryChangeListener } from './registry-changes.js';
import { ProxyInstances } from './proxy-instances.js';
import { parseAttributes, type CustomHealthStatus } from './registry-rules.js';
import { RegistryStore, type PageQuery } from './registry-store.js';
import {
  instanceView,
  namespaceView,
  serviceView,
  type InstanceView,
  type NamespaceView,
  type Page,
  type ServiceView,
} from './registry.views.js';

/** A listing's page size and continuation, as the transports received them (already shape-checked). */
export interface PageInput {
  readonly maxResults?: number;
  readonly nextToken?: string;
}

export const DEFAULT_PAGE_SIZE = 100;

const limitExceeded = (message: string) => new DomainError('LIMIT_EXCEEDED', message);
const inUse = (message: string) => new DomainError('RESOURCE_IN_USE', message);

/**
 * The service registry (the Cloud Map of the mesh): namespaces → services → instances, per
 * tenant, for the REST and GraphQL transports alike. Instance writes commit first and then tell
 * the REGISTRY_CHANGES listener which service changed (the EDS fast path); a failed notification
 * is logged, not undone: the endpoints sweep repairs it (level-triggered, ADR 0021).
 *
 * Instances an EC2 sync source keeps (`source: ec2`) are read-only here: the sync would undo
 * any change at its next run, so the API refuses it with a CONFLICT that says who owns them.
 */
@Injectable()
export class RegistryService {
  private readonly log = new Logger(RegistryService.name);

  constructor(
    private readonly prisma: PrismaService,
    @Inject(REGISTRY_CHANGES) private readonly changes: RegistryChangeListener,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly proxies: ProxyInstances,
  ) {}

  private reader(scope: TenantScope): RegistryStore {
    return new RegistryStore(this.prisma, scope);
  }

  private transaction<T>(scope: TenantScope, work: (store: RegistryStore) => Promise<T>): Promise<T> {
    return this.prisma.$transaction((tx) => work(new RegistryStore(tx, scope)), { timeout: 15_000, maxWait: 10_000 });
  }

  // --- namespaces

  async createNamespace(scope: TenantScope, name: string, description?: string): Promise<NamespaceView> {
    return this.transaction(scope, async (store) => {
      await store.lockTenant();
      if ((await store.countNamespaces()) >= this.config.registryNamespacesPerTenant)
        throw limitExceeded(
          `the tenant already has ${this.config.registryNamespacesPerTenant} registry namespaces (REGISTRY_NAMESPACES_PER_TENANT)`,
        );
      const created = await store.insertNamespace(name, description ?? null);
      if (created === 'exists') throw conflict(`registry namespace ${name} already exists`);
      return namespaceView(created);
    });
  }

  async listNamespaces(scope: TenantScope, input: PageInput): Promise<Page<NamespaceView>> {
    const query = pageQuery(input, 'registry-namespaces');
    const rows = await this.reader(scope).listNamespaces(query);
    return page(rows, query, 'registry-namespaces', (n) => n.name, namespaceView);
  }

  async getNamespace(scope: TenantScope, name: string): Promise<NamespaceView> {
    return namespaceView(await this.namespace(this.reader(scope), name));
  }

  async deleteNamespace(scope: TenantScope, name: string): Promise<NamespaceView> {
    return this.transaction(scope, async (store) => {
      await store.lockTenant();
      const ns = await this.namespace(store, name);
      const services = await store.countServicesIn(ns.id);
      if (services > 0) throw inUse(`registry namespace ${name} still has ${services} service(s): delete them first`);
      await store.deleteNamespace(ns.id);
      return namespaceView(ns);
    });
  }

  // --- services

  async createService(
    scope: TenantScope,
    namespaceName: string,
    name: string,
    description?: string,
  ): Promise<ServiceView> {
    return this.transaction(scope, async (store) => {
      await store.lockTenant();
      const ns = await this.namespace(store, namespaceName);
      if ((await store.countServices()) >= this.config.registryServicesPerTenant)
        throw limitExceeded(
          `the tenant already has ${this.config.registryServicesPerTenant} registry services (REGISTRY_SERVICES_PER_TENANT)`,
        );
      const created = await store.insertService(ns.id, name, description ?? null);
      if (created === 'exists') throw conflict(`registry service ${name} already exists in namespace ${namespaceName}`);
      return serviceView(ns.name, created);
    });
  }

  async listServices(scope: TenantScope, namespaceName: string, input: PageInput): Promise<Page<ServiceView>> {
    const store = this.reader(scope);
    const ns = await this.namespace(store, namespaceName);
    const query = pageQuery(input, 'registry-services');
    const rows = await store.listServices(ns.id, query);
    return page(
      rows,
      query,
      'registry-services',
      (s) => s.name,
      (s) => serviceView(ns.name, s),
    );
  }

  async getService(scope: TenantScope, namespaceName: string, name: string): Promise<ServiceView> {
    const store = this.reader(scope);
    const ns = await this.namespace(store, namespaceName);
    return serviceView(ns.name, await this.service(store, ns, name));
  }

  async deleteService(scope: TenantScope, namespaceName: string, name: string): Promise<ServiceView> {
    return this.transaction(scope, async (store) => {
      const ns = await this.namespace(store, namespaceName);
      const service = await this.service(store, ns, name);
      await store.lockService(service.id);
      const instances = await store.countInstances(service.id);
      if (instances > 0)
        throw inUse(
          `registry service ${name} still has ${instances} instance(s): deregister them (or remove their EC2 sync source) first`,
        );
      await store.deleteService(service.id);
      return serviceView(ns.name, service);
    });
  }

  // --- instances

  async listInstances(
    scope: TenantScope,
    namespaceName: string,
    serviceName: string,
    input: PageInput,
  ): Promise<Page<InstanceView>> {
    const store = this.reader(scope);
    const service = await this.service(store, await this.namespace(store, namespaceName), serviceName);
    const query = pageQuery(input, 'registry-instances');
    const rows = await store.listInstances(service.id, query);
    const result = page(rows, query, 'registry-instances', (i) => i.instanceId, instanceView);
    if (result.nextToken !== undefined) return result;
    // The last page also shows the connected proxies of the nodes that select the service (read-only).
    return { items: [...result.items, ...(await this.proxies.list(scope.tenantId, service.id))] };
  }

  async getInstance(
    scope: TenantScope,
    namespaceName: string,
    serviceName: string,
    instanceId: string,
  ): Promise<InstanceView> {
    const store = this.reader(scope);
    const service = await this.service(store, await this.namespace(store, namespaceName), serviceName);
    return instanceView(await this.instance(store, service, instanceId));
  }

  /**
   * Cloud Map's RegisterInstance: creates the instance, or replaces the attributes of an API
   * instance with that id (its health status stays). `AWS_INIT_HEALTH_STATUS` sets a new
   * instance's status (HEALTHY without it, as Cloud Map's custom health checks start).
   */
  async registerInstance(
    scope: TenantScope,
    namespaceName: string,
    serviceName: string,
    instanceId: string,
    attributes: Readonly<Record<string, string>>,
  ): Promise<InstanceView> {
    const location = parseAttributes(attributes);
    if (Array.isArray(location)) throw badRequest(location.join('; '));
    const { serviceId, row } = await this.transaction(scope, async (store) => {
      const service = await this.service(store, await this.namespace(store, namespaceName), serviceName);
      // Stamping the service locks its row: instance writes and its deletion are serialised.
      await store.touchService(service.id);
      const write = {
        instanceId,
        ipv4: location.ipv4,
        ipv6: location.ipv6,
        port: location.port,
        zone: location.zone,
        attributes,
        initialHealth: location.initialHealth ?? 'HEALTHY',
      } as const;
      const existing = await store.findInstance(service.id, instanceId);
      if (existing) {
        this.refuseEc2(existing, 'registered again');
        return { serviceId: service.id, row: await store.updateInstance(existing.id, write) };
      }
      if ((await store.countInstances(service.id)) >= this.config.registryInstancesPerService)
        throw limitExceeded(
          `registry service ${serviceName} already has ${this.config.registryInstancesPerService} instances (REGISTRY_INSTANCES_PER_SERVICE)`,
        );
      return { serviceId: service.id, row: await store.insertInstance(service.id, write) };
    });
    await this.changed(scope, serviceId);
    return instanceView(row);
  }

  /** Cloud Map's DeregisterInstance. */
  async deregisterInstance(
    scope: TenantScope,
    namespaceName: string,
    serviceName: string,
    instanceId: string,
  ): Promise<InstanceView> {
    const { serviceId, row } = await this.transaction(scope, async (store) => {
      const service = await this.service(store, await this.namespace(store, namespaceName), serviceName);
      await store.touchService(service.id);
      const existing = await this.instance(store, service, instanceId);
      this.refuseEc2(existing, 'deregistered');
      await store.deleteInstance(existing.id);
      return { serviceId: service.id, row: existing };
    });
    await this.changed(scope, serviceId);
    return instanceView(row);
  }

  /** Cloud Map's UpdateInstanceCustomHealthStatus: UNHEALTHY takes the instance out of load balancing. */
  async setHealth(
    scope: TenantScope,
    namespaceName: string,
    serviceName: string,
    instanceId: string,
    status: CustomHealthStatus,
  ): Promise<InstanceView> {
    const { serviceId, row, changed } = await this.transaction(scope, async (store) => {
      const service = await this.service(store, await this.namespace(store, namespaceName), serviceName);
      await store.lockService(service.id);
      const existing = await this.instance(store, service, instanceId);
      this.refuseEc2(existing, 'given a health status');
      if (existing.health === status) return { serviceId: service.id, row: existing, changed: false };
      await store.touchService(service.id);
      return { serviceId: service.id, row: await store.setHealth(existing.id, status), changed: true };
    });
    if (changed) await this.changed(scope, serviceId);
    return instanceView(row);
  }

  // --- helpers

  private async namespace(store: RegistryStore, name: string): Promise<RegistryNamespace> {
    const ns = await store.findNamespace(name);
    if (!ns) throw notFound(`registry namespace ${name} does not exist`);
    return ns;
  }

  private async service(store: RegistryStore, ns: RegistryNamespace, name: string): Promise<ServiceRow> {
    const service = await store.findService(ns.id, name);
    if (!service) throw notFound(`registry service ${name} does not exist in namespace ${ns.name}`);
    return service;
  }

  private async instance(store: RegistryStore, service: ServiceRow, instanceId: string): Promise<RegistryInstance> {
    const found = await store.findInstance(service.id, instanceId);
    if (!found) throw notFound(`instance ${instanceId} is not registered in service ${service.name}`);
    return found;
  }

  private refuseEc2(instance: RegistryInstance, what: string): void {
    if (instance.source === 'ec2')
      throw conflict(
        `instance ${instance.instanceId} is kept by an EC2 sync source and cannot be ${what} through the API: change the source (or the EC2 instance) instead`,
      );
  }

  private async changed(scope: TenantScope, serviceId: string): Promise<void> {
    try {
      await this.changes.servicesChanged(scope.tenantId, [serviceId]);
    } catch (err) {
      // Committed is committed: the endpoints sweep finds the service's nodes again (ADR 0021).
      this.log.warn(`registry service ${serviceId}: EDS update not enqueued: ${(err as Error).message}`);
    }
  }
}

function pageQuery(input: PageInput, kind: string): PageQuery {
  const limit = input.maxResults ?? DEFAULT_PAGE_SIZE;
  return {
    limit: limit + 1,
    ...(input.nextToken === undefined ? {} : { after: decodePageToken(input.nextToken, kind) }),
  };
}

/** One fetched row more than the page holds tells whether another page follows. */
function page<R, V>(
  rows: readonly R[],
  query: PageQuery,
  kind: string,
  key: (r: R) => string,
  view: (r: R) => V,
): Page<V> {
  const items = rows.slice(0, query.limit - 1);
  const more = rows.length >= query.limit;
  return {
    items: items.map(view),
    ...(more && items.length > 0 ? { nextToken: encodePageToken(kind, key(items[items.length - 1]!)) } : {}),
  };
}
