import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { PlansService } from '../../billing/plans/plans.service.js';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import { badRequest, conflict, DomainError, notFound } from '../../common/errors/domain-error.js';
import { isUuid } from '../../common/ids/uuid.js';
import type { TenantScope } from '../../common/tenancy/tenant-scope.js';
import { parseInput } from '../../common/validation/parse-input.js';
import type { Ec2SyncSource } from '../../generated/prisma/client.js';
import { SecretBox } from '../../tenants/credentials/secret-box.js';
import { allowedEndpoints, endpointAllowed } from './ec2-endpoints.js';
import {
  createEc2SyncSourceInput,
  DEFAULT_INTERVAL_SECONDS,
  updateEc2SyncSourceInput,
  type CreateEc2SyncSourceInput,
} from './ec2-sync-source.inputs.js';
import { ec2SyncSourceView, type Ec2SyncSourceView } from './ec2-sync-source.views.js';
import { Ec2SyncSchedules } from './ec2-sync-schedules.js';
import { Ec2SyncSourcesRepository, type Ec2SyncSourceData } from './ec2-sync-sources.repository.js';
import { RegistryChangeNotifier } from './registry-change-notifier.js';
import { sealedSecretAad } from './sealed-secret.js';

/**
 * A tenant's EC2 sync sources (docs/ec2-sync.md): validated, sealed, stored, scheduled. REST and
 * GraphQL both call this. After each commit the source's job scheduler is upserted or removed;
 * when Redis refuses, the worker's `reschedule` job repairs it (the commit stands).
 */
@Injectable()
export class Ec2SyncSourcesService {
  private readonly log = new Logger(Ec2SyncSourcesService.name);
  private readonly endpoints: ReadonlySet<string>;

  constructor(
    private readonly repo: Ec2SyncSourcesRepository,
    private readonly box: SecretBox,
    private readonly schedules: Ec2SyncSchedules,
    private readonly changes: RegistryChangeNotifier,
    private readonly plans: PlansService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.endpoints = allowedEndpoints(config.ec2SyncAllowedEndpoints);
  }

  async create(scope: TenantScope, input: unknown): Promise<Ec2SyncSourceView> {
    const parsed = parseInput(createEc2SyncSourceInput, input ?? {});
    this.checkEndpoint(parsed.endpoint ?? null);
    const serviceId = await this.serviceOf(scope, parsed.namespaceName, parsed.serviceName);
    const id = randomUUID();
    const data: Ec2SyncSourceData = {
      name: parsed.name,
      region: parsed.region,
      endpoint: parsed.endpoint ?? null,
      tagFilters: parsed.tagFilters ?? [],
      serviceId,
      attributeTags: parsed.attributeTags ?? [],
      port: parsed.port,
      intervalSeconds: parsed.intervalSeconds ?? DEFAULT_INTERVAL_SECONDS,
      ...this.sealCredentials(id, parsed.credentials),
    };
    const { quotas } = await this.plans.inForce(scope.tenantId);
    const row = await this.repo.insert(scope, id, data, () => quotas.ec2SyncSourcesPerAccount);
    if (row === 'exists')
      throw conflict(`EC2 sync source ${parsed.name} already exists in account ${scope.accountId}.`);
    if ('limit' in row) {
      throw new DomainError(
        'LIMIT_EXCEEDED',
        `Account ${scope.accountId} already has the maximum of ${row.limit} EC2 sync sources allowed by its plan.`,
      );
    }
    await this.schedule(row);
    return this.view(scope, row);
  }

  async list(scope: TenantScope): Promise<Ec2SyncSourceView[]> {
    const rows = await this.repo.list(scope);
    const names = await this.repo.serviceNames(
      scope,
      rows.map((r) => r.serviceId),
    );
    return rows.map((r) => ec2SyncSourceView(r, names.get(r.serviceId) ?? null));
  }

  async get(scope: TenantScope, id: string): Promise<Ec2SyncSourceView> {
    return this.view(scope, await this.found(scope, id));
  }

