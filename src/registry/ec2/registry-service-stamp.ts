import type { Prisma } from '../../generated/prisma/client.js';

/**
 * Stamps the services whose instances a transaction changed (`updated_at = now()`), in that
 * transaction: the endpoints sweep's repair finds a change whose notification was lost by this
 * stamp (registry-changes.ts).
 */
export async function touchServices(
  tx: Prisma.TransactionClient,
  tenantId: string,
  serviceIds: readonly string[],
): Promise<void> {
  if (serviceIds.length === 0) return;
  await tx.$executeRaw`
    UPDATE registry_services SET updated_at = now()
    WHERE id = ANY(${[...serviceIds]}::uuid[]) AND tenant_id = ${tenantId}::uuid`;
}
