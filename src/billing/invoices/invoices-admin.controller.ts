import { Body, Controller, Get, Headers, HttpCode, Param, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AdminOnly } from '../../tenants/auth/auth-policy.decorators.js';
import { TenantsService } from '../../tenants/tenants.service.js';
import { sendInvoice } from './invoice-response.js';
import { InvoicesService } from './invoices.service.js';

/** What operator actions are recorded as done by (there is one operator credential). */
export const OPERATOR = 'operator';

/** Operator API: any tenant's invoices, credits, and closing a month. */
@Controller('admin/v1')
@AdminOnly()
export class InvoicesAdminController {
  constructor(
    private readonly invoices: InvoicesService,
    private readonly tenants: TenantsService,
  ) {}

  @Get('tenants/:accountId/invoices')
  async list(@Param('accountId') accountId: string) {
    return { invoices: await this.invoices.list(await this.tenants.scopeOf(accountId)) };
  }

  @Get('tenants/:accountId/invoices/:id')
  async get(
    @Param('accountId') accountId: string,
    @Param('id') id: string,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return sendInvoice(accept, reply, await this.invoices.get(await this.tenants.scopeOf(accountId), id));
  }

  @Post('tenants/:accountId/credits')
  @HttpCode(201)
  credit(@Param('accountId') accountId: string, @Body() body: unknown) {
    return this.invoices.addCredit(accountId, body, OPERATOR);
  }

  /** Closes a month (and any earlier open one) for every tenant, or for `accountId`. */
  @Post('invoices/close')
  @HttpCode(200)
  close(@Body() body: unknown) {
    return this.invoices.close(body, OPERATOR);
  }
}
