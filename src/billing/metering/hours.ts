/** Usage is bucketed by UTC hour: an hour is named by its start. */
export const HOUR_MS = 3_600_000;

/** The start of the hour `ms` falls in. */
export function hourOf(ms: number): number {
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}
