import { getStateNodes } from '@xstate/graph';
import { describe, expect, it } from 'vitest';
import { accountCredentialsProcess } from '../../machines/account-credentials.js';
import { accountCredentialsInputSchema } from '../../machines/account-credentials.schema.js';
import { allowedEvents, labelOf, leafPaths } from '../../workflows/interpreter/view.js';
import { machineHarness, type Run } from '../support/machine-harness.js';

/** Credentials by post (PROCESSES.md §6, related) as a pure machine. */

const machine = accountCredentialsProcess.machine;
const { start, send, named } = machineHarness(machine);
const at = { receivedAt: '2026-12-01T09:00:00.000Z', actor: 'key-portal' } as const;

const address = {
  name: 'Dr. med. Jonas Berger',
  street: 'Marktplatz 3',
  postcode: '53111',
  city: 'Bonn',
};
const input = accountCredentialsInputSchema.parse({
  userName: 'AP-K7PM3QXA',
  practiceId: 'BSNR-123456789',
  holderName: 'Dr. med. Jonas Berger',
  address,
});
const letter = (n: number, to = { ...address, country: 'DE' }) => ({
  type: 'sendCredentialsLetter',
  params: {
    userName: 'AP-K7PM3QXA',
    practiceId: 'BSNR-123456789',
    holderName: 'Dr. med. Jonas Berger',
    address: to,
    letter: n,
  },
});
const state = (run: Run) => leafPaths(run.snapshot.value).join(',');
const allowed = (run: Run) =>
  allowedEvents(run.snapshot, Object.keys(accountCredentialsProcess.events));

describe('accountCredentials', () => {
  it('sends the first letter when the access is opened', () => {
    const { run, actions } = start(input);
    expect(state(run)).toBe('issued');
    expect(labelOf(machine, 'issued')).toBe('Anmeldedaten versandt');
    expect(named(actions)).toEqual([letter(1)]);
    expect(allowed(run).sort()).toEqual([
      'ACCOUNT_CLOSED',
      'ADDRESS_CHANGED',
      'CREDENTIALS_FORGOTTEN',
    ]);
  });

  it('sends a new, numbered letter for each „Anmeldedaten vergessen“, to the newest address', () => {
    let { run } = start(input);
    const second = send(run, { type: 'CREDENTIALS_FORGOTTEN', ...at });
    expect(named(second.actions)).toEqual([letter(2)]);
    run = second.run;
    const moved = {
      ...address,
      street: 'Poppelsdorfer Allee 12',
      postcode: '53115',
      country: 'DE',
    };
    const changed = send(run, { type: 'ADDRESS_CHANGED', address: moved, ...at });
    expect(named(changed.actions)).toEqual([]); // no letter until one is asked for
    const third = send(changed.run, { type: 'CREDENTIALS_FORGOTTEN', ...at });
    expect(named(third.actions)).toEqual([letter(3, moved)]);
  });

  it('revokes the credentials for good when the access is closed', () => {
    const { run } = start(input);
    const { run: closed, actions } = send(run, {
      type: 'ACCOUNT_CLOSED',
      reason: 'Praxis aufgegeben',
      ...at,
    });
    expect(state(closed)).toBe('closed');
    expect(labelOf(machine, 'closed')).toBe('Zugang geschlossen');
    expect(closed.snapshot.status).toBe('done');
    expect(named(actions)).toEqual([
      { type: 'revokeCredentials', params: { userName: 'AP-K7PM3QXA' } },
    ]);
    expect(allowed(closed)).toEqual([]);
  });

  it('has exactly these states, and only the back office closes an access', () => {
    expect(
      getStateNodes(machine.root)
        .map((node) => node.key)
        .sort(),
    ).toEqual(['closed', 'issued']);
    expect(accountCredentialsProcess.eventSenders).toEqual({
      CREDENTIALS_FORGOTTEN: 'both',
      ADDRESS_CHANGED: 'both',
      ACCOUNT_CLOSED: 'operator',
    });
    const drawn = accountCredentialsProcess.issueBusinessKey!(() => 0.5, new Date());
    expect(drawn).toMatch(/^AP-[3467ACDEFGHJKMNPQRTUVWXY9]{8}$/);
  });
});
