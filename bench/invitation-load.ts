/** Invitations started straight through the Temporal client, with the args the API gives. */
import { Client, WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/client';
import { generatedBusinessKey } from '../api/business-key.js';
import { latestDefinition } from '../machines/registry.js';
import { ProcessSearchAttributes, type ProcessArgs } from '../workflows/protocol.js';

const definition = latestDefinition('invitation')!;

/** Starts invitation number `i` on `taskQueue`; answers its workflow id. */
export async function startInvitation(
  client: Client,
  i: number,
  taskQueue: string,
): Promise<string> {
  // As POST /api/v1/processes/invitation builds it.
  const input = definition.input.parse({
    salutation: 'Frau',
    firstName: 'Erika',
    lastName: `Bench ${i}`,
    email: `bench.${i}@praxis.example`,
    practiceId: `BSNR-${i % 2_000}`,
    inviter: { name: 'Dr. Bench', email: 'admin@praxis.example' },
  });
  const practiceId = definition.practiceId?.(input as never);
  const businessKey = generatedBusinessKey();
  const args: ProcessArgs = {
    input,
    version: definition.version,
    businessKey,
    actor: 'bench',
    delays: {},
    ...(practiceId ? { practiceId } : {}),
  };
  const handle = await client.workflow.start('invitation', {
    taskQueue,
    workflowId: `invitation-${businessKey}`,
    args: [args],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    typedSearchAttributes: [
      { key: ProcessSearchAttributes.type, value: 'invitation' },
      { key: ProcessSearchAttributes.businessKey, value: businessKey },
      ...(practiceId ? [{ key: ProcessSearchAttributes.practiceId, value: practiceId }] : []),
    ],
  });
  return handle.workflowId;
}
