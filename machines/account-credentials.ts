import { assign, setup } from 'xstate';
import {
  accountCredentialsEventSchemas,
  accountCredentialsInputSchema,
  drawUserName,
  type AccountCredentialsContext,
  type AccountCredentialsEvent,
  type AccountCredentialsInput,
  type RevokeCredentialsParams,
  type SendCredentialsLetterParams,
} from './account-credentials.schema.js';
import type { ProcessDefinition } from './process-definition.js';

const credentialsSetup = setup({
  types: {
    context: {} as AccountCredentialsContext,
    events: {} as AccountCredentialsEvent,
    input: {} as AccountCredentialsInput,
    meta: {} as { label: string },
  },
  // The interpreter runs none of these: it calls the activity of the same name with the params.
  actions: {
    sendCredentialsLetter: (_, _params: SendCredentialsLetterParams) => {},
    revokeCredentials: (_, _params: RevokeCredentialsParams) => {},
  },
});

const sendLetter = credentialsSetup.enqueueActions(({ context, enqueue }) => {
  enqueue({
    type: 'sendCredentialsLetter',
    params: {
      userName: context.userName,
      practiceId: context.practiceId,
      holderName: context.holderName,
      address: context.address,
      letter: context.letters,
      ...(context.haevgId ? { haevgId: context.haevgId } : {}),
      ...(context.lanr ? { lanr: context.lanr } : {}),
    },
  });
});

const accountCredentialsMachine = credentialsSetup.createMachine({
  id: 'accountCredentials',
  description:
    'Anmeldedaten per Post: the credentials a physician applied for under „Neu im ' +
    'Arztportal“ (with HÄVG-ID and LANR) go as a print-ready letter; „Anmeldedaten vergessen“ sends a new letter, and the credentials of ' +
    'every earlier letter stop working the moment it is issued. Only a hash of the password ' +
    'is stored. Choices where PROCESSES.md is silent: one process per access (business key = ' +
    'user name), a changed address is used from the next letter on, closing the access voids ' +
    'the credentials for good.',
  initial: 'issued',
  context: ({ input }) => ({
    userName: input.userName ?? '',
    practiceId: input.practiceId,
    holderName: input.holderName,
    address: input.address,
    haevgId: input.haevgId ?? null,
    lanr: input.lanr ?? null,
    letters: 0,
    closedReason: null,
  }),
  states: {
    issued: {
      meta: { label: 'Anmeldedaten versandt' },
      description: 'The newest letter’s credentials are valid; earlier ones are void.',
      entry: [assign({ letters: ({ context }) => context.letters + 1 }), sendLetter],
      on: {
        CREDENTIALS_FORGOTTEN: { target: 'issued', reenter: true },
        ADDRESS_CHANGED: { actions: assign({ address: ({ event }) => event.address }) },
        ACCOUNT_CLOSED: {
          target: 'closed',
          actions: assign({ closedReason: ({ event }) => event.reason }),
        },
      },
    },
    closed: {
      type: 'final',
      meta: { label: 'Zugang geschlossen' },
      entry: {
        type: 'revokeCredentials',
        params: ({ context }) => ({ userName: context.userName }),
      },
    },
  },
});

export const accountCredentialsProcess: ProcessDefinition = {
  type: 'accountCredentials',
  version: 1,
  title: 'Anmeldedaten per Post',
  machine: accountCredentialsMachine,
  input: accountCredentialsInputSchema,
  events: accountCredentialsEventSchemas,
  eventSenders: {
    CREDENTIALS_FORGOTTEN: 'both',
    ADDRESS_CHANGED: 'both',
    ACCOUNT_CLOSED: 'operator',
  },
  businessKeyField: 'userName',
  issueBusinessKey: (random) => drawUserName(random),
  practiceId: (input: AccountCredentialsInput) => input.practiceId,
};
