import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/env.js';
import { slaConfig } from '../../config/sla.js';
import { DEFAULT_SLA_POLICY, slaPolicy } from '../../db/sla.js';
import { addWorkingDays, isWorkingDay } from '../../db/working-days.js';

/** What German clocks show at an instant, from the host's time zone data (ICU), to compare. */
const german = new Intl.DateTimeFormat('de-DE', {
  timeZone: 'Europe/Berlin',
  weekday: 'short',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
});
const shown = (ms: number): string => german.format(new Date(ms));
const plus = (iso: string, days: number, region: 'BUND' | 'NW' = 'BUND'): string =>
  shown(addWorkingDays(Date.parse(iso), days, region));
const localDay = (iso: string): number => Math.floor(Date.parse(`${iso}T12:00:00Z`) / 86_400_000);

describe('working days in German time', () => {
  it('when 2 working days are added on a Monday morning, then it is due Wednesday at the same time', () => {
    expect(plus('2026-11-30T09:00:00Z', 2)).toBe('Mi., 02.12.2026, 10:00');
  });

  it('when 2 working days are added on a Friday afternoon, then the weekend does not count: Tuesday', () => {
    expect(plus('2026-12-04T14:00:00Z', 2)).toBe('Di., 08.12.2026, 15:00');
  });

  it('when a state is entered on a Saturday, then counting starts Monday 00:00: due at the end of Tuesday', () => {
    expect(plus('2026-12-05T09:00:00Z', 2)).toBe('Mi., 09.12.2026, 00:00');
  });

  it('when the Tag der Deutschen Einheit (03.10.) falls on a Friday, then it does not count', () => {
    expect(isWorkingDay(localDay('2025-10-03'), 'BUND')).toBe(false);
    expect(plus('2025-10-02T08:00:00Z', 2)).toBe('Di., 07.10.2025, 10:00');
  });

  it('when Karfreitag and Ostermontag lie ahead, then neither counts', () => {
    expect(isWorkingDay(localDay('2026-04-03'), 'BUND')).toBe(false);
    expect(isWorkingDay(localDay('2026-04-06'), 'BUND')).toBe(false);
    expect(plus('2026-04-02T08:00:00Z', 2)).toBe('Mi., 08.04.2026, 10:00');
  });

  it('when the clocks go forward in between (29.03.2026), then the due time keeps the German wall time', () => {
    const due = addWorkingDays(Date.parse('2026-03-27T09:00:00Z'), 2, 'BUND');
    expect(new Date(due).toISOString()).toBe('2026-03-31T08:00:00.000Z');
    expect(shown(due)).toBe('Di., 31.03.2026, 10:00');
  });

  it('when the clocks go back in between (25.10.2026), then the due time keeps the German wall time', () => {
    const due = addWorkingDays(Date.parse('2026-10-23T08:00:00Z'), 2, 'BUND');
    expect(new Date(due).toISOString()).toBe('2026-10-27T09:00:00.000Z');
    expect(shown(due)).toBe('Di., 27.10.2026, 10:00');
  });

  it('when the time is late in the German evening (already the next day in UTC terms of others), then the German day counts', () => {
    // Monday 23:30 German time is 22:30 UTC: still Monday.
    expect(plus('2026-11-30T22:30:00Z', 2)).toBe('Mi., 02.12.2026, 23:30');
  });

  it("when a Land's own holiday (Fronleichnam in NW) lies ahead, then it counts only where configured", () => {
    expect(plus('2026-06-03T08:00:00Z', 1, 'BUND')).toBe('Do., 04.06.2026, 10:00');
    expect(plus('2026-06-03T08:00:00Z', 1, 'NW')).toBe('Fr., 05.06.2026, 10:00');
  });

  it('when 10 working days span Christmas and New Year, then 25./26.12. and 01.01. do not count (24. and 31.12. do)', () => {
    expect(plus('2026-12-14T08:00:00Z', 10)).toBe('Di., 29.12.2026, 09:00');
    expect(plus('2026-12-21T08:00:00Z', 10)).toBe('Mi., 06.01.2027, 09:00');
  });
});

