import { getShortestPaths, getStateNodes } from '@xstate/graph';
import { type AnyEventObject, type AnyMachineSnapshot, type AnyStateMachine } from 'xstate';
import { describe, expect, it } from 'vitest';
import { cardV2InputSchema } from '../../machines/card-v2.schema.js';
import {
  ehbaApplicationDelays,
  ehbaApplicationProcess,
  ehbaApplicationProcessV2,
} from '../../machines/ehba-application.js';
import {
  drawApplicationNumber,
  ehbaApplicationInputSchema,
  type EhbaApplicationContext,
  type EhbaApplicationEvent,
  type EhbaApplicationInput,
} from '../../machines/ehba-application.schema.js';
import { DAY } from '../../machines/process-definition.js';
import { notAllowedDetail } from '../../workflows/interpreter/refusals.js';
import { allowedEvents, labelOf, leafPaths, redact } from '../../workflows/interpreter/view.js';
import { machineHarness, type Run } from '../support/machine-harness.js';

/**
 * The eHBA / SMC-B application (PROCESSES.md §2) as a pure machine: every state reached and
 * every transition taken on a path (@xstate/graph), and on the way what the applicant and
 * the issuer observe — the state label, the emails, the timers and the card it starts.
 */

/** Version 2, which new applications start with; version 1 differs only in the Kennwort. */
const machine: AnyStateMachine = ehbaApplicationProcessV2.machine;
type Snapshot = AnyMachineSnapshot;
type Action = { readonly type: string; readonly params?: unknown };

const NOW = '2026-03-02T09:30:00.000Z';
const at = { receivedAt: NOW, actor: 'key-1' } as const;
const APPLICATION_NUMBER = 'A-2026-7K3M9QXT';

const address = {
  name: 'Dr. med. Erika Mustermann',
  street: 'Heidestraße 17',
  postcode: '51147',
  city: 'Köln',
};
/** What the API makes of the applicant's Kennwort (argon2id, PHC form). */
const KENNWORT_HASH =
  '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNo';
const rawInput = {
  cardType: 'eHBA',
  salutation: 'Frau',
  title: 'Dr. med.',
  firstName: 'Erika',
  lastName: 'Mustermann',
  birthDate: '1975-03-14',
  email: 'Erika.Mustermann@Praxis.Example',
  chamber: 'Ärztekammer Nordrhein',
  address,
  practiceId: 'BSNR-123456789',
  applicationNumber: APPLICATION_NUMBER,
  activationPasswordHash: KENNWORT_HASH,
};
const input = ehbaApplicationInputSchema.parse(rawInput);
const applicant = {
  salutation: 'Frau',
  title: 'Dr. med.',
  firstName: 'Erika',
  lastName: 'Mustermann',
  birthDate: '1975-03-14',
  email: 'Erika.Mustermann@praxis.example',
  chamber: 'Ärztekammer Nordrhein',
  address: { ...address, country: 'DE' },
};
/** What every application email carries besides its template's own fields. */
const mail = { applicationNumber: APPLICATION_NUMBER, cardType: 'eHBA', applicant } as const;

const harness = machineHarness(machine);
const start = (startInput: EhbaApplicationInput = input) => harness.start(startInput);
const send = (run: Run, event: EhbaApplicationEvent | AnyEventObject) => harness.send(run, event);
const timerId = (run: Run, delay: keyof typeof ehbaApplicationDelays): string =>
  harness.timerId(run, delay);
/** The timer fires: the interpreter sends the after-event with its id as type. */
const fire = (run: Run, delay: keyof typeof ehbaApplicationDelays) => harness.fire(run, delay, NOW);

function walk(events: readonly EhbaApplicationEvent[], startInput = input): Run {
  return events.reduce((run, event) => send(run, event).run, start(startInput).run);
}

const context = (run: Run) => run.snapshot.context as EhbaApplicationContext;
/** The label the interpreter shows: the deepest one on the active path (PROCESSES.md §2). */
const label = (snapshot: Snapshot) =>
  leafPaths(snapshot.value)
    .map((path) => labelOf(machine, path))
    .join(' / ');
const allowed = (snapshot: Snapshot) =>
  allowedEvents(snapshot, Object.keys(ehbaApplicationProcess.events)).sort();

const email = (template: string, extra: Record<string, unknown> = {}) => ({
  type: 'sendApplicationEmail',
  params: { template, ...mail, ...extra },
});
const cancel = (sendId: string) => ({ type: 'xstate.cancel', params: { sendId } });
const raiseOf = (actions: readonly Action[], delay: string) =>
  actions.filter(
    (a) =>
      a.type === 'xstate.raise' &&
      (a.params as { id: string }).id.startsWith(`xstate.after.${delay}.`),
  );
const delayOf = (actions: readonly Action[], delay: string) => {
  const raises = raiseOf(actions, delay);
  expect(raises, `one ${delay} timer`).toHaveLength(1);
  return (raises[0]!.params as { delay: number }).delay;
};

