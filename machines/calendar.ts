/** Calendar arithmetic the machines share (pure: no clock of its own). */

/** `iso` plus whole calendar months, in UTC (31 Aug + 6 months = 28/29 Feb). */
export function addMonths(iso: string, months: number): string {
  const date = new Date(iso);
  const day = date.getUTCDate();
  date.setUTCDate(1);
  date.setUTCMonth(date.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
  date.setUTCDate(Math.min(day, lastDay));
  return date.toISOString();
}

/** Milliseconds from `from` until `target`; 0 once it has passed or when either is unknown. */
export const msUntil = (target: string | null, from: string | undefined | null): number =>
  target && from ? Math.max(0, Date.parse(target) - Date.parse(from)) : 0;
