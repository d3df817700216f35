import { Injectable } from '@nestjs/common';
import { conflict, notFound } from '../common/errors/domain-error.js';
import { randomAccountId } from '../common/ids/account-id.js';
import { tenantScopeOf, type TenantScope } from '../common/tenancy/tenant-scope.js';
import { parseInput } from '../common/validation/parse-input.js';
import { CredentialsService } from './credentials/credentials.service.js';
import { decodePageToken, encodePageToken } from '../common/pagination/page-token.js';
import { PlansService } from '../billing/plans/plans.service.js';
import { RevocationBus } from './revocation/revocation-bus.service.js';
import { createTenantInput, listInput } from './tenant.inputs.js';
import { TenantsRepository } from './tenants.repository.js';
import {
  accessKeyView,
  apiTokenView,
  tenantView,
  type AccessKeyView,
  type ApiTokenView,
  type TenantView,
} from './tenant.views.js';

/** What creating a tenant returns: the only time its first secret and token are visible. */
export interface CreatedTenant extends TenantView {
  readonly accessKey: AccessKeyView & { readonly secretAccessKey: string };
  readonly apiToken: ApiTokenView & { readonly token: string };
}

const ACCOUNT_ID_ATTEMPTS = 5;
/** The plan of a tenant created without one (App Mesh's default quotas). */
/** The plan of a tenant created without one. */
export const DEFAULT_PLAN = 'standard';
const DEFAULT_PAGE_SIZE = 50;

/** Operator-facing tenant lifecycle. Tenants act on their own credentials through CredentialsService. */
@Injectable()
export class TenantsService {
  constructor(
    private readonly repo: TenantsRepository,
    private readonly credentials: CredentialsService,
    private readonly revocations: RevocationBus,
    private readonly plans: PlansService,
  ) {}

  async create(input: unknown): Promise<CreatedTenant> {
    const { name, plan = DEFAULT_PLAN } = parseInput(createTenantInput, input);
    await this.plans.require(plan);
    for (let attempt = 0; attempt < ACCOUNT_ID_ATTEMPTS; attempt++) {
      const key = this.credentials.sealNewAccessKey();
      const token = this.credentials.newApiTokenMaterial();
      const created = await this.repo.insertWithCredentials(
        { accountId: randomAccountId(), name, plan },
        {
          accessKeyId: key.accessKeyId,
          secretCiphertext: key.secretCiphertext,
          masterKeyId: key.masterKeyId,
          description: 'created with the tenant',
        },
        { name: 'default', prefix: token.prefix, tokenHash: token.tokenHash },
      );
      if (created === 'name-taken') throw conflict(`A tenant named ${name} already exists.`);
      if (created === 'account-id-taken') continue;
      const [accessKey] = created.accessKeys;
      const [apiToken] = created.apiTokens;
      return {
        ...tenantView(created),
        accessKey: { ...accessKeyView(accessKey!), secretAccessKey: key.secretAccessKey },
        apiToken: { ...apiTokenView(apiToken!), token: token.token },
      };
    }
    throw new Error(`could not find a free account id in ${ACCOUNT_ID_ATTEMPTS} attempts`);
  }

  /** `where`: the request part the input came from (`query` for /admin/v1), named in errors. */
  async list(input: unknown, where?: string): Promise<{ tenants: TenantView[]; nextToken?: string }> {
    const { limit = DEFAULT_PAGE_SIZE, nextToken } = parseInput(listInput, input ?? {}, where);
    const after = nextToken === undefined ? undefined : decodePageToken(nextToken, 'tenants');
    const rows = await this.repo.list(limit + 1, after);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return rows.length > limit && last
      ? { tenants: page.map(tenantView), nextToken: encodePageToken('tenants', last.accountId) }
      : { tenants: page.map(tenantView) };
  }

  async get(accountId: string): Promise<TenantView> {
    return tenantView(await this.find(accountId));
  }

  /** The scope an operator acts in when managing one tenant's credentials. */
  async scopeOf(accountId: string): Promise<TenantScope> {
    return tenantScopeOf(await this.find(accountId));
  }

  /** The scope of a tenant named by account id or by name, as the operator CLI accepts either. */
  async scopeOfAccountOrName(accountIdOrName: string): Promise<TenantScope> {
    const byAccountId = /^\d{12}$/.test(accountIdOrName) ? await this.repo.findByAccountId(accountIdOrName) : null;
    const tenant = byAccountId ?? (await this.repo.findByName(accountIdOrName));
    if (!tenant) throw notFound(`No tenant has the account id or name ${accountIdOrName}.`);
    return tenantScopeOf(tenant);
  }

  /**
   * Suspends the tenant: its credentials stop working on the next request, and every xds shard
   * ends its open streams (the notice goes out after the commit).
   */
  async suspend(accountId: string): Promise<TenantView> {
    const tenant = await this.repo.setStatus(await this.scopeOf(accountId), 'suspended');
    await this.revocations.publish({
      kind: 'tenant',
      tenantId: tenant.id,
      accountId: tenant.accountId,
      status: 'suspended',
    });
    return tenantView(tenant);
  }

  async resume(accountId: string): Promise<TenantView> {
    return tenantView(await this.repo.setStatus(await this.scopeOf(accountId), 'active'));
  }

  /** Deletes the tenant and, by cascade, everything it owns; its open xDS streams end as on suspension. */
  async delete(accountId: string): Promise<void> {
    const scope = await this.scopeOf(accountId);
    await this.repo.delete(scope);
    await this.revocations.publish({
      kind: 'tenant',
      tenantId: scope.tenantId,
      accountId: scope.accountId,
      status: 'deleted',
    });
  }

  async anyExists(): Promise<boolean> {
    return (await this.repo.list(1, undefined)).length > 0;
  }

  private async find(accountId: string) {
    const tenant = /^\d{12}$/.test(accountId) ? await this.repo.findByAccountId(accountId) : null;
    if (!tenant) throw notFound(`Account ${accountId} does not exist.`);
    return tenant;
  }
}