const submit = { type: 'APPLICATION_SUBMITTED', ...at } as const;
const received = { type: 'DOCUMENTS_RECEIVED', ...at } as const;
const query: EhbaApplicationEvent = {
  type: 'QUERY_RAISED',
  missing: ['Meldebescheinigung', 'Lichtbild'],
  note: 'Die Meldebescheinigung darf höchstens 3 Monate alt sein.',
  ...at,
};
const resubmitted = { type: 'DOCUMENTS_RESUBMITTED', ...at } as const;
const checked = { type: 'CHECK_PASSED', ...at } as const;
const approve = { type: 'CHAMBER_APPROVED', ...at } as const;

const toSubmitted = [submit] as const;
const toDocumentsReceived = [...toSubmitted, received] as const;
const toAwaitingResubmission = [...toDocumentsReceived, query] as const;
const toAwaitingApproval = [...toDocumentsReceived, checked] as const;

describe('ehbaApplication: inProgress', () => {
  it('when an application starts, then it is "Antrag in Bearbeitung" with the applicant recorded and a 90-day draft expiry', () => {
    const { run, actions } = start();
    expect(run.snapshot.value).toBe('inProgress');
    expect(label(run.snapshot)).toBe('Antrag in Bearbeitung');
    expect(context(run)).toEqual({
      applicationNumber: APPLICATION_NUMBER,
      cardType: 'eHBA',
      applicant,
      practiceId: 'BSNR-123456789',
      followUpOf: null,
      activationPasswordHash: KENNWORT_HASH,
      submittedAt: null,
      documentRemindersSent: 0,
      query: null,
      queries: 0,
      rejection: null,
      withdrawalReason: null,
      cardNumber: null,
    });
    expect(actions.filter((a) => a.type !== 'xstate.raise')).toEqual([]);
    expect(delayOf(actions, 'draftExpiry')).toBe(90 * DAY);
    expect(ehbaApplicationDelays).toEqual({
      draftExpiry: 90 * DAY,
      documentsReminder: 21 * DAY,
      documentsDeadline: 90 * DAY,
      resubmissionReminder: 21 * DAY,
      resubmissionDeadline: 90 * DAY,
    });
  });

  it('when the applicant changes some fields, then exactly those change and the draft clock keeps running', () => {
    const before = start().run;
    const newAddress = {
      name: 'Erika Musterfrau',
      street: 'Ring 1',
      postcode: '50667',
      city: 'Köln',
    };
    const { run, actions } = send(before, {
      type: 'APPLICATION_UPDATED',
      lastName: 'Musterfrau',
      address: { ...newAddress, country: 'DE' },
      ...at,
    });
    expect(run.snapshot.value).toBe('inProgress');
    expect(context(run).applicant).toEqual({
      ...applicant,
      lastName: 'Musterfrau',
      address: { ...newAddress, country: 'DE' },
    });
    expect({ ...context(run), applicant: null }).toEqual({ ...context(before), applicant: null });
    expect(actions).toEqual([]); // no timer cancelled or restarted
    expect(run.timers).toEqual(before.timers);
  });

  it('when an update leaves a field undefined, then the recorded value stays', () => {
    const { run } = send(start().run, {
      type: 'APPLICATION_UPDATED',
      title: undefined,
      chamber: 'Ärztekammer Westfalen-Lippe',
      ...at,
    });
    expect(context(run).applicant).toEqual({
      ...applicant,
      chamber: 'Ärztekammer Westfalen-Lippe',
    });
  });

  it('when the draft is left for 90 days, then it is "Verworfen" (final) and the applicant is told', () => {
    const { run, actions } = fire(start().run, 'draftExpiry');
    expect(run.snapshot.value).toBe('abandoned');
    expect(run.snapshot.status).toBe('done');
    expect(label(run.snapshot)).toBe('Verworfen');
    expect(actions).toEqual([
      cancel(timerId(start().run, 'draftExpiry')), // the spent timer, as XState exits the state
      email('applicationAbandoned'),
    ]);
    expect(run.timers.size).toBe(0);
  });

  it('when the application is submitted, then it is "Bearbeitung beendet" with the submission email and the document clocks', () => {
    const { run, actions } = send(start().run, submit);
    expect(run.snapshot.value).toEqual({ submitted: 'awaitingDocuments' });
    expect(label(run.snapshot)).toBe('Bearbeitung beendet');
    expect(context(run).submittedAt).toBe(NOW);
    const draft = timerId(start().run, 'draftExpiry');
    expect(actions.filter((a) => a.type !== 'xstate.raise')).toEqual([
      cancel(draft),
      email('applicationSubmitted'),
    ]);
    expect(delayOf(actions, 'documentsReminder')).toBe(21 * DAY);
    expect(delayOf(actions, 'documentsDeadline')).toBe(90 * DAY);
    expect([...run.timers.keys()].map((id) => id.split('.')[2]).sort()).toEqual([
      'documentsDeadline',
      'documentsReminder',
    ]);
  });

  it('takes edits, submission and withdrawal from outside', () => {
    expect(allowed(start().run.snapshot)).toEqual([
      'APPLICATION_SUBMITTED',
      'APPLICATION_UPDATED',
      'APPLICATION_WITHDRAWN',
    ]);
  });
});

