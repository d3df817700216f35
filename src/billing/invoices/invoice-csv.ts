import type { InvoiceView } from './invoice.js';

const COLUMNS = [
  'invoice_id',
  'account_id',
  'month',
  'status',
  'currency',
  'kind',
  'meter',
  'plan',
  'usage_month',
  'quantity',
  'unit',
  'free_quantity',
  'billable_quantity',
  'unit_price',
  'per',
  'amount',
  'description',
] as const;

/** RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. */
function field(value: string | undefined): string {
  const v = value ?? '';
  return /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

/**
 * An invoice as CSV (RFC 4180, CRLF line ends): a header, one row per line, and a `total` row.
 * Every row repeats the invoice's columns so that rows of many invoices can be concatenated.
 */
export function invoiceCsv(invoice: InvoiceView): string {
  const head = [invoice.id, invoice.accountId, invoice.month, invoice.status, invoice.currency];
  const rows = invoice.lines.map((l) => [
    ...head,
    l.kind,
    l.meter,
    l.plan,
    l.usageMonth,
    l.quantity,
    l.unit,
    l.freeQuantity,
    l.billableQuantity,
    l.unitPrice,
    l.per,
    l.amount,
    l.description,
  ]);
  rows.push([...head, 'total', ...Array<undefined>(9).fill(undefined), invoice.total, 'Total']);
  return [COLUMNS.join(','), ...rows.map((r) => r.map(field).join(','))].join('\r\n') + '\r\n';
}
