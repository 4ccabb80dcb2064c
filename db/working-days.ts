/**
 * Working-day arithmetic in German time: Monday to Friday, without the public holidays of one
 * Land (or only the nationwide ones), from `feiertagejs`.
 */
import { getHolidays } from 'feiertagejs';
import { berlinOffset } from '../machines/berlin-time.js';

/** `BUND`: the nationwide holidays only; otherwise a Land's (its two-letter code). */
export const HOLIDAY_REGIONS = [
  'BUND',
  'BW',
  'BY',
  'BE',
  'BB',
  'HB',
  'HE',
  'HH',
  'MV',
  'NI',
  'NW',
  'RP',
  'SL',
  'SN',
  'ST',
  'SH',
  'TH',
] as const;
export type HolidayRegion = (typeof HOLIDAY_REGIONS)[number];

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** `YYYY-MM-DD` of every holiday of a year in a region, computed once per year and region. */
const holidayCache = new Map<string, ReadonlySet<string>>();

function holidaysOf(year: number, region: HolidayRegion): ReadonlySet<string> {
  const key = `${region}:${year}`;
  let days = holidayCache.get(key);
  if (!days) {
    days = new Set(getHolidays(year, region).map((holiday) => holiday.dateString));
    holidayCache.set(key, days);
  }
  return days;
}

/** The German calendar day (days since 1970-01-01) as `YYYY-MM-DD`. */
const isoDay = (localDay: number): string => new Date(localDay * DAY).toISOString().slice(0, 10);

/** Monday to Friday and no public holiday of the region. */
export function isWorkingDay(localDay: number, region: HolidayRegion): boolean {
  const weekday = new Date(localDay * DAY).getUTCDay(); // 0 = Sunday
  if (weekday === 0 || weekday === 6) return false;
  const day = isoDay(localDay);
  return !holidaysOf(Number(day.slice(0, 4)), region).has(day);
}

/**
 * The instant German clocks show `msOfDay` on a German calendar day. Clocks change on Sundays,
 * never a working day, so a working day's wall time exists exactly once; the fallbacks only
 * keep the function total.
 */
function instantOfLocal(localDay: number, msOfDay: number): number {
  const local = localDay * DAY + msOfDay;
  if (berlinOffset(local - 2 * HOUR) === 2 * HOUR) return local - 2 * HOUR;
  if (berlinOffset(local - HOUR) === HOUR) return local - HOUR;
  return local - HOUR;
}

/**
 * `days` working days after an instant, at the same German wall time: Monday 10:00 plus 2 is
 * Wednesday 10:00, Friday 15:00 plus 2 is Tuesday 15:00. An instant on a weekend or holiday
 * counts from the start (00:00) of the next working day: Saturday plus 2 is Wednesday 00:00,
 * the end of Tuesday.
 */
export function addWorkingDays(fromMs: number, days: number, region: HolidayRegion): number {
  const local = fromMs + berlinOffset(fromMs);
  let localDay = Math.floor(local / DAY);
  let msOfDay = local - localDay * DAY;
  if (!isWorkingDay(localDay, region)) {
    msOfDay = 0;
    do localDay += 1;
    while (!isWorkingDay(localDay, region));
  }
  for (let counted = 0; counted < days; counted += 1) {
    do localDay += 1;
    while (!isWorkingDay(localDay, region));
  }
  return instantOfLocal(localDay, msOfDay);
}
