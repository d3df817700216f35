import { Args, ID, ResolveField, Resolver } from '@nestjs/graphql';
import type { TenantScope } from '../../common/tenancy/tenant-scope.js';
import type { InvoiceView } from '../../billing/invoices/invoice.js';
import { InvoicesService } from '../../billing/invoices/invoices.service.js';
import { UsageService, type UsageReport as UsageReportView } from '../../billing/usage/usage.service.js';
import { Authenticate, CurrentScope } from '../../tenants/auth/auth-policy.decorators.js';
import { Account } from '../account/account.models.js';
import { Invoice, UsageReport } from './billing.models.js';

/**
 * The caller's usage and invoices, under its account, over the same services as `/v1/usage` and
 * `/v1/invoices`. Another tenant's invoice id is NOT_FOUND, like one that does not exist.
 */
@Resolver(() => Account)
@Authenticate('tenant')
export class AccountBillingResolver {
  constructor(
    private readonly usageService: UsageService,
    private readonly invoicesService: InvoicesService,
  ) {}

  @ResolveField(() => UsageReport, {
    description: 'Metered usage in [from, to) (ISO 8601 UTC), per hour, day or month.',
  })
  usage(
    @CurrentScope() scope: TenantScope,
    @Args('from', { type: () => String }) from: string,
    @Args('to', { type: () => String }) to: string,
    @Args('granularity', { type: () => String, nullable: true, description: 'hour, day (default) or month.' })
    granularity?: string | null,
  ): Promise<UsageReportView> {
    return this.usageService.forTenant(scope, { from, to, ...(granularity == null ? {} : { granularity }) }, 'usage');
  }

  @ResolveField(() => [Invoice], { description: 'Drafts of open months, then final invoices, newest first.' })
  invoices(@CurrentScope() scope: TenantScope): Promise<InvoiceView[]> {
    return this.invoicesService.list(scope);
  }

  @ResolveField(() => Invoice, { description: 'One invoice by id (<accountId>-<YYYY-MM>).' })
  invoice(@CurrentScope() scope: TenantScope, @Args('id', { type: () => ID }) id: string): Promise<InvoiceView> {
    return this.invoicesService.get(scope, id);
  }
}
