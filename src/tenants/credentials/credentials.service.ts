import { Injectable, Logger } from '@nestjs/common';
import { RevocableCache } from '../revocation/revocable-cache.js';
import { RevocationBus, type RevocationListener } from '../revocation/revocation-bus.service.js';
import { STANDING_BOUND_MS, type RevocationNotice } from '../revocation/revocation-notice.js';
import { AuthError } from '../../common/errors/auth-error.js';
import { notFound } from '../../common/errors/domain-error.js';
import { tenantScopeOf, type TenantScope } from '../../common/tenancy/tenant-scope.js';
import { isUuid } from '../../common/ids/uuid.js';
import { parseInput } from '../../common/validation/parse-input.js';
import type { Tenant } from '../../generated/prisma/client.js';
import { createAccessKeyInput, createApiTokenInput } from '../tenant.inputs.js';
import { accessKeyView, apiTokenView, type AccessKeyView, type ApiTokenView } from '../tenant.views.js';
import {
  ACCESS_KEY_ID_PATTERN,
  API_TOKEN_PATTERN,
  apiTokenDisplayPrefix,
  hashApiToken,
  newAccessKeyId,
  newApiToken,
  newSecretAccessKey,
} from './credential-format.js';
import { CredentialsRepository } from './credentials.repository.js';
import { LastUsedStamps } from './last-used-stamps.js';
import { SecretBox } from './secret-box.js';

/** A new access key: the secret appears here once and is never readable again through the API. */
export interface IssuedAccessKey {
  readonly accessKey: AccessKeyView & { readonly secretAccessKey: string };
}
export interface IssuedApiToken {
  readonly apiToken: ApiTokenView & { readonly token: string };
}

/** Who a valid credential belongs to. */
export interface AuthenticatedTenant {
  readonly scope: TenantScope;
  readonly tenant: Tenant;
}

/** Material for a new access key, sealed for storage. */
export interface SealedAccessKey {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly secretCiphertext: Uint8Array<ArrayBuffer>;
  readonly masterKeyId: string;
}

type AccessKeyAuthentication = AuthenticatedTenant & { readonly secretAccessKey: string; readonly keyRowId: string };
type ApiTokenAuthentication = AuthenticatedTenant & { readonly apiTokenId: string };

/** Credentials remembered per process: enough for every client of a busy replica, bounded in memory. */
const AUTH_CACHE_MAX = 10_000;

/**
 * Credentials: issuing, listing, revoking, and authenticating them.
 *
 * Authentication is cached per process (ADR 0025): a valid access key (with its opened secret) or
 * API token of an active tenant is trusted for at most STANDING_BOUND_MS without reading its row
 * again. Revoking a credential or suspending/deleting a tenant evicts it here at once and, through
 * the revocation bus, on every other replica (ADR 0013); a lookup that raced with an eviction is
 * not stored. Failures are never cached: an unknown, revoked or suspended credential is read
 * from the database every time.
 */
@Injectable()
export class CredentialsService implements RevocationListener {
  private readonly log = new Logger(CredentialsService.name);
  private readonly lastUsed = new LastUsedStamps((err) =>
    this.log.warn(`could not record credential use: ${String(err)}`),
  );
  private readonly accessKeys = new RevocableCache<AccessKeyAuthentication>(STANDING_BOUND_MS, AUTH_CACHE_MAX);
  private readonly apiTokens = new RevocableCache<ApiTokenAuthentication>(STANDING_BOUND_MS, AUTH_CACHE_MAX);
  /** Subscribed to revocation notices: on the first authentication, so roles that never authenticate open no subscriber. */
  private listening = false;

  constructor(
    private readonly repo: CredentialsRepository,
    private readonly box: SecretBox,
    private readonly revocations: RevocationBus,
  ) {}

  /** Generates a key pair and seals its secret; used here and when a tenant is created. */
  sealNewAccessKey(): SealedAccessKey {
    const accessKeyId = newAccessKeyId();
    const secretAccessKey = newSecretAccessKey();
    const sealed = this.box.seal(secretAccessKey, accessKeyId);
    return { accessKeyId, secretAccessKey, secretCiphertext: new Uint8Array(sealed), masterKeyId: this.box.keyId };
  }

  async createAccessKey(scope: TenantScope, input: unknown): Promise<IssuedAccessKey> {
    const { description } = parseInput(createAccessKeyInput, input ?? {});
    const key = this.sealNewAccessKey();
    const row = await this.repo.insertAccessKey(scope, {
      accessKeyId: key.accessKeyId,
      secretCiphertext: key.secretCiphertext,
      masterKeyId: key.masterKeyId,
      description: description ?? null,
    });
    return { accessKey: { ...accessKeyView(row), secretAccessKey: key.secretAccessKey } };
  }

  async listAccessKeys(scope: TenantScope): Promise<AccessKeyView[]> {
    return (await this.repo.listAccessKeys(scope)).map(accessKeyView);
  }

  /** Revoking is permanent and idempotent; the record stays for audit with its revocation time. */
  async revokeAccessKey(scope: TenantScope, accessKeyId: string): Promise<AccessKeyView> {
    const key = await this.repo.findAccessKey(scope, accessKeyId);
    if (!key) throw notFound(`Access key ${accessKeyId} does not exist in account ${scope.accountId}.`);
    if (key.revokedAt !== null) return accessKeyView(key);
    const revoked = await this.repo.revokeAccessKey(scope, key.id, new Date());
    await this.revocations.publish({ kind: 'accessKey', tenantId: scope.tenantId, keyId: key.id });
    return accessKeyView(revoked);
  }

