/** Calendar months in UTC, the period of an invoice. */

export function monthStart(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
}

export function addMonths(month: Date, n: number): Date {
  return new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth() + n, 1));
}

/** `2026-11` */
export function monthLabel(month: Date): string {
  return `${month.getUTCFullYear()}-${String(month.getUTCMonth() + 1).padStart(2, '0')}`;
}

const LABEL = /^(\d{4})-(0[1-9]|1[0-2])$/;
export const MONTH_RULE = 'must be a month as YYYY-MM (e.g. 2026-11)';

/** The first instant of a `YYYY-MM` month, or `undefined` when it is not one. */
export function parseMonth(label: string): Date | undefined {
  const m = LABEL.exec(label);
  return m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1)) : undefined;
}

/** Months from `first` to `last` inclusive, oldest first. */
export function monthsBetween(first: Date, last: Date): Date[] {
  const months: Date[] = [];
  for (let m = monthStart(first); m.getTime() <= last.getTime(); m = addMonths(m, 1)) months.push(m);
  return months;
}
