import { getStateNodes } from '@xstate/graph';
import type { AnyEventObject } from 'xstate';
import { describe, expect, it } from 'vitest';
import { documentDeliveryProcess } from '../../machines/document-delivery.js';
import {
  documentDeliveryInputSchema,
  type DocumentDeliveryContext,
} from '../../machines/document-delivery.schema.js';
import { allowedEvents, labelOf, leafPaths } from '../../workflows/interpreter/view.js';
import { machineHarness, type Action, type Run, type Step } from '../support/machine-harness.js';

/**
 * A document in the physicians' portal (PROCESSES.md §6) as a pure machine: the announcement
 * without content, the mTAN (5 minutes, 3 tries), the one-time token (10 minutes), each
 * download counted, and the deletion 24 calendar months after the upload.
 */

const machine = documentDeliveryProcess.machine;
const { start, send, timerId, fire, named } = machineHarness(machine);

const UPLOADED_AT = '2026-02-28T10:00:00.000Z';
const MINUTE = 60_000;
const physician = {
  name: 'Dr. med. Jonas Berger',
  email: 'j.berger@praxis-berger.example',
  mobile: '+4915112345678',
};
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
  physician: { ...physician, mobile: '0151 123 456 78' },
});

const at = (receivedAt: string) => ({ receivedAt, actor: 'key-portal' }) as const;
const T = (minutes: number) => new Date(Date.parse(UPLOADED_AT) + minutes * MINUTE).toISOString();
const context = (run: Run) => run.snapshot.context as DocumentDeliveryContext;
const state = (run: Run) => leafPaths(run.snapshot.value).join(',');
const label = (run: Run) => labelOf(machine, state(run));
const allowed = (run: Run) =>
  allowedEvents(run.snapshot, Object.keys(documentDeliveryProcess.events));
const emitted = (actions: readonly Action[]) =>
  actions
    .filter((action) => action.type === 'xstate.emit')
    .map((action) => (action.params as { event: unknown }).event);

const requested = (minutes: number): AnyEventObject => ({
  type: 'DOWNLOAD_REQUESTED',
  ...at(T(minutes)),
});
const issued = (tanHash: string, minutes: number): AnyEventObject => ({
  type: 'DOWNLOAD_TAN_ISSUED',
  tanHash,
  ...at(T(minutes)),
});
const submitted = (tan: string, minutes: number): AnyEventObject => ({
  type: 'TAN_SUBMITTED',
  tan,
  ...at(T(minutes)),
});
const rejectedTan = (minutes: number): AnyEventObject => ({
  type: 'DOWNLOAD_TAN_REJECTED',
  ...at(T(minutes)),
});
const TOKEN_HASH = 'T'.repeat(43);
const accepted = (minutes: number): AnyEventObject => ({
  type: 'DOWNLOAD_TAN_ACCEPTED',
  tokenHash: TOKEN_HASH,
  ...at(T(minutes)),
});
const downloaded = (tokenHash: string, minutes: number): AnyEventObject => ({
  type: 'DOCUMENT_DOWNLOADED',
  tokenHash,
  ...at(T(minutes)),
});

/** Uploaded, announced, an mTAN sent and its hash kept. */
function awaitingTan(): Step {
  const { run } = start(input);
  const asked = send(run, requested(1));
  return send(asked.run, issued('H'.repeat(43), 1));
}

/** A right mTAN: the token's hash kept. */
function ready(): Step {
  const { run } = awaitingTan();
  const verified = send(run, submitted('123456', 2));
  return send(verified.run, accepted(2));
}

describe('documentDelivery: a new document', () => {
  it('is "Bereitgestellt" and announced by email that names it and carries no content', () => {
    const { run, actions } = start(input);
    expect(state(run)).toBe('retained.available');
    expect(label(run)).toBe('Bereitgestellt');
    expect(named(actions)).toEqual([
      {
        type: 'announceDocument',
        params: {
          documentId: 'D-2026-K7PM3QXA',
          kind: 'abrechnungsnachweis',
          title: 'Abrechnungsnachweis Quartal 4/2025',
          physician,
        },
      },
    ]);
    expect(allowed(run)).toEqual(['DOWNLOAD_REQUESTED']);
    expect(context(run).physician.mobile).toBe('+4915112345678');
  });

  it('is kept exactly 24 calendar months from the upload (28 Feb 2026 → 28 Feb 2028)', () => {
    const { run } = start(input);
    expect(run.timers.get(timerId(run, 'retention'))).toBe(
      Date.parse('2028-02-28T10:00:00.000Z') - Date.parse(UPLOADED_AT),
    );
  });
});