  async update(scope: TenantScope, id: string, input: unknown): Promise<Ec2SyncSourceView> {
    const parsed = parseInput(updateEc2SyncSourceInput, input ?? {});
    const current = await this.found(scope, id);
    if (parsed.endpoint !== undefined) this.checkEndpoint(parsed.endpoint);
    const data: { -readonly [K in keyof Ec2SyncSourceData]?: Ec2SyncSourceData[K] } = {};
    if (parsed.name !== undefined) data.name = parsed.name;
    if (parsed.region !== undefined) data.region = parsed.region;
    if (parsed.endpoint !== undefined) data.endpoint = parsed.endpoint;
    if (parsed.tagFilters !== undefined) data.tagFilters = parsed.tagFilters;
    if (parsed.attributeTags !== undefined) data.attributeTags = parsed.attributeTags;
    if (parsed.port !== undefined) data.port = parsed.port;
    if (parsed.intervalSeconds !== undefined) data.intervalSeconds = parsed.intervalSeconds;
    if (parsed.namespaceName !== undefined || parsed.serviceName !== undefined) {
      const names = (await this.repo.serviceNames(scope, [current.serviceId])).get(current.serviceId);
      const namespaceName = parsed.namespaceName ?? names?.namespaceName;
      const serviceName = parsed.serviceName ?? names?.serviceName;
      if (namespaceName === undefined || serviceName === undefined) {
        throw badRequest('namespaceName, serviceName: give both: the service this source wrote to no longer exists');
      }
      data.serviceId = await this.serviceOf(scope, namespaceName, serviceName);
    }
    if (parsed.credentials !== undefined) Object.assign(data, this.sealCredentials(current.id, parsed.credentials));
    const row = await this.repo.update(scope, current.id, data);
    if (row === 'exists')
      throw conflict(`EC2 sync source ${parsed.name} already exists in account ${scope.accountId}.`);
    if (row === null) throw this.notFound(scope, id);
    await this.schedule(row);
    await this.schedules.runNow(scope.tenantId, row.id).catch((err: unknown) => this.warn(row.id, err));
    return this.view(scope, row);
  }

  /** Deletes the source and the instances it wrote; the registry hears of the services that changed. */
  async delete(scope: TenantScope, id: string): Promise<{ id: string }> {
    const deleted = isUuid(id) ? await this.repo.delete(scope, id) : null;
    if (deleted === null) throw this.notFound(scope, id);
    await this.changes.servicesChanged(scope.tenantId, deleted.serviceIds);
    await this.schedules.remove(id).catch((err: unknown) => this.warn(id, err));
    return { id };
  }

  /** Queues a run now (one pending per source). */
  async syncNow(scope: TenantScope, id: string): Promise<Ec2SyncSourceView> {
    const row = await this.found(scope, id);
    try {
      await this.schedules.runNow(scope.tenantId, row.id);
    } catch (err) {
      throw new DomainError('SERVICE_UNAVAILABLE', `The sync could not be queued; retry shortly (${String(err)}).`, 1);
    }
    return this.view(scope, row);
  }

  private async found(scope: TenantScope, id: string): Promise<Ec2SyncSource> {
    const row = isUuid(id) ? await this.repo.find(scope, id) : null;
    if (row === null) throw this.notFound(scope, id);
    return row;
  }

  private notFound(scope: TenantScope, id: string): DomainError {
    return notFound(`EC2 sync source ${id} does not exist in account ${scope.accountId}.`);
  }

  private async view(scope: TenantScope, row: Ec2SyncSource): Promise<Ec2SyncSourceView> {
    const names = await this.repo.serviceNames(scope, [row.serviceId]);
    return ec2SyncSourceView(row, names.get(row.serviceId) ?? null);
  }

  private async serviceOf(scope: TenantScope, namespaceName: string, serviceName: string): Promise<string> {
    const serviceId = await this.repo.findService(scope, namespaceName, serviceName);
    if (serviceId === null) {
      throw notFound(
        `serviceName: registry service ${serviceName} does not exist in namespace ${namespaceName} of account ${scope.accountId}; create it first.`,
      );
    }
    return serviceId;
  }

  private checkEndpoint(endpoint: string | null): void {
    if (endpoint === null || endpointAllowed(this.endpoints, endpoint)) return;
    throw badRequest(
      `endpoint: must be an origin the operator allows (EC2_SYNC_ALLOWED_ENDPOINTS)${
        this.endpoints.size === 0
          ? '; none are allowed here, so sources reach AWS itself'
          : `: ${[...this.endpoints].join(', ')}`
      }`,
    );
  }

  /** The credential columns: an access key with its secret sealed to this source, or a role. */
  private sealCredentials(
    sourceId: string,
    credentials: CreateEc2SyncSourceInput['credentials'],
  ): Pick<Ec2SyncSourceData, 'accessKeyId' | 'secretCiphertext' | 'masterKeyId' | 'roleArn'> {
    if (credentials.roleArn !== undefined) {
      return { accessKeyId: null, secretCiphertext: null, masterKeyId: null, roleArn: credentials.roleArn };
    }
    const sealed = this.box.seal(credentials.secretAccessKey ?? '', sealedSecretAad(sourceId));
    return {
      accessKeyId: credentials.accessKeyId ?? null,
      secretCiphertext: new Uint8Array(sealed),
      masterKeyId: this.box.keyId,
      roleArn: null,
    };
  }

  private async schedule(row: Ec2SyncSource): Promise<void> {
    await this.schedules
      .upsert({ tenantId: row.tenantId, sourceId: row.id, intervalSeconds: row.intervalSeconds })
      .catch((err: unknown) => this.warn(row.id, err));
  }

  private warn(sourceId: string, err: unknown): void {
    this.log.warn(
      `EC2 sync source ${sourceId}: its schedule could not be written to Redis (${err instanceof Error ? err.message : String(err)}); the worker's reschedule job repairs it`,
    );
  }
}