describe('service level targets', () => {
  it('when an invitation enters „Beantragt“, then it is due 2 working days later; other states have none', () => {
    expect(DEFAULT_SLA_POLICY.dueAt('invitation', 'requested', '2026-12-04T14:00:00.000Z')).toBe(
      '2026-12-08T14:00:00.000Z',
    );
    expect(
      DEFAULT_SLA_POLICY.dueAt('invitation', 'registration.invited', '2026-12-04T14:00:00.000Z'),
    ).toBeNull();
    expect(DEFAULT_SLA_POLICY.dueAt('card', 'requested', '2026-12-04T14:00:00.000Z')).toBeNull();
  });

  it('when an application enters „Eingang Antragsunterlagen“, then it is due 10 working days later', () => {
    expect(
      DEFAULT_SLA_POLICY.dueAt('ehbaApplication', 'documentsReceived', '2026-11-02T09:00:00.000Z'),
    ).toBe('2026-11-16T09:00:00.000Z');
  });

  it('when a target is in hours, then weekends count like any other time', () => {
    const policy = slaPolicy({ invitation: { requested: { hours: 48 } } });
    expect(policy.dueAt('invitation', 'requested', '2026-12-04T14:00:00.000Z')).toBe(
      '2026-12-06T14:00:00.000Z',
    );
  });
});

describe('PRAXISFLOW_SLA and PRAXISFLOW_SLA_HOLIDAYS', () => {
  it('when nothing is configured, then the defaults apply with the nationwide holidays', () => {
    const policy = slaConfig({});
    expect(policy.region).toBe('BUND');
    expect(policy.states).toEqual([
      { type: 'invitation', state: 'requested' },
      { type: 'ehbaApplication', state: 'documentsReceived' },
    ]);
  });

  it('when a deployment changes, drops and adds targets, then the policy has exactly those', () => {
    const policy = slaConfig({
      PRAXISFLOW_SLA:
        'invitation.requested=3wd, ehbaApplication.documentsReceived=off,ehbaApplication.awaitingApproval=72h',
      PRAXISFLOW_SLA_HOLIDAYS: 'nw',
    });
    expect(policy.region).toBe('NW');
    expect(policy.targetOf('invitation', 'requested')).toEqual({ workingDays: 3 });
    expect(policy.targetOf('ehbaApplication', 'documentsReceived')).toBeUndefined();
    expect(policy.targetOf('ehbaApplication', 'awaitingApproval')).toEqual({ hours: 72 });
  });

  it.each([
    [
      'invitaton.requested=2wd',
      /PRAXISFLOW_SLA\.invitaton\.requested=2wd: "invitaton" is no process type/,
    ],
    [
      'invitation.approved=2wd',
      /"approved" is no state of invitation a process waits in: .*requested/,
    ],
    ['invitation.revoked=1wd', /"revoked" is no state of invitation a process waits in/],
    ['invitation.expired=1wd', /"expired" is no state of invitation/],
    [
      'invitation.requested=2 days',
      /"2 days" is no target like 2wd \(working days\), 48h \(hours\) or off/,
    ],
    ['invitation.requested=0wd', /"0wd" is no target/],
  ])('when PRAXISFLOW_SLA is %s, then the start is refused naming the entry', (value, message) => {
    expect(() => slaConfig({ PRAXISFLOW_SLA: value })).toThrow(ConfigError);
    expect(() => slaConfig({ PRAXISFLOW_SLA: value })).toThrow(message);
  });

  it('when the Land is unknown, then the start is refused naming the choices', () => {
    expect(() => slaConfig({ PRAXISFLOW_SLA_HOLIDAYS: 'Bayern' })).toThrow(
      /PRAXISFLOW_SLA_HOLIDAYS: "BAYERN" is no Land: one of BUND, BW, BY/,
    );
  });
});