describe('documentDelivery: the mTAN', () => {
  it("goes by SMS to the physician's mobile when a download is asked for, valid 5 minutes", () => {
    const { run } = start(input);
    const { run: asked, actions } = send(run, requested(1));
    expect(state(asked)).toBe('retained.awaitingTan');
    expect(label(asked)).toBe('mTAN gesendet');
    expect(named(actions)).toEqual([
      {
        type: 'sendDownloadTan',
        params: {
          documentId: 'D-2026-K7PM3QXA',
          title: 'Abrechnungsnachweis Quartal 4/2025',
          mobile: '+4915112345678',
          sequence: 1,
        },
      },
    ]);
    expect(asked.timers.get(timerId(asked, 'tanExpiry'))).toBe(5 * MINUTE);
    expect(asked.timers.size).toBe(2); // retention keeps running
  });

  it('is checked by an activity against the kept hash', () => {
    const { run } = awaitingTan();
    const { actions } = send(run, submitted('123456', 2));
    expect(named(actions)).toEqual([
      {
        type: 'verifyDownloadTan',
        params: {
          documentId: 'D-2026-K7PM3QXA',
          sequence: 1,
          tan: '123456',
          tanHash: 'H'.repeat(43),
        },
      },
    ]);
  });

  it('takes 3 wrong tries: the caller learns how many are left, the third ends it with a notice', () => {
    let { run } = awaitingTan();
    const first = send(run, rejectedTan(2));
    expect(emitted(first.actions)).toEqual([
      {
        type: 'rejected',
        status: 422,
        detail: 'Die mTAN ist falsch. Noch 2 Versuche.',
        path: 'tan',
      },
    ]);
    const second = send(first.run, rejectedTan(2));
    expect(emitted(second.actions)).toEqual([
      {
        type: 'rejected',
        status: 422,
        detail: 'Die mTAN ist falsch. Noch 1 Versuch.',
        path: 'tan',
      },
    ]);
    expect(state(second.run)).toBe('retained.awaitingTan');
    const third = send(second.run, rejectedTan(3));
    run = third.run;
    expect(state(run)).toBe('retained.available');
    expect(context(run).tanHash).toBeNull();
    expect(context(run).notice).toMatch(/3-mal falsch/);
    expect(emitted(third.actions)).toEqual([
      expect.objectContaining({ status: 422, detail: expect.stringMatching(/neue mTAN/) }),
    ]);
    expect([...run.timers.keys()].some((id) => id.includes('tanExpiry'))).toBe(false);
    // A new request starts over: a new mTAN, counters reset, the notice gone.
    const again = send(run, requested(4));
    expect(context(again.run)).toMatchObject({ tansSent: 2, failedAttempts: 0, notice: null });
  });

  it('expires after 5 minutes: back to "Bereitgestellt" with a notice, the hash dropped', () => {
    const { run } = awaitingTan();
    const { run: expired } = fire(run, 'tanExpiry', T(6));
    expect(state(expired)).toBe('retained.available');
    expect(context(expired).tanHash).toBeNull();
    expect(context(expired).notice).toMatch(/abgelaufen/);
  });

  it('asked for again while one is open: a new mTAN with the next number, the old hash void', () => {
    const { run } = awaitingTan();
    const { run: again, actions } = send(run, requested(2));
    expect(context(again)).toMatchObject({ tansSent: 2, tanHash: null });
    expect(named(actions)).toEqual([
      expect.objectContaining({
        type: 'sendDownloadTan',
        params: expect.objectContaining({ sequence: 2 }),
      }),
    ]);
    expect(again.timers.get(timerId(again, 'tanExpiry'))).toBe(5 * MINUTE);
  });
});

