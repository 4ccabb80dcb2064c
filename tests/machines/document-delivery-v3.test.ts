import type { AnyEventObject } from 'xstate';
import { describe, expect, it } from 'vitest';
import { MAX_TANS_PER_DAY, MAX_WRONG_TANS } from '../../machines/document-delivery-v2.js';
import { documentDeliveryProcessV3, NOT_REGISTERED } from '../../machines/document-delivery-v3.js';
import { documentDeliveryV3InputSchema } from '../../machines/document-delivery.schema.js';
import { latestDefinition } from '../../machines/registry.js';
import { allowedEvents, labelOf, leafPaths } from '../../workflows/interpreter/view.js';
import { machineHarness, type Action, type Run } from '../support/machine-harness.js';

/**
 * Version 3 of the document delivery: a download request looks up the number the physician
 * confirmed in their Registrierung zum mTAN-Verfahren; the mTAN goes there, or — without one —
 * nothing goes out and the request is refused. The limits of version 2 hold as before.
 */

const machine = documentDeliveryProcessV3.machine;
const { start, send, fire, named } = machineHarness(machine);
const EVENTS = Object.keys(documentDeliveryProcessV3.events);

const UPLOADED_AT = '2026-02-28T10:00:00.000Z';
const MINUTE = 60_000;
const input = documentDeliveryV3InputSchema.parse({
  documentId: 'D-2026-K7PM3QXA',
  practiceId: 'BSNR-123456789',
  kind: 'abrechnungsnachweis',
  title: 'Abrechnungsnachweis Quartal 4/2025',
  fileName: 'abrechnung-q4-2025.pdf',
  contentType: 'application/pdf',
  size: 48_213,
  sha256: 'a'.repeat(64),
  uploadedAt: UPLOADED_AT,
  physician: {
    name: 'Dr. med. Jonas Berger',
    email: 'j@praxis.example',
    haevgId: 'H-104711',
    lanr: '123456701',
    mobile: '0151 99887766',
  },
});

const T = (minutes: number) => new Date(Date.parse(UPLOADED_AT) + minutes * MINUTE).toISOString();
const event = (type: string, minutes: number, payload: object = {}): AnyEventObject => ({
  type,
  ...payload,
  receivedAt: T(minutes),
  actor: 'key-portal',
});
const state = (run: Run) => leafPaths(run.snapshot.value).join(',');
const context = (run: Run) => run.snapshot.context as Record<string, unknown>;
const lookups = (actions: readonly Action[]) =>
  named(actions).filter((action) => action.type === 'sendRegisteredDownloadTan');
const emitted = (actions: readonly Action[]) =>
  actions
    .filter((action) => action.type === 'xstate.emit')
    .map((action) => (action.params as { event: unknown }).event);

/** Asks for an mTAN; the activity finds the confirmed number and answers with the hash. */
function askTan(run: Run, minutes: number) {
  const asked = send(run, event('DOWNLOAD_REQUESTED', minutes));
  if (state(asked.run) !== 'retained.sendingTan') return asked;
  const issued = send(
    asked.run,
    event('DOWNLOAD_TAN_ISSUED', minutes, { tanHash: 'H'.repeat(43) }),
  );
  return { run: issued.run, actions: asked.actions };
}

function wrongTan(run: Run, minutes: number) {
  const submitted = send(run, event('TAN_SUBMITTED', minutes, { tan: '000000' }));
  return send(submitted.run, event('DOWNLOAD_TAN_REJECTED', minutes));
}

