import type { TenantScope } from '../common/tenancy/tenant-scope.js';
import {
  Prisma,
  type RegistryHealth,
  type RegistryInstance,
  type RegistryNamespace,
  type RegistryService,
} from '../generated/prisma/client.js';

export type Db = Prisma.TransactionClient;

/** One page of a keyset listing: `after` is the last key of the previous page. */
export interface PageQuery {
  readonly limit: number;
  readonly after?: string;
}

export interface InstanceWrite {
  readonly instanceId: string;
  readonly ipv4: string | null;
  readonly ipv6: string | null;
  readonly port: number | null;
  readonly zone: string | null;
  readonly attributes: Readonly<Record<string, string>>;
  /** Only applied when the instance is new (a re-registration keeps the status it has). */
  readonly initialHealth: RegistryHealth;
}

const isUniqueViolation = (err: unknown) => err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';

/**
 * The registry's queries, bound to one tenant: every query filters by the scope's tenant, so
 * no method can read or change another tenant's namespaces, services or instances. Bound to a
 * transaction by RegistryStores.transaction when a write must check and change together.
 */
export class RegistryStore {
  constructor(
    private readonly db: Db,
    readonly scope: TenantScope,
  ) {}

  private get tenantId(): string {
    return this.scope.tenantId;
  }

  /** Locks the tenant row: serialises creations against the tenant's quotas (as mesh creation does). */
  async lockTenant(): Promise<void> {
    await this.db.$queryRaw`SELECT 1 FROM tenants WHERE id = ${this.tenantId}::uuid FOR UPDATE`;
  }

  /** Locks a service row: serialises instance writes against its quota and its deletion. */
  async lockService(id: string): Promise<void> {
    await this.db.$queryRaw`
      SELECT 1 FROM registry_services WHERE id = ${id}::uuid AND tenant_id = ${this.tenantId}::uuid FOR UPDATE`;
  }

  /**
   * Stamps a service whose instances change, in the writer's transaction (PostgreSQL's clock):
   * the endpoints sweep re-applies recently stamped services, so a lost notification of the
   * change is repaired (RegistryChanges.repair). Every instance writer calls it.
   */
  async touchService(id: string): Promise<void> {
    await this.db.$executeRaw`
      UPDATE registry_services SET updated_at = now() WHERE id = ${id}::uuid AND tenant_id = ${this.tenantId}::uuid`;
  }

  countNamespaces(): Promise<number> {
    return this.db.registryNamespace.count({ where: { tenantId: this.tenantId } });
  }

  countServices(): Promise<number> {
    return this.db.registryService.count({ where: { tenantId: this.tenantId } });
  }

  countInstances(serviceId: string): Promise<number> {
    return this.db.registryInstance.count({ where: { tenantId: this.tenantId, serviceId } });
  }

  countServicesIn(namespaceId: string): Promise<number> {
    return this.db.registryService.count({ where: { tenantId: this.tenantId, namespaceId } });
  }

  async insertNamespace(name: string, description: string | null): Promise<RegistryNamespace | 'exists'> {
    try {
      return await this.db.registryNamespace.create({ data: { tenantId: this.tenantId, name, description } });
    } catch (err) {
      if (isUniqueViolation(err)) return 'exists';
      throw err;
    }
  }

  findNamespace(name: string): Promise<RegistryNamespace | null> {
    return this.db.registryNamespace.findFirst({ where: { tenantId: this.tenantId, name } });
  }

  listNamespaces(page: PageQuery): Promise<RegistryNamespace[]> {
    return this.db.registryNamespace.findMany({
      where: { tenantId: this.tenantId, ...(page.after === undefined ? {} : { name: { gt: page.after } }) },
      orderBy: { name: 'asc' },
      take: page.limit,
    });
  }

  async deleteNamespace(id: string): Promise<void> {
    await this.db.registryNamespace.deleteMany({ where: { tenantId: this.tenantId, id } });
  }

  async insertService(
    namespaceId: string,
    name: string,
    description: string | null,
  ): Promise<RegistryService | 'exists'> {
    try {
      return await this.db.registryService.create({
        data: { tenantId: this.tenantId, namespaceId, name, description },
      });
    } catch (err) {
      if (isUniqueViolation(err)) return 'exists';
      throw err;
    }
  }

  findService(namespaceId: string, name: string): Promise<RegistryService | null> {
    return this.db.registryService.findFirst({ where: { tenantId: this.tenantId, namespaceId, name } });
  }

  listServices(namespaceId: string, page: PageQuery): Promise<RegistryService[]> {
    return this.db.registryService.findMany({
      where: {
        tenantId: this.tenantId,
        namespaceId,
        ...(page.after === undefined ? {} : { name: { gt: page.after } }),
      },
      orderBy: { name: 'asc' },
      take: page.limit,
    });
  }

  async deleteService(id: string): Promise<void> {
    await this.db.registryService.deleteMany({ where: { tenantId: this.tenantId, id } });
  }

  findInstance(serviceId: string, instanceId: string): Promise<RegistryInstance | null> {
    return this.db.registryInstance.findFirst({ where: { tenantId: this.tenantId, serviceId, instanceId } });
  }

  listInstances(serviceId: string, page: PageQuery): Promise<RegistryInstance[]> {
    return this.db.registryInstance.findMany({
      where: {
        tenantId: this.tenantId,
        serviceId,
        ...(page.after === undefined ? {} : { instanceId: { gt: page.after } }),
      },
      orderBy: { instanceId: 'asc' },
      take: page.limit,
    });
  }

  /** Registers a new instance (source `api`). */
  insertInstance(serviceId: string, write: InstanceWrite): Promise<RegistryInstance> {
    return this.db.registryInstance.create({
      data: {
        tenantId: this.tenantId,
        serviceId,
        instanceId: write.instanceId,
        ipv4: write.ipv4,
        ipv6: write.ipv6,
        port: write.port,
        zone: write.zone,
        attributes: write.attributes,
        health: write.initialHealth,
        source: 'api',
      },
    });
  }

  /** Replaces an API instance's attributes (Cloud Map's RegisterInstance of a known id). */
  updateInstance(id: string, write: InstanceWrite): Promise<RegistryInstance> {
    return this.db.registryInstance.update({
      where: { id, tenantId: this.tenantId },
      data: {
        ipv4: write.ipv4,
        ipv6: write.ipv6,
        port: write.port,
        zone: write.zone,
        attributes: write.attributes,
        updatedAt: new Date(),
      },
    });
  }

  setHealth(id: string, health: RegistryHealth): Promise<RegistryInstance> {
    return this.db.registryInstance.update({
      where: { id, tenantId: this.tenantId },
      data: { health, updatedAt: new Date() },
    });
  }

  async deleteInstance(id: string): Promise<void> {
    await this.db.registryInstance.deleteMany({ where: { tenantId: this.tenantId, id } });
  }
}
