import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { JobHandler, type JobProcessor } from '../../platform/queues/job-handler.js';
import { InvoicesService } from './invoices.service.js';

/** The scheduled close: months past their grace become final invoices (idempotent, see closeDue). */
@Injectable()
@JobHandler('invoices', 'close')
export class InvoiceCloseHandler implements JobProcessor<'invoices', 'close'> {
  constructor(private readonly invoices: InvoicesService) {}

  async process(_job: Job<Record<string, never>>): Promise<{ closed: number }> {
    return { closed: await this.invoices.closeDue() };
  }
}