describe('documentDelivery v3: mTANs only to a confirmed number', () => {
  it('is the version new documents start with; the upload’s mobile number is not kept', () => {
    expect(latestDefinition('documentDelivery')).toBe(documentDeliveryProcessV3);
    const { run, actions } = start(input);
    expect(JSON.stringify(context(run))).not.toContain('99887766');
    expect(named(actions)).toEqual([
      {
        type: 'announceDocument',
        params: {
          documentId: 'D-2026-K7PM3QXA',
          kind: 'abrechnungsnachweis',
          title: 'Abrechnungsnachweis Quartal 4/2025',
          physician: { name: 'Dr. med. Jonas Berger', email: 'j@praxis.example' },
        },
      },
    ]);
  });

  it('when a download is asked for, then the mTAN is sent to the physician’s confirmed number (looked up by HÄVG-ID and LANR)', () => {
    const asked = send(start(input).run, event('DOWNLOAD_REQUESTED', 1));
    expect(state(asked.run)).toBe('retained.sendingTan');
    expect(labelOf(machine, state(asked.run))).toBe('mTAN wird gesendet');
    expect(lookups(asked.actions)).toEqual([
      {
        type: 'sendRegisteredDownloadTan',
        params: {
          documentId: 'D-2026-K7PM3QXA',
          practiceId: 'BSNR-123456789',
          haevgId: 'H-104711',
          lanr: '123456701',
          sequence: 1,
        },
      },
    ]);
    const issued = send(asked.run, event('DOWNLOAD_TAN_ISSUED', 1, { tanHash: 'H'.repeat(43) }));
    expect(state(issued.run)).toBe('retained.awaitingTan');
    expect(context(issued.run)).toMatchObject({
      tansSent: 1,
      tansToday: 1,
      tanHash: 'H'.repeat(43),
    });
    expect([...issued.run.timers.values()]).toContain(5 * MINUTE);
  });

  it('when no number is confirmed, then nothing is sent and the request is refused with 409 in German', () => {
    const asked = send(start(input).run, event('DOWNLOAD_REQUESTED', 1));
    const refused = send(asked.run, event('MTAN_NOT_REGISTERED', 1));
    expect(state(refused.run)).toBe('retained.available');
    expect(emitted(refused.actions)).toEqual([
      { type: 'rejected', status: 409, detail: NOT_REGISTERED },
    ]);
    expect(NOT_REGISTERED).toBe('Bitte registrieren Sie sich zuerst zum mTAN-Verfahren.');
    expect(context(refused.run)).toMatchObject({
      tansSent: 0,
      tansToday: 0,
      tanHash: null,
      notice: NOT_REGISTERED,
    });
    expect(allowedEvents(refused.run.snapshot, EVENTS)).toEqual(['DOWNLOAD_REQUESTED']);
    // Once registered, the next request goes through.
    const later = askTan(refused.run, 2);
    expect(state(later.run)).toBe('retained.awaitingTan');
    expect(context(later.run)).toMatchObject({ tansSent: 1, notice: null });
  });

  it('when the right mTAN is entered, then the download is ready; the token is used once', () => {
    const { run } = askTan(start(input).run, 1);
    const submitted = send(run, event('TAN_SUBMITTED', 2, { tan: 'sealed:v1:x' }));
    expect(named(submitted.actions)).toEqual([
      {
        type: 'verifyDownloadTan',
        params: {
          documentId: 'D-2026-K7PM3QXA',
          sequence: 1,
          tan: 'sealed:v1:x',
          tanHash: 'H'.repeat(43),
        },
      },
    ]);
    const ready = send(
      submitted.run,
      event('DOWNLOAD_TAN_ACCEPTED', 2, { tokenHash: 'T'.repeat(43) }),
    );
    expect(state(ready.run)).toBe('retained.downloadReady');
    const wrongToken = send(
      ready.run,
      event('DOCUMENT_DOWNLOADED', 3, { tokenHash: 'X'.repeat(43) }),
    );
    expect(emitted(wrongToken.actions)).toEqual([
      expect.objectContaining({ status: 422, detail: 'Der Download-Link ist ungültig.' }),
    ]);
    const done = send(ready.run, event('DOCUMENT_DOWNLOADED', 3, { tokenHash: 'T'.repeat(43) }));
    expect(state(done.run)).toBe('retained.available');
    expect(context(done.run)).toMatchObject({ downloads: 1, tokenHash: null });
  });

  it('when asked again while an mTAN or a token is open, then a new mTAN goes out and both are void', () => {
    const { run } = askTan(start(input).run, 1);
    const again = send(run, event('DOWNLOAD_REQUESTED', 2));
    expect(state(again.run)).toBe('retained.sendingTan');
    expect(context(again.run)).toMatchObject({ tanHash: null, tansSent: 2 });
    expect(lookups(again.actions)).toHaveLength(1);

    const submitted = send(run, event('TAN_SUBMITTED', 2, { tan: 'sealed:v1:x' }));
    const ready = send(
      submitted.run,
      event('DOWNLOAD_TAN_ACCEPTED', 2, { tokenHash: 'T'.repeat(43) }),
    );
    const fromReady = send(ready.run, event('DOWNLOAD_REQUESTED', 3));
    expect(state(fromReady.run)).toBe('retained.sendingTan');
    expect(context(fromReady.run).tokenHash).toBeNull();
  });

  it('when the mTAN or the token expires, then the document is available again with a notice', () => {
    const { run } = askTan(start(input).run, 1);
    const expired = fire(run, 'tanExpiry', T(6));
    expect(state(expired.run)).toBe('retained.available');
    expect(context(expired.run)).toMatchObject({
      tanHash: null,
      notice: 'Die mTAN ist abgelaufen. Bitte fordern Sie eine neue an.',
    });
    const submitted = send(run, event('TAN_SUBMITTED', 2, { tan: 'sealed:v1:x' }));
    const ready = send(
      submitted.run,
      event('DOWNLOAD_TAN_ACCEPTED', 2, { tokenHash: 'T'.repeat(43) }),
    );
    const tokenExpired = fire(ready.run, 'downloadTokenExpiry', T(12));
    expect(state(tokenExpired.run)).toBe('retained.available');
    expect(context(tokenExpired.run).tokenHash).toBeNull();
  });

  it(`keeps the limits of version 2: ${MAX_TANS_PER_DAY} mTANs a day, locked after ${MAX_WRONG_TANS} wrong ones`, () => {
    let { run } = start(input);
    for (let i = 0; i < MAX_TANS_PER_DAY; i++) run = askTan(run, 1 + i).run;
    const refused = send(run, event('DOWNLOAD_REQUESTED', 10));
    expect(lookups(refused.actions)).toHaveLength(0);
    expect(emitted(refused.actions)).toEqual([
      expect.objectContaining({ status: 409, detail: expect.stringContaining('bereits 5 mTANs') }),
    ]);

    run = askTan(start(input).run, 1).run;
    for (let i = 0; i < 2; i++) run = wrongTan(run, 2).run;
    run = askTan(run, 3).run;
    for (let i = 0; i < 3; i++) run = wrongTan(run, 4).run;
    run = askTan(run, 5).run;
    const locked = wrongTan(run, 6);
    expect(state(locked.run)).toBe('retained.locked');
    expect(lookups(send(locked.run, event('DOWNLOAD_REQUESTED', 7)).actions)).toHaveLength(0);
    const unlocked = send(locked.run, event('DOWNLOAD_UNLOCKED', 8));
    expect(state(unlocked.run)).toBe('retained.available');
  });

  it('when the retention ends, then the content is purged', () => {
    const { run } = start(input);
    const purged = fire(run, 'retention', '2028-02-28T10:00:00.000Z');
    expect(state(purged.run)).toBe('purged');
    expect(named(purged.actions)).toEqual([
      { type: 'purgeDocument', params: { documentId: 'D-2026-K7PM3QXA' } },
    ]);
  });
});
