import { randomBytes } from 'node:crypto';
import {
  EC2Client,
  RunInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
  type Tag,
} from '@aws-sdk/client-ec2';
import type { PrismaService } from '../../src/platform/prisma/prisma.service.js';
import { MOTO_CREDENTIALS } from './moto.js';

/** A real EC2 SDK client on the emulator (any credentials while its authentication is off). */
export function ec2Client(endpoint: string, region = 'us-east-1'): EC2Client {
  return new EC2Client({ endpoint, region, credentials: MOTO_CREDENTIALS, maxAttempts: 1 });
}

/**
 * Launches `count` instances with `tags`, each in a reservation of its own (DescribeInstances
 * pages by reservation on the emulator, as AWS counts instances), and returns their ids.
 */
export async function launch(
  ec2: EC2Client,
  count: number,
  tags: Record<string, string>,
  placement: { subnetId?: string; privateIps?: readonly string[] } = {},
): Promise<string[]> {
  const ids: string[] = [];
  const tagList: Tag[] = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
  for (let i = 0; i < count; i++) {
    const out = await ec2.send(
      new RunInstancesCommand({
        ImageId: 'ami-12c6146b',
        InstanceType: 't3.micro',
        MinCount: 1,
        MaxCount: 1,
        TagSpecifications: [{ ResourceType: 'instance', Tags: tagList }],
        ...(placement.subnetId ? { SubnetId: placement.subnetId } : {}),
        ...(placement.privateIps?.[i] ? { PrivateIpAddress: placement.privateIps[i] } : {}),
      }),
    );
    ids.push(...(out.Instances ?? []).map((x) => x.InstanceId ?? ''));
  }
  return ids;
}

export async function stop(ec2: EC2Client, ids: string[]): Promise<void> {
  await ec2.send(new StopInstancesCommand({ InstanceIds: ids }));
}

export async function terminate(ec2: EC2Client, ids: string[]): Promise<void> {
  await ec2.send(new TerminateInstancesCommand({ InstanceIds: ids }));
}

/** A tag value no other test uses, so tests sharing one emulator never see each other's instances. */
export const uniqueTag = () => `t-${randomBytes(5).toString('hex')}`;

/**
 * A registry namespace and service of a tenant, written as rows (the registry API has tests of
 * its own, test/integration/registry-api.test.ts); the sync only needs the service to exist.
 */
export async function registryService(
  prisma: PrismaService,
  tenantId: string,
  namespaceName: string,
  serviceName: string,
): Promise<string> {
  const namespace = await prisma.registryNamespace.upsert({
    where: { tenantId_name: { tenantId, name: namespaceName } },
    create: { tenantId, name: namespaceName },
    update: {},
  });
  const service = await prisma.registryService.create({
    data: { tenantId, namespaceId: namespace.id, name: serviceName },
  });
  return service.id;
}