describe('ehbaApplication: submitted (Bearbeitung beendet)', () => {
  it('when no documents arrive, then reminder 1 goes after 21 days and reminder 2 after 21 more, then none', () => {
    const submitted = walk(toSubmitted);
    const first = fire(submitted, 'documentsReminder');
    expect(first.run.snapshot.value).toEqual({ submitted: 'remindedOnce' });
    expect(label(first.run.snapshot)).toBe('Bearbeitung beendet');
    expect(context(first.run).documentRemindersSent).toBe(1);
    expect(first.actions.filter((a) => !a.type.startsWith('xstate.'))).toEqual([
      email('documentsReminder', { reminder: 1, submittedAt: NOW }),
    ]);
    expect(delayOf(first.actions, 'documentsReminder')).toBe(21 * DAY);

    const second = fire(first.run, 'documentsReminder');
    expect(second.run.snapshot.value).toEqual({ submitted: 'remindedTwice' });
    expect(label(second.run.snapshot)).toBe('Bearbeitung beendet');
    expect(context(second.run).documentRemindersSent).toBe(2);
    expect(second.actions.filter((a) => !a.type.startsWith('xstate.'))).toEqual([
      email('documentsReminder', { reminder: 2, submittedAt: NOW }),
    ]);
    expect(raiseOf(second.actions, 'documentsReminder')).toEqual([]);

    // No third reminder: only the deadline is left, and no reminder timer is taken any more.
    expect([...second.run.timers.keys()]).toEqual([timerId(submitted, 'documentsDeadline')]);
    for (const spent of [
      timerId(submitted, 'documentsReminder'),
      timerId(first.run, 'documentsReminder'),
    ]) {
      expect(second.run.snapshot.can({ type: spent })).toBe(false);
      const again = send(second.run, { type: spent, ...at });
      expect(again.actions).toEqual([]);
      expect(again.run.snapshot.value).toEqual({ submitted: 'remindedTwice' });
    }
  });

  it('keeps the 90-day deadline from the submission through the reminders', () => {
    const submitted = walk(toSubmitted);
    const deadline = timerId(submitted, 'documentsDeadline');
    const reminded = fire(fire(submitted, 'documentsReminder').run, 'documentsReminder').run;
    expect(timerId(reminded, 'documentsDeadline')).toBe(deadline);
    expect(reminded.timers.get(deadline)).toBe(90 * DAY);
  });

  it.each([
    ['awaitingDocuments', 0],
    ['remindedOnce', 1],
    ['remindedTwice', 2],
  ] as const)(
    'when the 90 days run out in %s, then it is "Abgelaufen" (final), the applicant is told and no timer is left',
    (substate, reminders) => {
      let run = walk(toSubmitted);
      for (let i = 0; i < reminders; i++) run = fire(run, 'documentsReminder').run;
      expect(run.snapshot.value).toEqual({ submitted: substate });
      const { run: expired, actions } = fire(run, 'documentsDeadline');
      expect(expired.snapshot.value).toBe('expired');
      expect(expired.snapshot.status).toBe('done');
      expect(label(expired.snapshot)).toBe('Abgelaufen');
      expect(actions.filter((a) => a.type !== 'xstate.cancel')).toEqual([
        email('applicationExpired'),
      ]);
      expect(expired.timers.size).toBe(0);
    },
  );

  it.each([0, 1, 2])(
    'when the documents arrive after %i reminders, then it is "Eingang Antragsunterlagen" and all its clocks stop',
    (reminders) => {
      let run = walk(toSubmitted);
      for (let i = 0; i < reminders; i++) run = fire(run, 'documentsReminder').run;
      const pending = [...run.timers.keys()];
      const { run: next, actions } = send(run, received);
      expect(next.snapshot.value).toBe('documentsReceived');
      expect(label(next.snapshot)).toBe('Eingang Antragsunterlagen');
      expect(actions).toHaveLength(pending.length);
      expect(actions).toEqual(expect.arrayContaining(pending.map(cancel)));
      expect(next.timers.size).toBe(0);
      expect(context(next).documentRemindersSent).toBe(reminders);
    },
  );

  it('takes only the documents and a withdrawal from outside: no more edits', () => {
    const submitted = walk(toSubmitted);
    expect(allowed(submitted.snapshot)).toEqual(['APPLICATION_WITHDRAWN', 'DOCUMENTS_RECEIVED']);
    expect(submitted.snapshot.can({ type: 'APPLICATION_UPDATED', lastName: 'Neu', ...at })).toBe(
      false,
    );
  });
});

