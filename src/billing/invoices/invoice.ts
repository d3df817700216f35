import { METERS, type MeterName } from '../usage/meters.js';
import { monthLabel } from '../usage/month.js';
import { formatScaled, MICROS_SCALE, MINOR_SCALE } from './money.js';

export type InvoiceLineKind = 'usage' | 'late_usage' | 'credit';
export type InvoiceStatus = 'draft' | 'final';

/** A line of an invoice, draft or final. Quantities in the meter's base unit, amounts in minor units. */
export interface InvoiceLine {
  readonly kind: InvoiceLineKind;
  readonly meter?: MeterName;
  readonly plan?: string;
  readonly usageMonth?: Date;
  readonly quantity?: bigint;
  readonly freeQuantity?: bigint;
  readonly unitPriceMicros?: bigint;
  readonly amountMinor: bigint;
  readonly description: string;
}

export interface Invoice {
  readonly id: string;
  readonly accountId: string;
  readonly month: Date;
  readonly status: InvoiceStatus;
  readonly currency: string;
  readonly lines: readonly InvoiceLine[];
  readonly totalMinor: bigint;
  readonly closedAt?: Date;
}

/** Invoice ids name the account and the month: stable for drafts, and useless outside their tenant. */
export const invoiceId = (accountId: string, month: Date) => `${accountId}-${monthLabel(month)}`;
export const INVOICE_ID = /^(\d{12})-(\d{4}-\d{2})$/;

export interface InvoiceLineView {
  kind: InvoiceLineKind;
  description: string;
  meter?: string;
  plan?: string;
  usageMonth?: string;
  quantity?: string;
  unit?: string;
  freeQuantity?: string;
  billableQuantity?: string;
  unitPrice?: string;
  per?: string;
  amount: string;
}

export interface InvoiceView {
  id: string;
  accountId: string;
  month: string;
  status: InvoiceStatus;
  currency: string;
  lines: InvoiceLineView[];
  total: string;
  closedAt?: string;
}

/** JSON numbers lose digits past 2^53: quantities and amounts are decimal strings. */
export function lineView(line: InvoiceLine): InvoiceLineView {
  const view: InvoiceLineView = { kind: line.kind, description: line.description, amount: '' };
  if (line.meter) {
    view.meter = line.meter;
    view.unit = METERS[line.meter].unit;
    view.per = METERS[line.meter].pricedPer;
  }
  if (line.plan !== undefined) view.plan = line.plan;
  if (line.usageMonth) view.usageMonth = monthLabel(line.usageMonth);
  if (line.quantity !== undefined) view.quantity = line.quantity.toString();
  if (line.freeQuantity !== undefined) view.freeQuantity = line.freeQuantity.toString();
  if (line.quantity !== undefined && line.freeQuantity !== undefined)
    view.billableQuantity = (line.quantity - line.freeQuantity).toString();
  if (line.unitPriceMicros !== undefined) view.unitPrice = formatScaled(line.unitPriceMicros, MICROS_SCALE);
  view.amount = formatScaled(line.amountMinor, MINOR_SCALE);
  return view;
}

export function invoiceView(invoice: Invoice): InvoiceView {
  return {
    id: invoice.id,
    accountId: invoice.accountId,
    month: monthLabel(invoice.month),
    status: invoice.status,
    currency: invoice.currency,
    lines: invoice.lines.map(lineView),
    total: formatScaled(invoice.totalMinor, MINOR_SCALE),
    ...(invoice.closedAt ? { closedAt: invoice.closedAt.toISOString() } : {}),
  };
}
