import { Injectable } from '@nestjs/common';
import { Prisma } from '../../generated/prisma/client.js';
import { PrismaService } from '../../platform/prisma/prisma.service.js';
import type { Granularity } from './usage.inputs.js';

export interface UsagePoint {
  readonly accountId: string;
  readonly start: Date;
  readonly meter: string;
  readonly quantity: bigint;
}

/** Reads usage (buckets plus their adjustments) summed per period and meter. */
@Injectable()
export class UsageRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** One tenant's usage (`tenantId` given) or every tenant's (operator report). */
  series(tenantId: string | undefined, from: Date, to: Date, granularity: Granularity): Promise<UsagePoint[]> {
    const tenant = tenantId === undefined ? Prisma.empty : Prisma.sql`AND tenant_id = ${tenantId}::uuid`;
    // date_trunc on the UTC wall clock: periods are UTC days and months whatever the session's zone.
    return this.prisma.$queryRaw<UsagePoint[]>`
      SELECT t.account_id AS "accountId",
             (date_trunc(${granularity}, u.hour AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') AS start,
             u.meter, SUM(u.quantity)::bigint AS quantity
      FROM (
        SELECT tenant_id, hour, meter, quantity FROM usage_hours WHERE hour >= ${from} AND hour < ${to} ${tenant}
        UNION ALL
        SELECT tenant_id, hour, meter, quantity FROM usage_adjustments WHERE hour >= ${from} AND hour < ${to} ${tenant}
      ) u JOIN tenants t ON t.id = u.tenant_id
      GROUP BY t.account_id, start, u.meter
      ORDER BY t.account_id, start, u.meter`;
  }
}
