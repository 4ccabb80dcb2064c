/** Invitations started straight through the Temporal client, with the args the API gives. */
import { randomUUID } from 'node:crypto';
import { Client, WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/client';
import { planApiStart } from '../api/start-plan.js';
import { definitionOf, latestDefinition } from '../machines/registry.js';
import type { ProcessArgs } from '../workflows/protocol.js';

/** Key of the hashed business keys (practice + email), new per run: a rerun starts afresh. */
const BENCH_KEY_SECRET = randomUUID();

/**
 * Starts invitation number `i` on `taskQueue`, at the newest version unless `version` says
 * another (an instance from before a new version, for a migration); answers its workflow id.
 */
export async function startInvitation(
  client: Client,
  i: number,
  taskQueue: string,
  options: { readonly version?: number; readonly practiceId?: string } = {},
): Promise<string> {
  const definition = options.version
    ? definitionOf('invitation', options.version)!
    : latestDefinition('invitation')!;
  // As POST /api/v1/processes/invitation builds it.
  const input = definition.input.parse({
    salutation: 'Frau',
    firstName: 'Erika',
    lastName: `Bench ${i}`,
    email: `bench.${i}@praxis.example`,
    practiceId: options.practiceId ?? `BSNR-${i % 2_000}`,
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
