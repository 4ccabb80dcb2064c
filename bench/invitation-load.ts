/** Invitations started straight through the Temporal client, with the args the API gives. */
import { randomUUID } from 'node:crypto';
import { Client, WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/client';
import { planApiStart } from '../api/start-plan.js';
import { latestDefinition } from '../machines/registry.js';
import type { ProcessArgs } from '../workflows/protocol.js';

const definition = latestDefinition('invitation')!;
/** Key of the hashed business keys (practice + email), new per run: a rerun starts afresh. */
const BENCH_KEY_SECRET = randomUUID();

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
  const plan = planApiStart(definition, { input }, BENCH_KEY_SECRET);
  const args: ProcessArgs = {
    input: plan.input,
    version: definition.version,
    businessKey: plan.businessKey,
    actor: 'bench',
    delays: {},
    ...(plan.practiceId ? { practiceId: plan.practiceId } : {}),
  };
  const handle = await client.workflow.start('invitation', {
    taskQueue,
    workflowId: plan.processId,
    args: [args],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    typedSearchAttributes: plan.searchAttributes,
  });
  return handle.workflowId;
}
