import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import DataLoader from 'dataloader';
import { GroupCommit } from '../../common/batching/group-commit.js';
import { notFound } from '../../common/errors/domain-error.js';
import { isUuid } from '../../common/ids/uuid.js';
import { meshNotFound } from '../../meshes/resources/mesh-resources.service.js';
import type { TenantScope } from '../../common/tenancy/tenant-scope.js';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import { Prisma, type Mesh } from '../../generated/prisma/client.js';
import { MeshStoreFactory } from '../../meshes/resources/mesh-store.factory.js';
import { BatchedLastUsedStamps } from '../../tenants/credentials/batched-last-used-stamps.js';
import { RevocationBus } from '../../tenants/revocation/revocation-bus.service.js';
import type { ProxyIdentity, ProxyKind } from './proxy-identity.js';
import { hashProxyToken, newProxyToken, PROXY_TOKEN_PATTERN } from './proxy-token-format.js';
import { proxyTokenView, type ProxyTokenView } from './proxy-token.view.js';
import {
  ProxyTokensRepository,
  type ProxyTokenStanding,
  type ProxyTokenVerification,
} from './proxy-tokens.repository.js';

/** A new proxy token: the secret appears here once and is never readable again. */
export interface IssuedProxyToken {
  readonly token: string;
  readonly tokenId: string;
}

/**
 * Why a token may not open or keep a stream: `unknown` covers malformed, unknown and revoked
 * tokens alike (and those of a deleted mesh or tenant), so a stream learns nothing about which;
 * `suspended` is told only to a caller that holds a real token, as the API tells it (403).
 */
export type ProxyRefusal =
  { readonly reason: 'unknown' } | { readonly reason: 'suspended'; readonly accountId: string };

export type ProxyAuthentication = { readonly identity: ProxyIdentity } | { readonly refusal: ProxyRefusal };

const UNKNOWN: ProxyRefusal = { reason: 'unknown' };
/** Token ids per standing query (an IN list PostgreSQL plans well). */
const STANDING_BATCH = 1_000;
/** Token hashes per verification query (a fleet connecting at once is read in statements of this many). */
const VERIFY_BATCH = 1_000;

/** The App Mesh API's names of the two kinds, for messages that match its NotFoundExceptions. */
const API_NAME: Record<ProxyKind, string> = { virtualNode: 'VirtualNode', virtualGateway: 'VirtualGateway' };

/**
 * Proxy tokens: the credentials an xDS stream presents (Envoy in its gRPC `initial_metadata`, a
 * proxyless client in its node metadata). Each token names one tenant, mesh and virtual node or
 * gateway; verifying it yields that identity, and the stream is served that resource's view only.
 * Issued by the api role (bootstraps), verified by the xds role.
 */
@Injectable()
export class ProxyTokenService implements OnApplicationShutdown {
  private readonly log = new Logger(ProxyTokenService.name);
  /** Last-used stamps of verified tokens: one UPDATE per second for all of them (see BatchedLastUsedStamps). */
  private readonly lastUsed = new BatchedLastUsedStamps(
    (ids, now) => this.repo.touch(ids, now),
    (err) => this.log.warn(`could not record proxy token use: ${String(err)}`),
  );
  /**
   * Verification reads, coalesced: the tokens of the streams that arrive while a read is in
   * flight (a fleet connecting, a reconnect storm) are read together in the next one, in one
   * statement (GroupCommit). Nothing is cached here: a read always starts after its
   * `authenticate` call, so callers that watch for revocation notices around the call
   * (ProxyAuthority) see every notice that could concern the row read.
   */
  private readonly reads = new GroupCommit();
  private readonly verifications = new DataLoader<string, ProxyTokenVerification | null>(
    (hashes) =>
      this.reads.track(
        this.repo.findForVerification([...new Set(hashes)]).then((rows) => {
          const byHash = new Map(rows.map((row) => [row.tokenHash, row]));
          return hashes.map((hash) => byHash.get(hash) ?? null);
        }),
      ),
    { cache: false, maxBatchSize: VERIFY_BATCH, batchScheduleFn: this.reads.schedule },
  );
  private readonly region: string;

  constructor(
    private readonly repo: ProxyTokensRepository,
    private readonly stores: MeshStoreFactory,
    private readonly revocations: RevocationBus,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.region = config.region;
  }

  /** Writes the last-used stamps still pending. */
  async onApplicationShutdown(): Promise<void> {
    await this.lastUsed.flush();
  }

  /**
   * Issues a token for a virtual node or gateway, which must exist in the caller's tenant: an
   * unknown mesh or resource is a NOT_FOUND worded as the App Mesh API words it, whether it does
   * not exist or belongs to another tenant.
   */
  async issue(scope: TenantScope, meshName: string, kind: ProxyKind, name: string): Promise<IssuedProxyToken> {
    const store = this.stores.reader(scope);
    const mesh = await this.mesh(scope, meshName);
    const resource = await store.findResource(mesh.id, { kind, parentName: '', name });
    if (!resource) throw notFound(`${API_NAME[kind]} ${name} does not exist in mesh ${mesh.name}.`);
    const token = newProxyToken();
    try {
      const row = await this.repo.insert(scope, { meshId: mesh.id, kind, name, tokenHash: hashProxyToken(token) });
      return { token, tokenId: row.id };
    } catch (err) {
      // The mesh was deleted since it was read.
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2003')
        throw meshNotFound(scope, meshName);
      throw err;
    }
  }

