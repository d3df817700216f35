import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { status } from '@grpc/grpc-js';
import { RevocationBus, type RevocationListener } from '../../tenants/revocation/revocation-bus.service.js';
import { STANDING_BOUND_MS, type RevocationNotice } from '../../tenants/revocation/revocation-notice.js';
import type { MeshRef } from '../cache/compiled-store.js';
import type { ProxyIdentity } from '../identity/proxy-identity.js';
import { ProxyTokenService, type ProxyRefusal } from '../identity/proxy-tokens.service.js';
import { StreamRefused } from './stream-refused.js';
import { RevocableCache } from '../../tenants/revocation/revocable-cache.js';
import { XdsMetrics } from './xds.metrics.js';

const TOKEN_CACHE_MAX = 50_000;

/** A stream as the authority sees it: who it is, once authenticated, and how to end it. */
export interface GuardedStream {
  identity: ProxyIdentity | undefined;
  /** Ends the stream with this status; cleanup (session registry, endpoints) follows as for any stream end. */
  readonly end: (code: status, details: string) => void;
}

/** Why the control plane ended a stream it had accepted (the metric's reason label). */
type EndReason = 'revoked' | 'suspended' | 'deleted';

/**
 * Who may be served, now, on this shard. It authenticates new streams (through a cache of
 * verified tokens) and ends open ones whose credentials lost their standing:
 *
 * - at once, on a revocation notice (a proxy token revoked, a tenant suspended or deleted) or a
 *   mesh-deleted change notice (its tokens went with it);
 * - after a missed notice, within STANDING_BOUND_MS: when the subscription is re-established
 *   the cache is dropped and every open stream's token is checked against the database, and
 *   both happen on their own every STANDING_BOUND_MS anyway (cache TTL, periodic check).
 *
 * Invariant: a stream is in `streams` from its arrival until it ends, so a notice can never fall
 * between authenticating a stream and tracking it; one that arrives while a stream authenticates
 * makes that stream's token be read again from the database.
 */
