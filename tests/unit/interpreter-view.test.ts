import { describe, expect, it } from 'vitest';
import { initialTransition, transition } from 'xstate';
import { contactVerificationProcess } from '../../machines/contact-verification.js';
import { invitationProcessV2 } from '../../machines/invitation-v2.js';
import { leafPaths, processView, redact } from '../../workflows/interpreter/view.js';

describe('the view of a process', () => {
  it('when states are nested, then the state is the dotted path of the active leaf', () => {
    expect(leafPaths('requested')).toEqual(['requested']);
    expect(leafPaths({ registration: 'invited' })).toEqual(['registration.invited']);
  });

  it('when a parallel state is active, then every region is named, atomic regions included', () => {
    expect(leafPaths({ both: { left: {}, right: 'r1' } })).toEqual(['both.left', 'both.right.r1']);
  });

  it('when context keys hold secrets by name, then they are hidden, at any depth, and only they', () => {
    const context = {
      tokenHash: 'x',
      codeHash: 'x',
      pinHash: 'x',
      downloadToken: 'x',
      pings: 2,
      codename: 'kept',
      person: { email: 'a@b.example', activation_code: 'x', tanAttempts: 1 },
      list: [{ secretKey: 'x', label: 'kept' }],
    };
    expect(redact(context, ['extra'])).toEqual({
      pings: 2,
      codename: 'kept',
      person: { email: 'a@b.example' },
      list: [{ label: 'kept' }],
    });
    expect(redact({ extra: 1, other: 2 }, ['extra'])).toEqual({ other: 2 });
  });

  it('when the state has a hint for the person, then the view carries it, and only then', () => {
    const viewOf = (definition: typeof contactVerificationProcess, snapshot: unknown) =>
      processView({
        id: `${definition.type}-1`,
        definition,
        machine: definition.machine,
        args: { input: {}, version: definition.version, businessKey: '1', actor: 'key-1' },
        snapshot: snapshot as never,
        cancelled: false,
        timers: [],
        incident: null,
        children: [],
        step: 1,
        createdAt: '2026-03-02T09:30:00.000Z',
        updatedAt: '2026-03-02T09:30:00.000Z',
      });
    const [pending] = initialTransition(contactVerificationProcess.machine, {
      practiceId: 'BSNR-123456789',
      practiceName: 'Praxis am Markt',
      channel: 'email',
      address: 'praxis@praxis.example',
    });
    const hint = viewOf(contactVerificationProcess, pending).stateHint;
    expect(hint).toContain('Der Versand der Bestätigungsnachricht kann einige Minuten dauern.');
    expect(hint).toContain('prüfen Sie bitte auch Ihren Spam-Ordner');

    const [invited] = initialTransition(invitationProcessV2.machine, {
      salutation: null,
      firstName: 'Erika',
      lastName: 'Mustermann',
      email: 'erika@praxis.example',
      practiceId: 'BSNR-123456789',
    });
    expect(viewOf(invitationProcessV2, invited)).not.toHaveProperty('stateHint');
    const [linked] = transition(invitationProcessV2.machine, invited, {
      type: 'REGISTRATION_LINK_ISSUED',
      tokenHash: 'h',
      linkRef: 'r',
    });
    const [opened] = transition(invitationProcessV2.machine, linked, {
      type: 'REGISTRATION_TOKEN_ACCEPTED',
    });
    const [device] = transition(invitationProcessV2.machine, opened, {
      type: 'PERSONAL_DATA_SUBMITTED',
      birthDate: '1980-05-17',
    });
    expect(viewOf(invitationProcessV2, device).stateHint).toContain('AOK 2-Faktor App');
  });
});
