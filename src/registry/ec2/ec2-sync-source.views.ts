import type { Ec2SyncSource } from '../../generated/prisma/client.js';
import type { TagFilter } from './ec2-sync-source.inputs.js';

/** How a source authenticates, as shown: the access key id or the role, never a secret. */
export type Ec2SyncCredentialsView =
  { readonly type: 'accessKey'; readonly accessKeyId: string } | { readonly type: 'role'; readonly roleArn: string };

/** The public shape of a sync source, shared by REST and GraphQL. The sealed secret never appears. */
export interface Ec2SyncSourceView {
  readonly id: string;
  readonly name: string;
  readonly region: string;
  readonly endpoint: string | null;
  readonly tagFilters: readonly TagFilter[];
  /** The registry service the instances join; null when it was deleted since (the source is then stale). */
  readonly namespaceName: string | null;
  readonly serviceName: string | null;
  readonly attributeTags: readonly string[];
  readonly port: number;
  readonly intervalSeconds: number;
  readonly credentials: Ec2SyncCredentialsView;
  readonly status: 'PENDING' | 'OK' | 'STALE' | 'THROTTLED';
  readonly lastSyncAt: string | null;
  readonly lastSuccessAt: string | null;
  readonly lastError: string | null;
  readonly lastWarning: string | null;
  /** Instances this source has in the registry (as of its last success). */
  readonly instanceCount: number;
  /** Matching EC2 instances left out at the last success (no private address, or an InstanceId clash). */
  readonly skippedCount: number;
  /** While THROTTLED: no run before this time. */
  readonly backoffUntil: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface ServiceNames {
  readonly namespaceName: string;
  readonly serviceName: string;
}

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

export function ec2SyncSourceView(row: Ec2SyncSource, service: ServiceNames | null): Ec2SyncSourceView {
  return {
    id: row.id,
    name: row.name,
    region: row.region,
    endpoint: row.endpoint,
    tagFilters: row.tagFilters as unknown as TagFilter[],
    namespaceName: service?.namespaceName ?? null,
    serviceName: service?.serviceName ?? null,
    attributeTags: row.attributeTags as unknown as string[],
    port: row.port,
    intervalSeconds: row.intervalSeconds,
    credentials:
      row.roleArn !== null
        ? { type: 'role', roleArn: row.roleArn }
        : { type: 'accessKey', accessKeyId: row.accessKeyId ?? '' },
    status: row.status,
    lastSyncAt: iso(row.lastSyncAt),
    lastSuccessAt: iso(row.lastSuccessAt),
    lastError: row.lastError,
    lastWarning: row.lastWarning,
    instanceCount: row.instanceCount,
    skippedCount: row.skippedCount,
    backoffUntil: iso(row.backoffUntil),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
