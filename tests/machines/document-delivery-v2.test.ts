import type { AnyEventObject } from 'xstate';
import { describe, expect, it } from 'vitest';
import {
  documentDeliveryProcessV2,
  MAX_TANS_PER_DAY,
  MAX_WRONG_TANS,
  type DocumentDeliveryV2Context,
} from '../../machines/document-delivery-v2.js';
import { documentDeliveryInputSchema } from '../../machines/document-delivery.schema.js';
import { definitionOf } from '../../machines/registry.js';
import { allowedEvents, labelOf, leafPaths } from '../../workflows/interpreter/view.js';
import { machineHarness, type Action, type Run } from '../support/machine-harness.js';

/**
 * Version 2 of the document delivery: the mTAN cannot be re-issued without limit. At most 5
 * mTANs per document and German day; the wrong tries count over every mTAN sent, and once the
 * budget is spent the download is locked until the back office unlocks it.
 */

const machine = documentDeliveryProcessV2.machine;
const { start, send, named } = machineHarness(machine);

const UPLOADED_AT = '2026-02-28T10:00:00.000Z';
const MINUTE = 60_000;
const input = documentDeliveryInputSchema.parse({
  documentId: 'D-2026-K7PM3QXA',
  practiceId: 'BSNR-123456789',
  kind: 'abrechnungsnachweis',
  title: 'Abrechnungsnachweis Quartal 4/2025',
  fileName: 'abrechnung-q4-2025.pdf',
  contentType: 'application/pdf',
  size: 48_213,
  sha256: 'a'.repeat(64),
  uploadedAt: UPLOADED_AT,
  physician: { name: 'Dr. med. Jonas Berger', email: 'j@praxis.example', mobile: '0151 12345678' },
});

const T = (minutes: number) => new Date(Date.parse(UPLOADED_AT) + minutes * MINUTE).toISOString();
const event = (type: string, minutes: number, payload: object = {}): AnyEventObject => ({
  type,
  ...payload,
  receivedAt: T(minutes),
  actor: 'key-portal',
});
const state = (run: Run) => leafPaths(run.snapshot.value).join(',');
const context = (run: Run) => run.snapshot.context as DocumentDeliveryV2Context;
const sent = (actions: readonly Action[]) =>
  named(actions).filter((action) => action.type === 'sendDownloadTan').length;
const emitted = (actions: readonly Action[]) =>
  actions
    .filter((action) => action.type === 'xstate.emit')
    .map((action) => (action.params as { event: unknown }).event);

/** Asks for an mTAN and lets its hash arrive, as the SMS activity answers. */
function askTan(run: Run, minutes: number) {
  const asked = send(run, event('DOWNLOAD_REQUESTED', minutes));
  const issued = send(
    asked.run,
    event('DOWNLOAD_TAN_ISSUED', minutes, { tanHash: 'H'.repeat(43) }),
  );
  return { run: issued.run, actions: asked.actions };
}

/** A wrong mTAN: submitted, and the check's answer. */
function wrongTan(run: Run, minutes: number) {
  const submitted = send(run, event('TAN_SUBMITTED', minutes, { tan: '000000' }));
  return send(submitted.run, event('DOWNLOAD_TAN_REJECTED', minutes));
}

describe('documentDelivery v2: mTAN limits', () => {
  it('is version 2 of the type, and the back office alone unlocks', () => {
    expect(definitionOf('documentDelivery', 2)).toBe(documentDeliveryProcessV2);
    expect(documentDeliveryProcessV2.eventSenders?.DOWNLOAD_UNLOCKED).toBe('operator');
  });

  it(`when a ${MAX_TANS_PER_DAY + 1}th mTAN is asked for on one German day, then 409 and no SMS; the next day one goes out again`, () => {
    let { run } = start(input);
    for (let i = 0; i < MAX_TANS_PER_DAY; i++) {
      const asked = askTan(run, 1 + i);
      expect(sent(asked.actions)).toBe(1);
      run = asked.run;
    }
    const refused = send(run, event('DOWNLOAD_REQUESTED', 10));
    expect(sent(refused.actions)).toBe(0);
    expect(emitted(refused.actions)).toEqual([
      {
        type: 'rejected',
        status: 409,
        detail:
          'Für dieses Dokument wurden heute bereits 5 mTANs gesendet. Bitte fordern Sie morgen eine neue an.',
      },
    ]);
    expect(context(refused.run).tansSent).toBe(MAX_TANS_PER_DAY);
    // 28 Feb 2026, 10:00 UTC is 11:00 in Germany; 13 h later it is 00:00 on 1 March there.
    const beforeMidnight = send(refused.run, event('DOWNLOAD_REQUESTED', 13 * 60 - 1));
    expect(sent(beforeMidnight.actions)).toBe(0);
    const nextDay = send(beforeMidnight.run, event('DOWNLOAD_REQUESTED', 13 * 60));
    expect(sent(nextDay.actions)).toBe(1);
  });

  it(`when wrong mTANs add up over re-issues to ${MAX_WRONG_TANS}, then the download is locked ("Download gesperrt") until an operator unlocks it`, () => {
    let { run } = askTan(start(input).run, 1);
    // Two wrong tries, then a new mTAN: the budget does not start again.
    run = wrongTan(run, 2).run;
    run = wrongTan(run, 2).run;
    run = askTan(run, 3).run;
    expect(context(run)).toMatchObject({ failedAttempts: 0, wrongTans: 2 });
    run = wrongTan(run, 4).run;
    run = wrongTan(run, 4).run;
    run = wrongTan(run, 4).run; // the third for this mTAN: it is dead
    expect(state(run)).toBe('retained.available');
    run = askTan(run, 5).run;
    const last = wrongTan(run, 6);
    expect(state(last.run)).toBe('retained.locked');
    expect(labelOf(machine, state(last.run))).toBe('Download gesperrt');
    expect(emitted(last.actions)).toEqual([
      {
        type: 'rejected',
        status: 422,
        detail:
          'Die mTAN wurde 6-mal falsch eingegeben. Der Download ist gesperrt; bitte wenden Sie sich an Ihre Kassenärztliche Vereinigung.',
        path: 'tan',
      },
    ]);
    const events = Object.keys(documentDeliveryProcessV2.events);
    expect(allowedEvents(last.run.snapshot, events)).toEqual(['DOWNLOAD_UNLOCKED']);
    // Asking again sends nothing while locked.
    expect(sent(send(last.run, event('DOWNLOAD_REQUESTED', 7)).actions)).toBe(0);

    const unlocked = send(last.run, event('DOWNLOAD_UNLOCKED', 8));
    expect(state(unlocked.run)).toBe('retained.available');
    expect(context(unlocked.run)).toMatchObject({ wrongTans: 0, notice: null });
    expect(sent(askTan(unlocked.run, 9).actions)).toBe(1);
  });
});