describe('documentDelivery: the download token', () => {
  it('is ready after the right mTAN, valid 10 minutes', () => {
    const { run } = ready();
    expect(state(run)).toBe('retained.downloadReady');
    expect(label(run)).toBe('Download freigegeben');
    expect(context(run)).toMatchObject({ tokenHash: TOKEN_HASH, tanHash: null });
    expect(run.timers.get(timerId(run, 'downloadTokenExpiry'))).toBe(10 * MINUTE);
    expect(allowed(run).sort()).toEqual(['DOCUMENT_DOWNLOADED', 'DOWNLOAD_REQUESTED']);
  });

  it('works once: the download is counted, the next one needs a new mTAN', () => {
    const { run } = ready();
    const { run: done } = send(run, downloaded(TOKEN_HASH, 3));
    expect(state(done)).toBe('retained.available');
    expect(context(done)).toMatchObject({ downloads: 1, lastDownloadedAt: T(3), tokenHash: null });
    expect(done.snapshot.can(downloaded(TOKEN_HASH, 3))).toBe(false);
  });

  it('refuses a token whose hash does not match, and keeps the real one', () => {
    const { run } = ready();
    const { run: after, actions } = send(run, downloaded('X'.repeat(43), 3));
    expect(emitted(actions)).toEqual([
      { type: 'rejected', status: 422, detail: 'Der Download-Link ist ungültig.', path: 'token' },
    ]);
    expect(state(after)).toBe('retained.downloadReady');
    expect(context(after)).toMatchObject({ tokenHash: TOKEN_HASH, downloads: 0 });
  });

  it('expires after 10 minutes with a notice', () => {
    const { run } = ready();
    const { run: expired } = fire(run, 'downloadTokenExpiry', T(13));
    expect(state(expired)).toBe('retained.available');
    expect(context(expired)).toMatchObject({
      tokenHash: null,
      notice: expect.stringMatching(/abgelaufen/),
    });
  });

  it('dies when a new mTAN is asked for', () => {
    const { run } = ready();
    const { run: asked } = send(run, requested(4));
    expect(state(asked)).toBe('retained.awaitingTan');
    expect(context(asked).tokenHash).toBeNull();
  });
});

describe('documentDelivery: retention', () => {
  const reach: [string, () => Run][] = [
    ['retained.available', () => start(input).run],
    ['retained.awaitingTan', () => awaitingTan().run],
    ['retained.downloadReady', () => ready().run],
  ];

  it.each(reach)(
    'from %s: "Gelöscht" (final), the content purged, every timer gone',
    (from, get) => {
      const run = get();
      expect(state(run)).toBe(from);
      const { run: purged, actions } = fire(run, 'retention', '2028-02-28T10:00:00.000Z');
      expect(state(purged)).toBe('purged');
      expect(label(purged)).toBe('Gelöscht');
      expect(purged.snapshot.status).toBe('done');
      expect(named(actions)).toEqual([
        { type: 'purgeDocument', params: { documentId: 'D-2026-K7PM3QXA' } },
      ]);
      expect(purged.timers.size).toBe(0);
      expect(context(purged)).toMatchObject({
        purgedAt: '2028-02-28T10:00:00.000Z',
        tanHash: null,
        tokenHash: null,
        title: 'Abrechnungsnachweis Quartal 4/2025', // metadata stays
      });
      expect(allowed(purged)).toEqual([]);
    },
  );
});

describe('documentDelivery: definition', () => {
  it('labels every state as PROCESSES.md does', () => {
    const paths = getStateNodes(machine.root).map((node) => node.path.join('.'));
    expect(Object.fromEntries(paths.map((path) => [path, labelOf(machine, path)]))).toEqual({
      retained: 'Im Arztportal',
      'retained.available': 'Bereitgestellt',
      'retained.awaitingTan': 'mTAN gesendet',
      'retained.downloadReady': 'Download freigegeben',
      purged: 'Gelöscht',
    });
  });

  it('keeps mTAN and token hashes out of views, and TAN and download events to praxisflow', () => {
    expect(documentDeliveryProcess.redact).toEqual(['tanHash', 'tokenHash']);
    expect(documentDeliveryProcess.eventSenders).toMatchObject({
      TAN_SUBMITTED: 'praxisflow',
      DOCUMENT_DOWNLOADED: 'praxisflow',
    });
  });

  it('refuses an mTAN that is not 6 digits before it reaches the process', () => {
    const schema = documentDeliveryProcess.events.TAN_SUBMITTED!;
    expect(schema.safeParse({ tan: '12345' }).success).toBe(false);
    expect(schema.safeParse({ tan: '12345a' }).success).toBe(false);
    expect(schema.safeParse({ tan: ' 012345 ' }).success).toBe(true);
  });
});
