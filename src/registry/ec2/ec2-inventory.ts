import { paginateDescribeInstances, type EC2Client, type Filter, type Instance } from '@aws-sdk/client-ec2';
import type { TagFilter } from './ec2-sync-source.inputs.js';

/**
 * DescribeInstances' filters for a source: every tag filter (`tag:<key>` matching any of its
 * values; EC2 ANDs the filters) and running instances only.
 */
export function describeFilters(tagFilters: readonly TagFilter[]): Filter[] {
  return [
    ...tagFilters.map((f) => ({ Name: `tag:${f.key}`, Values: [...f.values] })),
    { Name: 'instance-state-name', Values: ['running'] },
  ];
}

/** Walks every page of DescribeInstances (MaxResults = pageSize) and returns the instances found. */
export async function describeRunningInstances(
  client: EC2Client,
  tagFilters: readonly TagFilter[],
  pageSize: number,
): Promise<{ instances: Instance[]; pages: number }> {
  const instances: Instance[] = [];
  let pages = 0;
  for await (const page of paginateDescribeInstances({ client, pageSize }, { Filters: describeFilters(tagFilters) })) {
    pages++;
    for (const reservation of page.Reservations ?? []) instances.push(...(reservation.Instances ?? []));
  }
  return { instances, pages };
}