@Injectable()
export class ProxyAuthority implements RevocationListener, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(ProxyAuthority.name);
  private readonly cache = new RevocableCache<ProxyIdentity>(STANDING_BOUND_MS, TOKEN_CACHE_MAX);
  private readonly streams = new Set<GuardedStream>();
  /** Notices and resyncs heard: an authentication during which it moved may have missed its own revocation. */
  private heard = 0;
  private timer: NodeJS.Timeout | undefined;
  private periodic: Promise<void> | undefined;

  constructor(
    private readonly proxyTokens: ProxyTokenService,
    private readonly bus: RevocationBus,
    private readonly metrics: XdsMetrics,
  ) {}

  onApplicationBootstrap(): void {
    this.bus.subscribe(this);
    this.timer = setInterval(() => {
      this.periodic ??= this.recheck(() => true).finally(() => (this.periodic = undefined));
    }, STANDING_BOUND_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Tracks a stream from its arrival; `release` it when it ends, however it ends. */
  guard(end: GuardedStream['end']): GuardedStream {
    const stream: GuardedStream = { identity: undefined, end };
    this.streams.add(stream);
    return stream;
  }

  release(stream: GuardedStream): void {
    this.streams.delete(stream);
  }

  /** The identity `token` stands for, bound to `stream` from now on; throws StreamRefused otherwise. */
  async authenticate(stream: GuardedStream, token: string): Promise<ProxyIdentity> {
    const heard = this.heard;
    const identity = await this.lookup(token);
    stream.identity = identity;
    if (this.heard !== heard) {
      // A notice arrived while the token was looked up, possibly about it: read it again.
      const standing = (await this.proxyTokens.standing([identity.tokenId])).get(identity.tokenId);
      if (standing !== 'valid') throw refusal(standing ?? { reason: 'unknown' });
    }
    return identity;
  }

  private async lookup(token: string): Promise<ProxyIdentity> {
    const cached = this.cache.get(token, Date.now());
    if (cached) return cached;
    const generation = this.cache.generation;
    const result = await this.proxyTokens.authenticate(token);
    if ('refusal' in result) throw refusal(result.refusal);
    this.cache.set(token, result.identity, generation, Date.now());
    return result.identity;
  }

  // --- RevocationListener --------------------------------------------------------------------------

  revoked(notice: RevocationNotice): void {
    this.heard++;
    if (notice.kind === 'proxyToken') {
      const matches = (i: ProxyIdentity) => i.tokenId === notice.tokenId && i.tenantId === notice.tenantId;
      this.cache.evict(matches);
      this.endWhere(matches, 'revoked', status.UNAUTHENTICATED, `proxy token ${notice.tokenId} was revoked`);
      return;
    }
    // Access keys and API tokens are the api role's: no xDS stream is opened with them.
    if (notice.kind !== 'tenant') return;
    const matches = (i: ProxyIdentity) => i.tenantId === notice.tenantId;
    this.cache.evict(matches);
    if (notice.status === 'suspended')
      this.endWhere(matches, 'suspended', status.PERMISSION_DENIED, suspendedMessage(notice.accountId));
    else this.endWhere(matches, 'deleted', status.UNAUTHENTICATED, `account ${notice.accountId} was deleted`);
  }

  resync(): void {
    this.heard++;
    this.cache.clear();
    void this.recheck(() => true);
  }

  /** A mesh was deleted (a change notice without a version): its proxy tokens were deleted with it. */
  meshDeleted(ref: MeshRef): void {
    this.heard++;
    const matches = (i: ProxyIdentity) => i.meshId === ref.meshId && i.tenantId === ref.tenantId;
    this.cache.evict(matches);
    void this.recheck(matches);
  }

  /** Checks the tokens of the open streams that match against the database, and ends those that lost their standing. */
  private async recheck(which: (identity: ProxyIdentity) => boolean): Promise<void> {
    const ids = new Set<string>();
    for (const { identity } of this.streams) if (identity && which(identity)) ids.add(identity.tokenId);
    if (ids.size === 0) return;
    let standing: Map<string, ProxyRefusal | 'valid'>;
    try {
      standing = await this.proxyTokens.standing([...ids]);
    } catch (err) {
      this.log.warn(`checking the proxy tokens of open streams: ${(err as Error).message}`);
      return;
    }
    for (const stream of [...this.streams]) {
      const verdict = stream.identity && which(stream.identity) ? standing.get(stream.identity.tokenId) : undefined;
      if (verdict === undefined || verdict === 'valid') continue;
      if (verdict.reason === 'suspended')
        this.end(stream, 'suspended', status.PERMISSION_DENIED, suspendedMessage(verdict.accountId));
      else
        this.end(
          stream,
          'revoked',
          status.UNAUTHENTICATED,
          `proxy token ${stream.identity!.tokenId} is no longer valid (revoked, or its mesh or account deleted)`,
        );
    }
  }

  private endWhere(matches: (identity: ProxyIdentity) => boolean, reason: EndReason, code: status, details: string) {
    for (const stream of [...this.streams]) {
      if (stream.identity && matches(stream.identity)) this.end(stream, reason, code, details);
    }
  }

  private end(stream: GuardedStream, reason: EndReason, code: status, details: string): void {
    // Released here, not only by the stream's cleanup: a stream is ended once.
    this.streams.delete(stream);
    this.metrics.streamsEnded.inc({ reason });
    stream.end(code, details);
  }
}

function suspendedMessage(accountId: string): string {
  return `account ${accountId} is suspended; contact the platform operator`;
}

/** The status a new stream is refused with, as the API answers the same causes (401 / 403). */
function refusal(why: ProxyRefusal): StreamRefused {
  return why.reason === 'suspended'
    ? new StreamRefused(status.PERMISSION_DENIED, suspendedMessage(why.accountId), 'suspended')
    : new StreamRefused(status.UNAUTHENTICATED, 'invalid or revoked proxy token', 'unauthenticated');
}