describe('ehbaApplication: documentsReceived and the query loop', () => {
  it('when the issuer raises a query, then it is "Nachreichung angefordert" and the email lists what is missing', () => {
    const { run, actions } = send(walk(toDocumentsReceived), query);
    expect(run.snapshot.value).toBe('awaitingResubmission');
    expect(label(run.snapshot)).toBe('Nachreichung angefordert');
    expect(context(run).query).toEqual({
      missing: ['Meldebescheinigung', 'Lichtbild'],
      note: 'Die Meldebescheinigung darf höchstens 3 Monate alt sein.',
    });
    expect(context(run).queries).toBe(1);
    expect(actions.filter((a) => a.type !== 'xstate.raise')).toEqual([
      email('resubmissionRequested', {
        missing: ['Meldebescheinigung', 'Lichtbild'],
        note: 'Die Meldebescheinigung darf höchstens 3 Monate alt sein.',
      }),
    ]);
    expect(delayOf(actions, 'resubmissionReminder')).toBe(21 * DAY);
    expect(delayOf(actions, 'resubmissionDeadline')).toBe(90 * DAY);
  });

  it('when a query has no note, then the email says null for it', () => {
    const { actions } = send(walk(toDocumentsReceived), {
      type: 'QUERY_RAISED',
      missing: ['Unterschrift'],
      ...at,
    });
    expect(actions[0]).toEqual(
      email('resubmissionRequested', { missing: ['Unterschrift'], note: null }),
    );
  });

  it('when nothing comes for 21 days, then one reminder lists the same documents and the state stays', () => {
    const waiting = walk(toAwaitingResubmission);
    const { run, actions } = fire(waiting, 'resubmissionReminder');
    expect(run.snapshot.value).toBe('awaitingResubmission');
    expect(actions).toEqual([
      email('resubmissionReminder', {
        missing: ['Meldebescheinigung', 'Lichtbild'],
        note: 'Die Meldebescheinigung darf höchstens 3 Monate alt sein.',
      }),
    ]);
    // One reminder only: nothing schedules another, the deadline is what is left.
    expect([...run.timers.keys()]).toEqual([timerId(waiting, 'resubmissionDeadline')]);
  });

  it('when nothing comes for 90 days, then it is "Abgelaufen" (final)', () => {
    const waiting = fire(walk(toAwaitingResubmission), 'resubmissionReminder').run;
    const { run, actions } = fire(waiting, 'resubmissionDeadline');
    expect(run.snapshot.value).toBe('expired');
    expect(run.snapshot.status).toBe('done');
    expect(actions.filter((a) => a.type !== 'xstate.cancel')).toEqual([
      email('applicationExpired'),
    ]);
    expect(run.timers.size).toBe(0);
  });

  it('when the documents are resubmitted, then it is "Eingang Antragsunterlagen" again, the query cleared and its clocks stopped', () => {
    const waiting = walk(toAwaitingResubmission);
    const { run, actions } = send(waiting, resubmitted);
    expect(run.snapshot.value).toBe('documentsReceived');
    expect(label(run.snapshot)).toBe('Eingang Antragsunterlagen');
    expect(context(run).query).toBeNull();
    expect(context(run).queries).toBe(1);
    expect(actions.map((a) => a.type)).toEqual(['xstate.cancel', 'xstate.cancel']);
    expect(actions).toEqual(expect.arrayContaining([...waiting.timers.keys()].map(cancel)));
    expect(run.timers.size).toBe(0);
  });

  it('when a second query follows, then it is counted and both clocks start over', () => {
    const again = send(walk([...toAwaitingResubmission, resubmitted]), {
      type: 'QUERY_RAISED',
      missing: ['Identitätsnachweis'],
      ...at,
    });
    expect(context(again.run).queries).toBe(2);
    expect(context(again.run).query).toEqual({ missing: ['Identitätsnachweis'], note: null });
    expect(delayOf(again.actions, 'resubmissionReminder')).toBe(21 * DAY);
    expect(delayOf(again.actions, 'resubmissionDeadline')).toBe(90 * DAY);
  });

  it('when the issuer finds a signature mismatch, then it is "Abgelehnt" (final) with the rejection recorded and sent', () => {
    const rejection = {
      by: 'issuer',
      reason: 'signatureMismatch',
      note: 'Unterschrift weicht ab',
    };
    const { run, actions } = send(walk(toDocumentsReceived), {
      type: 'APPLICATION_REJECTED',
      reason: 'signatureMismatch',
      note: 'Unterschrift weicht ab',
      ...at,
    });
    expect(run.snapshot.value).toBe('rejected');
    expect(run.snapshot.status).toBe('done');
    expect(label(run.snapshot)).toBe('Abgelehnt');
    expect(context(run).rejection).toEqual(rejection);
    expect(actions).toEqual([email('applicationRejected', { rejection })]);
  });

  it('when the issuer rejects without a note, then the note is recorded as null', () => {
    const { run } = send(walk(toDocumentsReceived), {
      type: 'APPLICATION_REJECTED',
      reason: 'notEntitled',
      ...at,
    });
    expect(context(run).rejection).toEqual({ by: 'issuer', reason: 'notEntitled', note: null });
  });

  it('when the check passes, then it is "Zur Freigabe" without email', () => {
    const { run, actions } = send(walk(toDocumentsReceived), checked);
    expect(run.snapshot.value).toBe('awaitingApproval');
    expect(label(run.snapshot)).toBe('Zur Freigabe');
    expect(actions).toEqual([]);
  });

  it('takes the issuer’s check and a withdrawal in documentsReceived, resubmission and withdrawal while awaiting it', () => {
    expect(allowed(walk(toDocumentsReceived).snapshot)).toEqual([
      'APPLICATION_REJECTED',
      'APPLICATION_WITHDRAWN',
      'CHECK_PASSED',
      'QUERY_RAISED',
    ]);
    expect(allowed(walk(toAwaitingResubmission).snapshot)).toEqual([
      'APPLICATION_WITHDRAWN',
      'DOCUMENTS_RESUBMITTED',
    ]);
  });
});

