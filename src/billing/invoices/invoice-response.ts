import type { FastifyReply } from 'fastify';
import { invoiceCsv } from './invoice-csv.js';
import type { InvoiceView } from './invoice.js';

/** JSON by default; CSV when the client's Accept header asks for text/csv. */
export function sendInvoice(
  accept: string | undefined,
  reply: FastifyReply,
  invoice: InvoiceView,
): InvoiceView | string {
  if (!accept?.toLowerCase().includes('text/csv')) return invoice;
  void reply.header('content-type', 'text/csv; charset=utf-8');
  void reply.header('content-disposition', `attachment; filename="invoice-${invoice.id}.csv"`);
  return invoiceCsv(invoice);
}
