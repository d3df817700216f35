import { z } from 'zod';

/**
 * What a process that caches authentication must forget, published after the database commit
 * that made the change (docs/adr/0013-revocation-at-once.md):
 *
 * - `proxyToken`: the token was revoked (deleted); streams presenting it end.
 * - `tenant`: the tenant was suspended or deleted; nothing of it may be served any more.
 * - `accessKey` (`keyId`: the key's row id) and `apiToken` (`tokenId`: the token's row id): the
 *   credential was revoked; api replicas forget it from their authentication caches.
 */
export type RevocationNotice =
  | { readonly kind: 'proxyToken'; readonly tenantId: string; readonly tokenId: string }
  | { readonly kind: 'apiToken'; readonly tenantId: string; readonly tokenId: string }
  | { readonly kind: 'accessKey'; readonly tenantId: string; readonly keyId: string }
  | {
      readonly kind: 'tenant';
      readonly tenantId: string;
      readonly accountId: string;
      readonly status: 'suspended' | 'deleted';
    };

/**
 * The longest any process acts on a credential's or tenant's standing without reading it again:
 * what a cache entry lives, and how often open xDS streams are checked against the database. It
 * bounds what a missed notice can cost; a notice that arrives takes effect at once.
 */
export const STANDING_BOUND_MS = 30_000;

/** The channel notices go out on, in an installation's namespace (RedisService.namespace), like the xDS change channel. */
export const revocationsChannel = (namespace: string) => `${namespace}:auth:revocations`;

const notice = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('proxyToken'), tenantId: z.string().min(1), tokenId: z.string().min(1) }),
  z.strictObject({ kind: z.literal('apiToken'), tenantId: z.string().min(1), tokenId: z.string().min(1) }),
  z.strictObject({ kind: z.literal('accessKey'), tenantId: z.string().min(1), keyId: z.string().min(1) }),
  z.strictObject({
    kind: z.literal('tenant'),
    tenantId: z.string().min(1),
    accountId: z.string().min(1),
    status: z.enum(['suspended', 'deleted']),
  }),
]);

/**
 * A notice as received, or `undefined` for a message that is not one (a newer version's during a
 * rolling upgrade, or garbage). Subscribers treat `undefined` as "a notice may have been missed",
 * never as nothing: whatever they cannot read, they must not keep trusting what they cached.
 */
export function parseRevocationNotice(message: string): RevocationNotice | undefined {
  let json: unknown;
  try {
    json = JSON.parse(message);
  } catch {
    return undefined;
  }
  const parsed = notice.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}