describe('ehbaApplication version 2: the Kennwort für die Freischaltung', () => {
  const withoutKennwort = ehbaApplicationInputSchema.parse({
    ...rawInput,
    activationPasswordHash: undefined,
  });

  it('when the application has no Kennwort yet, then submitting is not allowed and the reason says what is missing', () => {
    const { run } = start(withoutKennwort);
    expect(context(run).activationPasswordHash).toBeNull();
    expect(allowed(run.snapshot)).not.toContain('APPLICATION_SUBMITTED');
    expect(run.snapshot.can({ type: 'APPLICATION_SUBMITTED', ...at })).toBe(false);
    expect(notAllowedDetail(run.snapshot, 'APPLICATION_SUBMITTED')).toMatch(
      /Kennwort für die Freischaltung.*activationPassword.*Jetzt verbindlich beantragen/,
    );
  });

  it('when the applicant sets the Kennwort with an update, then only its hash is kept, outside the applicant data, and the application can be submitted', () => {
    const { run } = send(start(withoutKennwort).run, {
      type: 'APPLICATION_UPDATED',
      activationPasswordHash: KENNWORT_HASH,
      ...at,
    });
    expect(context(run).activationPasswordHash).toBe(KENNWORT_HASH);
    expect(context(run).applicant).toEqual(applicant);
    expect(
      JSON.stringify(redact(run.snapshot.context, ehbaApplicationProcessV2.redact)),
    ).not.toContain('argon2');
    const submitted = send(run, { type: 'APPLICATION_SUBMITTED', ...at });
    expect(submitted.run.snapshot.value).toEqual({ submitted: 'awaitingDocuments' });
  });

  it('when a version-1 application (from before the Kennwort) is submitted without one, then it goes on as it always did', () => {
    const v1 = machineHarness(ehbaApplicationProcess.machine);
    const { run } = v1.send(v1.start(withoutKennwort).run, {
      type: 'APPLICATION_SUBMITTED',
      ...at,
    });
    expect(run.snapshot.value).toEqual({ submitted: 'awaitingDocuments' });
  });

  it('when the applicant gives an Anrede, then every email addresses the applicant with it', () => {
    const { actions } = send(start().run, { type: 'APPLICATION_SUBMITTED', ...at });
    const sent = actions.find((a) => a.type === 'sendApplicationEmail');
    expect(sent?.params).toMatchObject({
      applicant: { salutation: 'Frau', lastName: 'Mustermann' },
    });
  });

  it('when the photo is not good enough, then the query names it as a reason of its own', () => {
    const { run, actions } = send(walk(toDocumentsReceived), {
      type: 'QUERY_RAISED',
      missing: ['Lichtbild: Qualität reicht nicht aus'],
      ...at,
    });
    expect(context(run).query?.missing).toEqual(['Lichtbild: Qualität reicht nicht aus']);
    expect(actions.find((a) => a.type === 'sendApplicationEmail')?.params).toMatchObject({
      template: 'resubmissionRequested',
      missing: ['Lichtbild: Qualität reicht nicht aus'],
    });
  });
});

describe('ehbaApplication: the chamber decides', () => {
  it('when the chamber approves, then it is "Freigegeben" (final), the applicant is told and the card process starts', () => {
    const { run, actions } = send(walk(toAwaitingApproval), approve);
    expect(run.snapshot.value).toBe('approved');
    expect(run.snapshot.status).toBe('done');
    expect(label(run.snapshot)).toBe('Freigegeben');
    expect(context(run).cardNumber).toBe('K-2026-7K3M9QXT-1');
    const cardInput = {
      cardNumber: 'K-2026-7K3M9QXT-1',
      cardType: 'eHBA',
      applicationNumber: APPLICATION_NUMBER,
      holder: applicant,
      practiceId: 'BSNR-123456789',
      activationPasswordHash: KENNWORT_HASH,
    };
    expect(actions).toEqual([
      email('applicationApproved', { cardNumber: 'K-2026-7K3M9QXT-1' }),
      { type: 'startProcess', params: { type: 'card', input: cardInput } },
    ]);
    // The card's own schema takes the input as it is.
    expect(cardV2InputSchema.parse(cardInput)).toEqual(cardInput);
  });

  it.each(['A-2027-ACDEFGHJ', 'A-2031-9YXWVUTR', 'A-2026-33333333'])(
    'when application %s is approved, then its first card is K-<year>-<serial>-1 and the card accepts the input',
    (applicationNumber) => {
      const [, year, serial] = applicationNumber.split('-');
      const smcb = ehbaApplicationInputSchema.parse({
        ...rawInput,
        cardType: 'SMC-B',
        title: undefined,
        practiceId: undefined,
        applicationNumber,
      });
      const { actions } = send(walk(toAwaitingApproval, smcb), approve);
      const started = actions.find((a) => a.type === 'startProcess');
      const params = started?.params as { type: string; input: Record<string, unknown> };
      expect(params.type).toBe('card');
      expect(params.input.cardNumber).toBe(`K-${year}-${serial}-1`);
      expect(params.input).toMatchObject({ cardType: 'SMC-B', applicationNumber });
      expect(params.input).not.toHaveProperty('practiceId');
      const parsed = cardV2InputSchema.safeParse(params.input);
      expect(parsed.error).toBeUndefined();
      expect(parsed.data?.holder.title).toBeNull();
    },
  );

  it('when the chamber rejects, then it is "Abgelehnt" (final) with the chamber’s reason', () => {
    const rejection = { by: 'chamber', reason: 'chamber', note: 'Keine Kammermitgliedschaft' };
    const { run, actions } = send(walk(toAwaitingApproval), {
      type: 'CHAMBER_REJECTED',
      reason: 'Keine Kammermitgliedschaft',
      ...at,
    });
    expect(run.snapshot.value).toBe('rejected');
    expect(run.snapshot.status).toBe('done');
    expect(context(run).rejection).toEqual(rejection);
    expect(context(run).cardNumber).toBeNull();
    expect(actions).toEqual([email('applicationRejected', { rejection })]);
  });

  it('takes the chamber’s decision and a withdrawal from outside', () => {
    expect(allowed(walk(toAwaitingApproval).snapshot)).toEqual([
      'APPLICATION_WITHDRAWN',
      'CHAMBER_APPROVED',
      'CHAMBER_REJECTED',
    ]);
  });
});