  /** Generates a token and its stored hash; used here and when a tenant is created. */
  newApiTokenMaterial(): { token: string; prefix: string; tokenHash: string } {
    const token = newApiToken();
    return { token, prefix: apiTokenDisplayPrefix(token), tokenHash: hashApiToken(token) };
  }

  async createApiToken(scope: TenantScope, input: unknown): Promise<IssuedApiToken> {
    const { name } = parseInput(createApiTokenInput, input ?? {});
    const { token, prefix, tokenHash } = this.newApiTokenMaterial();
    const row = await this.repo.insertApiToken(scope, { name, prefix, tokenHash });
    return { apiToken: { ...apiTokenView(row), token } };
  }

  async listApiTokens(scope: TenantScope): Promise<ApiTokenView[]> {
    return (await this.repo.listApiTokens(scope)).map(apiTokenView);
  }

  async revokeApiToken(scope: TenantScope, id: string): Promise<ApiTokenView> {
    const token = isUuid(id) ? await this.repo.findApiToken(scope, id) : null;
    if (!token) throw notFound(`API token ${id} does not exist in account ${scope.accountId}.`);
    if (token.revokedAt !== null) return apiTokenView(token);
    const revoked = await this.repo.revokeApiToken(scope, token.id, new Date());
    await this.revocations.publish({ kind: 'apiToken', tenantId: scope.tenantId, tokenId: token.id });
    return apiTokenView(revoked);
  }

  /**
   * Resolves an access key id to its tenant and plain secret for SigV4 verification. Unknown
   * and revoked keys fail here; the tenant's status is checked by the caller only after the
   * signature proved the caller holds the secret, so a key id alone reveals nothing.
   */
  async secretForAccessKey(accessKeyId: string): Promise<AccessKeyAuthentication> {
    const cached = this.accessKeys.get(accessKeyId, Date.now());
    if (cached) return cached;
    this.listen();
    const generation = this.accessKeys.generation;
    const key = ACCESS_KEY_ID_PATTERN.test(accessKeyId)
      ? await this.repo.findAccessKeyForAuthentication(accessKeyId)
      : null;
    if (!key) throw new AuthError('UNKNOWN_CREDENTIALS', 'The security token included in the request is invalid.');
    if (key.revokedAt !== null) {
      throw new AuthError(
        'REVOKED_CREDENTIALS',
        'The security token included in the request is invalid: the access key has been revoked.',
      );
    }
    const secretAccessKey = this.box.open(key.secretCiphertext, key.masterKeyId, key.accessKeyId);
    const found = { scope: tenantScopeOf(key.tenant), tenant: key.tenant, secretAccessKey, keyRowId: key.id };
    // The caller checks the tenant's status after the signature: only an active tenant's key is kept.
    if (key.tenant.status === 'active') this.accessKeys.set(accessKeyId, found, generation, Date.now());
    return found;
  }

  /** The token's tenant, and the token's id (what a revocation notice names). */
  async authenticateApiToken(token: string): Promise<ApiTokenAuthentication> {
    if (!API_TOKEN_PATTERN.test(token)) throw new AuthError('UNKNOWN_CREDENTIALS', 'The API token is not valid.');
    const tokenHash = hashApiToken(token);
    const now = Date.now();
    const cached = this.apiTokens.get(tokenHash, now);
    if (cached) {
      this.lastUsed.stamp(cached.apiTokenId, (at) => this.repo.touchApiToken(cached.apiTokenId, at));
      return cached;
    }
    this.listen();
    const generation = this.apiTokens.generation;
    const row = await this.repo.findApiTokenForAuthentication(tokenHash);
    if (!row) throw new AuthError('UNKNOWN_CREDENTIALS', 'The API token is not valid.');
    if (row.revokedAt !== null) throw new AuthError('REVOKED_CREDENTIALS', 'The API token has been revoked.');
    assertTenantActive(row.tenant);
    this.lastUsed.stamp(row.id, (at) => this.repo.touchApiToken(row.id, at));
    const found = { scope: tenantScopeOf(row.tenant), tenant: row.tenant, apiTokenId: row.id };
    this.apiTokens.set(tokenHash, found, generation, Date.now());
    return found;
  }

  // --- RevocationListener --------------------------------------------------------------------------

  revoked(notice: RevocationNotice): void {
    switch (notice.kind) {
      case 'accessKey':
        this.accessKeys.evict((k) => k.keyRowId === notice.keyId);
        return;
      case 'apiToken':
        this.apiTokens.evict((t) => t.apiTokenId === notice.tokenId);
        return;
      case 'tenant':
        this.accessKeys.evict((k) => k.tenant.id === notice.tenantId);
        this.apiTokens.evict((t) => t.tenant.id === notice.tenantId);
        return;
      case 'proxyToken':
        return;
    }
  }

  resync(): void {
    this.accessKeys.clear();
    this.apiTokens.clear();
  }

  private listen(): void {
    if (this.listening) return;
    this.listening = true;
    this.revocations.subscribe(this);
  }

  /** Records a successful SigV4 authentication (after the signature was verified). */
  recordAccessKeyUse(keyRowId: string): void {
    this.lastUsed.stamp(keyRowId, (now) => this.repo.touchAccessKey(keyRowId, now));
  }
}

export function assertTenantActive(tenant: Tenant): void {
  if (tenant.status !== 'active') {
    throw new AuthError('TENANT_SUSPENDED', `Account ${tenant.accountId} is suspended; contact the platform operator.`);
  }
}
