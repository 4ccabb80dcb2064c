import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { ProcessArgs } from '../../workflows/protocol.js';

/**
 * Starts a version-1 invitation as one started before version 2 existed (straight on Temporal:
 * the API starts only the newest version); answers its process id. Not yet at rest.
 */
export async function startInvitationV1(
  stack: { readonly client: Client; readonly taskQueue: string },
  practiceId: string,
  lastName = 'Version',
): Promise<string> {
  const businessKey = randomBytes(8).toString('hex');
  const args: ProcessArgs = {
    input: {
      salutation: 'Frau',
      firstName: 'Vera',
      lastName,
      email: `${lastName.toLowerCase()}.${businessKey}@praxis.example`,
      practiceId,
    },
    version: 1,
    businessKey,
    practiceId,
    actor: 'key-test',
  };
  const id = `invitation-${businessKey}`;
  await stack.client.workflow.start('invitation', {
    taskQueue: stack.taskQueue,
    workflowId: id,
    args: [args],
  });
  return id;
}