describe('ehbaApplication: the whole way from submission to the card', () => {
  it('walks submission → reminder → query → resubmission → check → approval with the emails in order', () => {
    const sent: string[] = [];
    let run = start().run;
    const steps: (EhbaApplicationEvent | 'documentsReminder')[] = [
      submit,
      'documentsReminder',
      received,
      query,
      resubmitted,
      checked,
      approve,
    ];
    for (const step of steps) {
      const result = step === 'documentsReminder' ? fire(run, step) : send(run, step);
      run = result.run;
      for (const action of result.actions) {
        if (action.type === 'sendApplicationEmail') {
          sent.push((action.params as { template: string }).template);
        }
        if (action.type === 'startProcess') sent.push('→ card');
      }
    }
    expect(run.snapshot.value).toBe('approved');
    expect(sent).toEqual([
      'applicationSubmitted',
      'documentsReminder',
      'resubmissionRequested',
      'applicationApproved',
      '→ card',
    ]);
    expect(context(run)).toMatchObject({ query: null, queries: 1, documentRemindersSent: 1 });
    expect(run.timers.size).toBe(0);
  });
});

describe('ehbaApplication: withdrawal', () => {
  const before: [string, () => Run][] = [
    ['inProgress', () => start().run],
    ['submitted.awaitingDocuments', () => walk(toSubmitted)],
    ['submitted.remindedOnce', () => fire(walk(toSubmitted), 'documentsReminder').run],
    [
      'submitted.remindedTwice',
      () => fire(fire(walk(toSubmitted), 'documentsReminder').run, 'documentsReminder').run,
    ],
    ['documentsReceived', () => walk(toDocumentsReceived)],
    ['awaitingResubmission', () => walk(toAwaitingResubmission)],
    ['awaitingApproval', () => walk(toAwaitingApproval)],
  ];

  it('is possible in every state that is not final', () => {
    const live = getStateNodes(machine.root)
      .filter((node) => node.type === 'atomic')
      .map((node) => node.path.join('.'));
    expect(before.map(([state]) => state).sort()).toEqual(live.sort());
  });

  it.each(before)(
    'when withdrawn in %s, then it is "Zurückgezogen" (final) with the reason, the email, and no timer left',
    (state, reach) => {
      const run = reach();
      expect(leafPaths(run.snapshot.value)).toEqual([state]);
      const { run: next, actions } = send(run, {
        type: 'APPLICATION_WITHDRAWN',
        reason: 'Praxis aufgegeben',
        ...at,
      });
      expect(next.snapshot.value).toBe('withdrawn');
      expect(next.snapshot.status).toBe('done');
      expect(label(next.snapshot)).toBe('Zurückgezogen');
      expect(context(next).withdrawalReason).toBe('Praxis aufgegeben');
      expect(actions.at(-1)).toEqual(email('applicationWithdrawn'));
      expect(actions.slice(0, -1)).toHaveLength(run.timers.size);
      expect(actions.slice(0, -1)).toEqual(
        expect.arrayContaining([...run.timers.keys()].map(cancel)),
      );
      expect(next.timers.size).toBe(0);
    },
  );

  it('when withdrawn without a reason, then the reason is null', () => {
    const { run } = send(start().run, { type: 'APPLICATION_WITHDRAWN', ...at });
    expect(context(run).withdrawalReason).toBeNull();
  });
});

describe('ehbaApplication: final states', () => {
  const finals: [string, () => Run][] = [
    ['approved', () => walk([...toAwaitingApproval, approve])],
    [
      'rejected',
      () => walk([...toAwaitingApproval, { type: 'CHAMBER_REJECTED', reason: 'nein', ...at }]),
    ],
    ['withdrawn', () => walk([{ type: 'APPLICATION_WITHDRAWN', ...at }])],
    ['abandoned', () => fire(start().run, 'draftExpiry').run],
    ['expired', () => fire(walk(toSubmitted), 'documentsDeadline').run],
  ];

  it('are exactly the final states of the machine', () => {
    const finalStates = getStateNodes(machine.root)
      .filter((node) => node.type === 'final')
      .map((node) => node.key);
    expect(finals.map(([state]) => state).sort()).toEqual(finalStates.sort());
  });

  it.each(finals)(
    '%s is done: the interpreter takes no event and no timer is left',
    (state, reach) => {
      const run = reach();
      expect(run.snapshot.value).toBe(state);
      expect(run.snapshot.status).toBe('done');
      expect(allowed(run.snapshot)).toEqual([]);
      expect(run.timers.size).toBe(0);
    },
  );
});

