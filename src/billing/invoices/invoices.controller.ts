import { Controller, Get, Headers, Param, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { TenantScope } from '../../common/tenancy/tenant-scope.js';
import { Authenticate, CurrentScope } from '../../tenants/auth/auth-policy.decorators.js';
import { sendInvoice } from './invoice-response.js';
import { InvoicesService } from './invoices.service.js';

/** A tenant's own invoices (`/v1`, API token or SigV4): drafts of open months and final ones. */
@Controller('v1/invoices')
@Authenticate('tenant')
export class InvoicesController {
  constructor(private readonly invoices: InvoicesService) {}

  @Get()
  async list(@CurrentScope() scope: TenantScope) {
    return { invoices: await this.invoices.list(scope) };
  }

  @Get(':id')
  async get(
    @CurrentScope() scope: TenantScope,
    @Param('id') id: string,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return sendInvoice(accept, reply, await this.invoices.get(scope, id));
  }
}
