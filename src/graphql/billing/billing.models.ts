import { Field, ID, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: 'Metered usage of one meter in one period (GET /v1/usage).' })
export class UsagePoint {
  @Field({ description: 'Start of the period, ISO 8601 UTC.' })
  start!: string;

  @Field({
    description: 'proxy_seconds, grpc_client_seconds, api_read_requests, api_write_requests or resource_hours.',
  })
  meter!: string;

  @Field({ description: "The meter's base unit (second, request, resource-hour)." })
  unit!: string;

  @Field({ description: 'In the unit, as a decimal string (exact beyond 2^53).' })
  quantity!: string;
}

@ObjectType({ description: 'A usage report: quantities per period and meter, buckets plus their adjustments.' })
export class UsageReport {
  @Field()
  from!: string;

  @Field()
  to!: string;

  @Field({ description: 'hour, day or month.' })
  granularity!: string;

  @Field(() => [UsagePoint])
  usage!: UsagePoint[];
}

@ObjectType({
  description: 'A line of an invoice: usage of a meter under a plan, late usage of a closed month, or a credit.',
})
export class InvoiceLine {
  @Field({ description: 'usage, late_usage or credit.' })
  kind!: string;

  @Field()
  description!: string;

  @Field(() => String, { nullable: true })
  meter?: string;

  @Field(() => String, { nullable: true, description: 'The plan the usage was priced at.' })
  plan?: string;

  @Field(() => String, { nullable: true, description: 'YYYY-MM: the month whose usage the line prices.' })
  usageMonth?: string;

  @Field(() => String, { nullable: true, description: "In the meter's base unit, a decimal string." })
  quantity?: string;

  @Field(() => String, { nullable: true })
  unit?: string;

  @Field(() => String, { nullable: true, description: "The part of quantity the plan's monthly free units covered." })
  freeQuantity?: string;

  @Field(() => String, { nullable: true })
  billableQuantity?: string;

  @Field(() => String, { nullable: true, description: 'Per priced unit (see per), 6 decimals.' })
  unitPrice?: string;

  @Field(() => String, {
    nullable: true,
    description: 'The priced unit: proxy-hour, client-hour, request, resource-hour.',
  })
  per?: string;

  @Field({ description: 'In the currency, 2 decimals; negative for credits.' })
  amount!: string;
}

@ObjectType({ description: 'A monthly invoice: draft while the month is open, final (immutable) once closed.' })
export class Invoice {
  @Field(() => ID, { description: '<accountId>-<YYYY-MM>' })
  id!: string;

  @Field()
  accountId!: string;

  @Field({ description: 'YYYY-MM' })
  month!: string;

  @Field({ description: 'draft or final.' })
  status!: string;

  @Field({ description: 'ISO 4217.' })
  currency!: string;

  @Field(() => [InvoiceLine])
  lines!: InvoiceLine[];

  @Field({ description: 'Sum of the lines, 2 decimals.' })
  total!: string;

  @Field(() => String, { nullable: true, description: 'When the month was closed (final invoices).' })
  closedAt?: string;
}