describe('ehbaApplication: labels', () => {
  // PROCESSES.md §2: state → label; the substates of "submitted" show their parent's.
  const expected: Record<string, string> = {
    inProgress: 'Antrag in Bearbeitung',
    'submitted.awaitingDocuments': 'Bearbeitung beendet',
    'submitted.remindedOnce': 'Bearbeitung beendet',
    'submitted.remindedTwice': 'Bearbeitung beendet',
    documentsReceived: 'Eingang Antragsunterlagen',
    awaitingResubmission: 'Nachreichung angefordert',
    awaitingApproval: 'Zur Freigabe',
    approved: 'Freigegeben',
    rejected: 'Abgelehnt',
    withdrawn: 'Zurückgezogen',
    abandoned: 'Verworfen',
    expired: 'Abgelaufen',
  };

  it('shows the German label of PROCESSES.md for every state', () => {
    const leaves = getStateNodes(machine.root)
      .filter((node) => node.type === 'atomic' || node.type === 'final')
      .map((node) => node.path.join('.'));
    const labels = Object.fromEntries(leaves.map((path) => [path, labelOf(machine, path)]));
    expect(labels).toEqual(expected);
  });

  it('labels "submitted" itself, and its substates inherit it', () => {
    const submitted = machine.root.states.submitted!;
    expect(submitted.meta).toEqual({ label: 'Bearbeitung beendet' });
    for (const child of Object.values(submitted.states)) expect(child.meta).toBeUndefined();
  });
});

