import { Args, ID, Mutation, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { TenantScope } from '../../common/tenancy/tenant-scope.js';
import { Authenticate, CurrentScope, CurrentTenant } from '../../tenants/auth/auth-policy.decorators.js';
import { CredentialsService, type AuthenticatedTenant } from '../../tenants/credentials/credentials.service.js';
import { tenantView, type AccessKeyView, type ApiTokenView, type TenantView } from '../../tenants/tenant.views.js';
import {
  AccessKey,
  Account,
  ApiToken,
  CreateAccessKeyInput,
  CreatedAccessKey,
  CreatedApiToken,
  CreateApiTokenInput,
} from './account.models.js';

/** The members a client gave, as a plain object: a null is "not given", as an absent member. */
function given(input: object | undefined): Record<string, unknown> {
  return Object.fromEntries(Object.entries(input ?? {}).filter(([, v]) => v !== undefined && v !== null));
}

/**
 * The caller's own account and credentials, over the same service as `/v1/account`,
 * `/v1/access-keys` and `/v1/api-tokens`. The account is always the caller's (no argument names
 * one); queries never show a secret; a created secret is in its mutation's payload only, once.
 */
@Resolver(() => Account)
@Authenticate('tenant')
export class AccountResolver {
  constructor(private readonly credentials: CredentialsService) {}

  @Query(() => Account, { description: "The caller's account." })
  account(@CurrentTenant() caller: AuthenticatedTenant): TenantView {
    return tenantView(caller.tenant);
  }

  @ResolveField(() => [AccessKey], { description: 'Every access key, revoked ones too (kept for audit).' })
  accessKeys(@CurrentScope() scope: TenantScope): Promise<AccessKeyView[]> {
    return this.credentials.listAccessKeys(scope);
  }

  @ResolveField(() => [ApiToken], { description: 'Every API token, revoked ones too (kept for audit).' })
  apiTokens(@CurrentScope() scope: TenantScope): Promise<ApiTokenView[]> {
    return this.credentials.listApiTokens(scope);
  }
}

@Resolver()
@Authenticate('tenant')
export class AccountMutationsResolver {
  constructor(private readonly credentials: CredentialsService) {}

  @Mutation(() => CreatedAccessKey, { description: 'A new access key; its secret is shown here only, once.' })
  async createAccessKey(
    @CurrentScope() scope: TenantScope,
    @Args('input', { type: () => CreateAccessKeyInput, nullable: true }) input?: CreateAccessKeyInput,
  ): Promise<CreatedAccessKey> {
    return (await this.credentials.createAccessKey(scope, given(input))).accessKey;
  }

  @Mutation(() => AccessKey, {
    description: "Revokes an access key, for good (idempotent). Another tenant's key is NOT_FOUND.",
  })
  revokeAccessKey(
    @CurrentScope() scope: TenantScope,
    @Args('accessKeyId', { type: () => String }) accessKeyId: string,
  ): Promise<AccessKeyView> {
    return this.credentials.revokeAccessKey(scope, accessKeyId);
  }

  @Mutation(() => CreatedApiToken, { description: 'A new API token; the token is shown here only, once.' })
  async createApiToken(
    @CurrentScope() scope: TenantScope,
    @Args('input', { type: () => CreateApiTokenInput }) input: CreateApiTokenInput,
  ): Promise<CreatedApiToken> {
    return (await this.credentials.createApiToken(scope, given(input))).apiToken;
  }

  @Mutation(() => ApiToken, {
    description: "Revokes an API token, for good (idempotent). Another tenant's token is NOT_FOUND.",
  })
  revokeApiToken(
    @CurrentScope() scope: TenantScope,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<ApiTokenView> {
    return this.credentials.revokeApiToken(scope, id);
  }
}

export const ACCOUNT_RESOLVERS = [AccountResolver, AccountMutationsResolver] as const;
