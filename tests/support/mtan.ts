import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { ApiStack } from './api-stack.js';
import { messagesTo } from './mailcatcher.js';

/**
 * A physician of the Arztportal for API tests: HÄVG-ID and LANR, and a mobile number of their
 * own (its SMS land in the mail catcher as `sms+<number>@sms.praxisflow.localhost`).
 */
export function arztportalPhysician() {
  const digits = `15${String(10_000_000 + (randomBytes(4).readUInt32BE(0) % 89_999_999))}`;
  return {
    name: 'Dr. med. Jonas Berger',
    email: `berger.${randomBytes(3).toString('hex')}@praxis.example`,
    haevgId: `H-${randomBytes(3).toString('hex')}`,
    lanr: String(100_000_000 + (randomBytes(4).readUInt32BE(0) % 899_999_999)),
    mobile: `0${digits}`,
    smsTo: `sms+49${digits}@sms.praxisflow.localhost`,
  };
}
export type ArztportalPhysician = ReturnType<typeof arztportalPhysician>;

/** The n-th SMS code of the Registrierung zum mTAN-Verfahren sent to that address. */
export async function mtanRegistrationCode(smsTo: string, count = 1): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const codes = (await messagesTo(smsTo))
      .map((sms) => /^(\d{6}) ist Ihr Bestätigungscode/.exec(sms.text)?.[1])
      .filter((code): code is string => code !== undefined);
    if (codes.length >= count) return codes[count - 1]!;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no registration code number ${count} to ${smsTo}`);
}

/** Registers and confirms the physician's mobile number, as the portal does; answers the process id. */
export async function registerMtanNumber(
  api: ApiStack,
  key: string,
  practiceId: string,
  who: ArztportalPhysician,
): Promise<string> {
  const started = await api.request('POST', '/api/v1/processes/mtanRegistration', {
    key,
    body: {
      input: { practiceId, haevgId: who.haevgId, lanr: who.lanr, mobile: who.mobile },
    },
  });
  expect(started.status, JSON.stringify(started.body)).toBe(201);
  const id = started.body.id as string;
  const confirmed = await api.request('POST', `/api/v1/processes/${id}/events`, {
    key,
    body: { type: 'CODE_SUBMITTED', code: await mtanRegistrationCode(who.smsTo) },
  });
  expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
  expect(confirmed.body.stateLabel).toBe('Mobilfunknummer bestätigt');
  return id;
}