describe('ehbaApplication: application numbers and input', () => {
  const seeded = (seed: number) => () => {
    seed = (seed * 16807) % 2147483647;
    return (seed - 1) / 2147483646;
  };

  it('draws A-<UTC year>-<8 characters> without look-alikes', () => {
    const random = seeded(42);
    const numbers = Array.from({ length: 2000 }, () =>
      drawApplicationNumber(random, new Date('2026-05-01T00:00:00Z')),
    );
    for (const number of numbers) {
      expect(number).toMatch(/^A-2026-[3467ACDEFGHJKMNPQRTUVWXY9]{8}$/);
    }
    expect(new Set(numbers).size).toBe(numbers.length);
    const used = new Set(numbers.flatMap((number) => [...number.slice(7)]));
    expect([...used].sort().join('')).toBe([...'3467ACDEFGHJKMNPQRTUVWXY9'].sort().join(''));
    for (const lookAlike of '0O1IL5S8B2Z') expect(used.has(lookAlike)).toBe(false);
  });

  it('maps the ends of the random range to the ends of the alphabet and takes the UTC year', () => {
    expect(drawApplicationNumber(() => 0, new Date('2026-12-31T23:59:59Z'))).toBe(
      'A-2026-33333333',
    );
    expect(drawApplicationNumber(() => 0.999999, new Date('2027-01-01T00:00:00Z'))).toBe(
      'A-2027-99999999',
    );
  });

  it('accepts drawn numbers in the input and refuses any other', () => {
    const drawn = drawApplicationNumber(seeded(7), new Date('2026-05-01T00:00:00Z'));
    expect(
      ehbaApplicationInputSchema.parse({ ...rawInput, applicationNumber: drawn }),
    ).toMatchObject({ applicationNumber: drawn });
    for (const bad of [
      'A-2026-000123',
      'A-2026-7K3M9QX',
      'A-2026-7K3M9QXTT',
      'A-2026-7k3m9qxt',
      'A-2026-7K3M9QXO',
      'K-2026-7K3M9QXT',
      'A-26-7K3M9QXT',
    ]) {
      const result = ehbaApplicationInputSchema.safeParse({ ...rawInput, applicationNumber: bad });
      expect(result.success, bad).toBe(false);
      expect(result.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([
        ['applicationNumber', 'Keine gültige Antragsnummer.'],
      ]);
    }
  });

  it('normalises a valid input and refuses a missing name, a bad birth date or card type', () => {
    const { applicationNumber: _number, ...withoutNumber } = rawInput;
    const parsed = ehbaApplicationInputSchema.parse(withoutNumber);
    expect(parsed.applicationNumber).toBeUndefined();
    expect(parsed.email).toBe('Erika.Mustermann@praxis.example');
    expect(parsed.address.country).toBe('DE');
    const refused = (changes: Record<string, unknown>) =>
      ehbaApplicationInputSchema
        .safeParse({ ...rawInput, ...changes })
        .error?.issues.map((issue) => issue.path.join('.'));
    expect(refused({ lastName: '  ' })).toEqual(['lastName']);
    expect(refused({ birthDate: '14.03.1975' })).toEqual(['birthDate']);
    expect(refused({ cardType: 'HBA' })).toEqual(['cardType']);
    expect(refused({ email: 'keine-adresse' })).toEqual(['email']);
  });
});

describe('ehbaApplication: path coverage (@xstate/graph)', () => {
  // One or more valid events of every type the outside world may send, as the interpreter
  // hands them over: with receivedAt and actor.
  const external: { [K in EhbaApplicationEvent['type']]: EhbaApplicationEvent[] } = {
    APPLICATION_UPDATED: [{ type: 'APPLICATION_UPDATED', lastName: 'Musterfrau', ...at }],
    APPLICATION_SUBMITTED: [submit],
    APPLICATION_WITHDRAWN: [{ type: 'APPLICATION_WITHDRAWN', reason: 'doppelt', ...at }],
    DOCUMENTS_RECEIVED: [received],
    QUERY_RAISED: [query],
    DOCUMENTS_RESUBMITTED: [resubmitted],
    CHECK_PASSED: [checked],
    APPLICATION_REJECTED: [{ type: 'APPLICATION_REJECTED', reason: 'signatureMismatch', ...at }],
    CHAMBER_APPROVED: [approve],
    CHAMBER_REJECTED: [{ type: 'CHAMBER_REJECTED', reason: 'nein', ...at }],
  };

  /** The timers of the active states, as the interpreter sends them when they fire. */
  const timersOf = (snapshot: Snapshot): AnyEventObject[] =>
    snapshot._nodes.flatMap((node) =>
      node.after.map((t) => ({ type: t.eventType, receivedAt: NOW, actor: 'timer' })),
    );

  /** What the interpreter would take now: nothing once done, otherwise what `can` allows. */
  const events = (snapshot: Snapshot): AnyEventObject[] =>
    snapshot.status !== 'active'
      ? []
      : [...Object.values(external).flat(), ...timersOf(snapshot)].filter((event) =>
          snapshot.can(event),
        );

  /** `<source> <event> #<branch>` of the transition an event takes from a snapshot. */
  const transitionKey = (snapshot: Snapshot, event: AnyEventObject) =>
    machine
      .getTransitionData(snapshot, event)
      .map(
        (t) =>
          `${t.source.id} ${t.eventType} #${t.source.transitions.get(t.eventType)?.indexOf(t)}`,
      )
      .join(', ');

  // A vertex is a state together with the transition that led there, so every transition the
  // machine takes ends at least one shortest path (self-transitions included). Context is left
  // out: the query counter would make the graph infinite and decides nothing.
  const serializeState = (snapshot: Snapshot, event?: AnyEventObject, prev?: Snapshot) =>
    JSON.stringify([snapshot.value, event && prev ? transitionKey(prev, event) : null]);

  const paths = getShortestPaths(machine, { input, events, serializeState });

  const allTransitions = [machine.root, ...getStateNodes(machine.root)].flatMap((node) =>
    [...node.transitions].flatMap(([eventType, branches]) =>
      branches.map((_, i) => `${node.id} ${eventType} #${i}`),
    ),
  );
  /** Each step of each path: the event and the transition it took from the step before. */
  const steps = paths.flatMap((path) =>
    path.steps.slice(1).map((step, i) => ({
      event: step.event,
      key: transitionKey(path.steps[i]!.state, step.event),
    })),
  );

  it('reaches every state node of the machine, and those are the states of PROCESSES.md', () => {
    const reached = new Set(paths.flatMap((path) => path.state._nodes.map((node) => node.id)));
    const all = [machine.root, ...getStateNodes(machine.root)].map((node) => node.id);
    expect([...reached].sort()).toEqual(all.sort());
    expect([...reached].sort()).toEqual(
      [
        '',
        'inProgress',
        'submitted',
        'submitted.awaitingDocuments',
        'submitted.remindedOnce',
        'submitted.remindedTwice',
        'documentsReceived',
        'awaitingResubmission',
        'awaitingApproval',
        'approved',
        'rejected',
        'withdrawn',
        'abandoned',
        'expired',
      ]
        .map((id) => (id ? `ehbaApplication.${id}` : 'ehbaApplication'))
        .sort(),
    );
  });

  it('ends in every final state', () => {
    const done = new Set(
      paths.filter((path) => path.state.status === 'done').map((path) => path.state.value),
    );
    expect([...done].sort()).toEqual(['abandoned', 'approved', 'expired', 'rejected', 'withdrawn']);
  });

  it('takes every external event type on some path, and every transition of the machine', () => {
    const takenTypes = new Set(steps.filter((s) => s.key !== '').map((s) => s.event.type));
    for (const type of Object.keys(ehbaApplicationProcess.events)) {
      expect(takenTypes.has(type), type).toBe(true);
    }
    expect(Object.keys(external).sort()).toEqual(Object.keys(ehbaApplicationProcess.events).sort());
    const taken = new Set(steps.flatMap((s) => s.key.split(', ')));
    expect(allTransitions).toHaveLength(16);
    expect([...taken].sort()).toEqual([...allTransitions].sort());
  });

  it('reaches approval the shortest way through submission, documents, check and the chamber', () => {
    const [toApproved, ...others] = getShortestPaths(machine, {
      input,
      events,
      serializeState,
      toState: (snapshot) => snapshot.value === 'approved',
    });
    expect(others).toEqual([]);
    expect(toApproved!.steps.slice(1).map((step) => step.event.type)).toEqual([
      'APPLICATION_SUBMITTED',
      'DOCUMENTS_RECEIVED',
      'CHECK_PASSED',
      'CHAMBER_APPROVED',
    ]);
  });
});
