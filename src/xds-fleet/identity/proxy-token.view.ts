import type { ProxyToken } from '../../generated/prisma/client.js';
import { proxyResourceArn } from './node-id.js';
import type { ProxyKind } from './proxy-identity.js';

/** The public shape of a proxy token, for REST, GraphQL and the CLI. Never the secret. */
export interface ProxyTokenView {
  readonly id: string;
  readonly meshName: string;
  readonly kind: ProxyKind;
  /** The virtual node's or virtual gateway's name. */
  readonly name: string;
  /** The resource's ARN: the `node.id` a proxy using the token should present. */
  readonly arn: string;
  readonly createdAt: string;
  /**
   * When a stream last presented it, to the minute: a shard stamps a token at most once a minute,
   * in a batched write about a second after the use (BatchedLastUsedStamps).
   */
  readonly lastUsedAt: string | null;
}

export function proxyTokenView(
  token: ProxyToken,
  owner: { readonly region: string; readonly accountId: string; readonly meshName: string },
): ProxyTokenView {
  return {
    id: token.id,
    meshName: owner.meshName,
    kind: token.kind,
    name: token.name,
    arn: proxyResourceArn(owner.region, owner.accountId, owner.meshName, token.kind, token.name),
    createdAt: token.createdAt.toISOString(),
    lastUsedAt: token.lastUsedAt === null ? null : token.lastUsedAt.toISOString(),
  };
}
