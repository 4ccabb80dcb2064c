import { describe, expect, it } from 'vitest';
import { previewEffects } from '../../workflows/interpreter/preview.js';

describe('what a previewed step would set going', () => {
  it('when a step sends messages and starts a process, then the preview names action, template and channel, never the params', () => {
    const preview = previewEffects([
      {
        kind: 'activity',
        name: 'sendEmail',
        params: { template: 'invitationReminder', to: { email: 'lea@praxis.example' } },
      },
      {
        kind: 'activity',
        name: 'issueConfirmationCode',
        params: { to: { channel: 'fax', address: '+49 228 123456' } },
      },
      { kind: 'activity', name: 'sendTransportPinLetter', params: { address: { city: 'Bonn' } } },
      { kind: 'activity', name: 'verifyActivationCode', params: { code: '12345678' } },
      { kind: 'schedule', id: 't', name: 'codeExpiry', event: { type: 'EXPIRED' }, delay: 1 },
      { kind: 'cancel', id: 't' },
      { kind: 'emit', event: { type: 'rejected' } },
      { kind: 'startProcess', params: { type: 'card', input: { holder: 'Dr. Sommer' } } },
      {
        kind: 'invoke',
        id: 'register',
        src: 'lookUpPractice',
        input: { holder: 'Dr. Sommer' },
        options: {},
      },
      { kind: 'stopInvoke', id: 'register' },
    ]);
    expect(preview).toEqual([
      { kind: 'activity', name: 'sendEmail', template: 'invitationReminder', channel: 'email' },
      { kind: 'activity', name: 'issueConfirmationCode', channel: 'fax' },
      { kind: 'activity', name: 'sendTransportPinLetter', channel: 'letter' },
      { kind: 'activity', name: 'verifyActivationCode' },
      { kind: 'startProcess', name: 'card' },
      { kind: 'activity', name: 'lookUpPractice' },
    ]);
    const text = JSON.stringify(preview);
    for (const secret of ['lea@praxis.example', '123456', 'Bonn', '12345678', 'Sommer']) {
      expect(text).not.toContain(secret);
    }
  });
});