  /**
   * The identity a token stands for, or why it may not open a stream: a malformed or unknown
   * (revoked) token, or a suspended tenant.
   */
  async authenticate(token: string): Promise<ProxyAuthentication> {
    if (!PROXY_TOKEN_PATTERN.test(token)) return { refusal: UNKNOWN };
    const row = await this.verifications.load(hashProxyToken(token));
    if (!row || row.mesh.tenantId !== row.tenantId) return { refusal: UNKNOWN };
    const tenant = row.mesh.tenant;
    if (tenant.status !== 'active') return { refusal: { reason: 'suspended', accountId: tenant.accountId } };
    this.lastUsed.stamp(row.id);
    return {
      identity: {
        tenantId: tenant.id,
        accountId: tenant.accountId,
        meshId: row.meshId,
        meshName: row.mesh.name,
        kind: row.kind,
        name: row.name,
        tokenId: row.id,
      },
    };
  }

  /** The identity a token stands for; `undefined` for anything that must not open a stream (see authenticate). */
  async verify(token: string): Promise<ProxyIdentity | undefined> {
    const result = await this.authenticate(token);
    return 'identity' in result ? result.identity : undefined;
  }

  /**
   * Whether tokens, by id, may still hold their streams open: `valid`, or why not. Streams verified
   * earlier are checked with it when a revocation notice may have been missed.
   */
  async standing(tokenIds: readonly string[]): Promise<Map<string, ProxyRefusal | 'valid'>> {
    const result = new Map<string, ProxyRefusal | 'valid'>(tokenIds.map((id) => [id, UNKNOWN]));
    for (let i = 0; i < tokenIds.length; i += STANDING_BATCH) {
      for (const row of await this.repo.findStanding(tokenIds.slice(i, i + STANDING_BATCH))) {
        result.set(row.id, standingOf(row));
      }
    }
    return result;
  }

  /** The tokens of a mesh, optionally of one kind and resource name, oldest first. */
  async list(scope: TenantScope, meshName: string, kind?: ProxyKind, name?: string): Promise<ProxyTokenView[]> {
    const mesh = await this.mesh(scope, meshName);
    const rows = await this.repo.list(scope, mesh.id, {
      ...(kind === undefined ? {} : { kind }),
      ...(name === undefined ? {} : { name }),
    });
    return rows.map((row) => proxyTokenView(row, this.owner(scope, mesh)));
  }

  /**
   * `list` of one kind and name for many proxies at once (the GraphQL API's batched loading): the
   * meshes in one statement and the tokens in another, whatever their number. Each answer is the
   * list, or the error `list` would throw (a mesh the tenant does not have).
   */
  async listBatch(
    scope: TenantScope,
    owners: readonly { meshName: string; kind: ProxyKind; name: string }[],
  ): Promise<(ProxyTokenView[] | Error)[]> {
    const meshes = new Map(
      (await this.stores.reader(scope).findMeshes([...new Set(owners.map((o) => o.meshName))])).map((m) => [m.name, m]),
    );
    const wanted = owners.flatMap((o) => {
      const mesh = meshes.get(o.meshName);
      return mesh ? [{ meshId: mesh.id, kind: o.kind, name: o.name }] : [];
    });
    const meshById = new Map([...meshes.values()].map((m) => [m.id, m]));
    const byOwner = new Map<string, ProxyTokenView[]>();
    for (const row of await this.repo.listOwned(scope, wanted)) {
      const mesh = meshById.get(row.meshId)!;
      const key = JSON.stringify([mesh.name, row.kind, row.name]);
      const list = byOwner.get(key) ?? [];
      if (list.length === 0) byOwner.set(key, list);
      list.push(proxyTokenView(row, this.owner(scope, mesh)));
    }
    return owners.map((o) =>
      meshes.has(o.meshName)
        ? (byOwner.get(JSON.stringify([o.meshName, o.kind, o.name])) ?? [])
        : meshNotFound(scope, o.meshName),
    );
  }

  /**
   * Revokes (deletes) a token: after the commit, a notice makes every xds shard end the streams
   * that present it and refuse new ones. With `meshName`, the token must belong to that mesh. A
   * token of another tenant is NOT_FOUND, like an unknown one.
   */
  async revoke(scope: TenantScope, tokenId: string, meshName?: string): Promise<ProxyTokenView> {
    const row = isUuid(tokenId) ? await this.repo.find(scope, tokenId) : null;
    if (!row || (meshName !== undefined && row.mesh.name !== meshName) || !(await this.repo.delete(scope, row.id))) {
      throw notFound(`Proxy token ${tokenId} does not exist in account ${scope.accountId}.`);
    }
    await this.revocations.publish({ kind: 'proxyToken', tenantId: scope.tenantId, tokenId: row.id });
    return proxyTokenView(row, this.owner(scope, row.mesh));
  }

  private async mesh(scope: TenantScope, meshName: string): Promise<Mesh> {
    const mesh = await this.stores.reader(scope).findMesh(meshName);
    if (!mesh) throw meshNotFound(scope, meshName);
    return mesh;
  }

  private owner(scope: TenantScope, mesh: Mesh) {
    return { region: this.region, accountId: scope.accountId, meshName: mesh.name };
  }
}

function standingOf(row: ProxyTokenStanding): ProxyRefusal | 'valid' {
  if (row.mesh.tenantId !== row.tenantId) return UNKNOWN;
  const tenant = row.mesh.tenant;
  return tenant.status === 'active' ? 'valid' : { reason: 'suspended', accountId: tenant.accountId };
}
