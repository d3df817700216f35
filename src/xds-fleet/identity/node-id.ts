import { formatArn } from '../../common/ids/arn.js';
import type { ProxyIdentity, ProxyKind } from './proxy-identity.js';

/** The ARN of the resource a proxy runs as: what generated bootstraps put in `node.id`. */
export function proxyResourceArn(
  region: string,
  accountId: string,
  meshName: string,
  kind: ProxyKind,
  name: string,
): string {
  return formatArn(region, accountId, meshName, { kind, name });
}

/**
 * Whether an xDS client's `node.id` names the resource its token is for. Two forms are accepted,
 * the two App Mesh's Envoy accepted (APPMESH_RESOURCE_ARN, or the older APPMESH_VIRTUAL_NODE_NAME
 * form): the resource ARN in this server's region and the tenant's account, or
 * `mesh/<mesh>/virtualNode/<name>` (`.../virtualGateway/<name>`). Anything else, including the
 * same resource in another account or region, does not match: a token never lends its identity
 * to a node that claims to be someone else.
 */
export function nodeIdMatches(identity: ProxyIdentity, nodeId: string, region: string): boolean {
  const path = `mesh/${identity.meshName}/${identity.kind}/${identity.name}`;
  if (nodeId === path) return true;
  return nodeId === proxyResourceArn(region, identity.accountId, identity.meshName, identity.kind, identity.name);
}
