/** German dates and times, whatever the browser's zone: the back office works in German time. */

const absolute = new Intl.DateTimeFormat('de-DE', {
  timeZone: 'Europe/Berlin',
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

export const formatTime = (iso: string): string => `${absolute.format(new Date(iso))} Uhr`;

const day = new Intl.DateTimeFormat('de-DE', {
  timeZone: 'Europe/Berlin',
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
});

/** `03.12.2026`: the German day of an instant. */
export const formatDate = (iso: string): string => day.format(new Date(iso));

const relative = new Intl.RelativeTimeFormat('de-DE', { numeric: 'auto' });
const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600e3],
  ['month', 30 * 24 * 3600e3],
  ['day', 24 * 3600e3],
  ['hour', 3600e3],
  ['minute', 60e3],
  ['second', 1e3],
];

/** „in 3 Tagen“, „vor 2 Stunden“. */
export function formatRelative(iso: string, now = Date.now()): string {
  const diff = Date.parse(iso) - now;
  for (const [unit, ms] of UNITS) {
    if (Math.abs(diff) >= ms || unit === 'second') {
      return relative.format(Math.round(diff / ms), unit);
    }
  }
  return '';
}

/** `2 T 03:04:05` until `iso`; `fällig` once it has passed. */
export function countdown(iso: string, now = Date.now()): string {
  const left = Date.parse(iso) - now;
  if (left <= 0) return 'fällig';
  const seconds = Math.floor(left / 1000);
  const days = Math.floor(seconds / 86400);
  const clock = [
    Math.floor((seconds % 86400) / 3600),
    Math.floor((seconds % 3600) / 60),
    seconds % 60,
  ]
    .map((part) => String(part).padStart(2, '0'))
    .join(':');
  return days > 0 ? `${days} T ${clock}` : clock;
}

/** A default timer length as people say it: „30 Tage (720 Std.)“, „5 Min.“. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return 'berechnet';
  if (ms % (24 * 3600e3) === 0) return `${ms / (24 * 3600e3)} Tage (${ms / 3600e3} Std.)`;
  if (ms % 3600e3 === 0) return `${ms / 3600e3} Std.`;
  if (ms % 60e3 === 0) return `${ms / 60e3} Min.`;
  return `${ms / 1000} s`;
}

export const STATUS_LABELS: Readonly<Record<string, string>> = {
  active: 'aktiv',
  done: 'abgeschlossen',
  failed: 'fehlgeschlagen',
  cancelled: 'abgebrochen',
};

/** „1 Vorgang“, „1.232 Vorgänge“: a count with its noun in the right number. */
export const countOf = (count: number, one: string, many: string): string =>
  `${count.toLocaleString('de-DE')} ${count === 1 ? one : many}`;
