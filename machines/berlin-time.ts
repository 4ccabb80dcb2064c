/**
 * German wall-clock time without the host's time zone data: Europe/Berlin is UTC+1, and UTC+2
 * from the last Sunday of March 01:00 UTC to the last Sunday of October 01:00 UTC (EU rule
 * since 1996). Pure arithmetic on given instants, so machines may use it.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** 01:00 UTC on the last Sunday of a month (0-based) of a year. */
function lastSundayOneUtc(year: number, month: number): number {
  const lastDay = Date.UTC(year, month + 1, 0);
  const weekday = new Date(lastDay).getUTCDay(); // 0 = Sunday
  return lastDay - weekday * DAY + HOUR;
}

/** Offset of German time from UTC at an instant, in ms (1 h in winter, 2 h in summer). */
export function berlinOffset(utcMs: number): number {
  const year = new Date(utcMs).getUTCFullYear();
  const summer = utcMs >= lastSundayOneUtc(year, 2) && utcMs < lastSundayOneUtc(year, 9);
  return summer ? 2 * HOUR : HOUR;
}

/** `HH:MM` → minutes after midnight; throws on anything else. */
function minutesOfDay(time: string): number {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(time);
  if (!match) throw new RangeError(`"${time}" is no time of day like 01:30`);
  return Number(match[1]) * 60 + Number(match[2]);
}

/**
 * The instant a German wall-clock time happens on a German calendar day (`localDay` = days
 * since 1970-01-01 in German time). A time that does not exist (the hour skipped in March)
 * happens one hour later, as clocks show it; a time that happens twice (the hour repeated in
 * October) counts at its first occurrence.
 */
function instantOfLocal(localDay: number, minutes: number): number {
  const local = localDay * DAY + minutes * MINUTE;
  const summer = local - 2 * HOUR;
  if (berlinOffset(summer) === 2 * HOUR) return summer;
  const winter = local - HOUR;
  if (berlinOffset(winter) === HOUR) return winter;
  // Skipped hour: the wall clock jumps from 02:00 to 03:00; 02:30 "happens" at 03:30.
  return local - HOUR;
}

/**
 * The first instant after `afterMs` at which German clocks show `time` (`01:30`), shifted by
 * `offsetMs` (a per-practice jitter of a few minutes). Exactly one instant per German day.
 */
export function nextBerlinTime(afterMs: number, time: string, offsetMs = 0): number {
  const minutes = minutesOfDay(time);
  const today = Math.floor((afterMs + berlinOffset(afterMs)) / DAY);
  for (let day = today - 1; ; day++) {
    const at = instantOfLocal(day, minutes) + offsetMs;
    if (at > afterMs) return at;
  }
}

/** A stable number in [0, range) for a text (FNV-1a): the same practice, the same minute. */
export function stableSpread(text: string, range: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % range;
}

/**
 * The German calendar day of an ISO instant (`2026-03-29`): a limit "per day" counts from
 * midnight as clocks in Germany show it.
 */
export function berlinDay(iso: string): string {
  const utcMs = Date.parse(iso);
  return new Date(utcMs + berlinOffset(utcMs)).toISOString().slice(0, 10);
}
