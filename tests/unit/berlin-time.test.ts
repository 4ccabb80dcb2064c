import { describe, expect, it } from 'vitest';
import { berlinOffset, nextBerlinTime, stableSpread } from '../../machines/berlin-time.js';

/** What German clocks show at an instant, from the host's time zone data (ICU). */
const clock = new Intl.DateTimeFormat('de-DE', {
  timeZone: 'Europe/Berlin',
  hour: '2-digit',
  minute: '2-digit',
});
const germanDay = new Intl.DateTimeFormat('de-DE', {
  timeZone: 'Europe/Berlin',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

describe('German wall-clock time', () => {
  it.each(['01:30', '00:00', '03:00', '23:59'])(
    'when the next %s is taken night after night for three years, then each is at that German time, one per German day, none skipped',
    (time) => {
      let at = Date.parse('2026-01-01T12:00:00Z');
      const days = new Set<string>();
      for (let night = 0; night < 3 * 365; night++) {
        const next = nextBerlinTime(at, time);
        expect(clock.format(next), new Date(next).toISOString()).toBe(time);
        const day = germanDay.format(next);
        expect(days.has(day), day).toBe(false);
        days.add(day);
        expect(next - at).toBeLessThanOrEqual(25 * 3_600_000);
        at = next;
      }
    },
  );

  it('when the offset is asked around both switches of 2027, then it changes at 01:00 UTC on the last Sundays of March and October', () => {
    expect(berlinOffset(Date.parse('2027-03-28T00:59:59Z'))).toBe(3_600_000);
    expect(berlinOffset(Date.parse('2027-03-28T01:00:00Z'))).toBe(7_200_000);
    expect(berlinOffset(Date.parse('2027-10-31T00:59:59Z'))).toBe(7_200_000);
    expect(berlinOffset(Date.parse('2027-10-31T01:00:00Z'))).toBe(3_600_000);
  });

  it('when 02:30 is asked on the spring day, then it happens at 03:30 summer time; on the autumn day only once', () => {
    const spring = nextBerlinTime(Date.parse('2027-03-27T12:00:00Z'), '02:30');
    expect(new Date(spring).toISOString()).toBe('2027-03-28T01:30:00.000Z');
    const autumn = nextBerlinTime(Date.parse('2027-10-30T12:00:00Z'), '02:30');
    expect(new Date(autumn).toISOString()).toBe('2027-10-31T00:30:00.000Z');
    const after = nextBerlinTime(autumn, '02:30');
    expect(new Date(after).toISOString()).toBe('2027-11-01T01:30:00.000Z');
  });

  it('when a practice id is spread, then it is stable, within the range, and practices differ', () => {
    const window = 20 * 60;
    expect(stableSpread('BSNR-123456789', window)).toBe(stableSpread('BSNR-123456789', window));
    const spreads = new Set(
      Array.from({ length: 100 }, (_, i) => stableSpread(`BSNR-${i}`, window)),
    );
    expect(spreads.size).toBeGreaterThan(90);
    for (const spread of spreads) {
      expect(spread).toBeGreaterThanOrEqual(0);
      expect(spread).toBeLessThan(window);
    }
  });
});
