import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { type ProcessArgs, type ProcessView } from '../../workflows/protocol.js';
import { memoryOutbox } from '../support/outbox.js';
import { TEST_ACTIVITY_CONFIG } from '../support/recording-mailer.js';
import { TASK_QUEUE, useTimeSkippingWorker, view } from '../support/workflow-env.js';

/**
 * Timers count from the start's instant, so they may come due while the start's own effect
 * still retries (SMTP down, a worker dead): the invitation email fails until both the reminder
 * and the expiry have fired. Both must still be taken, in order, once the email is out, also
 * by a worker that replays the history for every task.
 */
let failuresLeft = 0;
const sent: string[] = [];
const testEnv = useTimeSkippingWorker(
  createActivities({
    outbox: memoryOutbox(),
    mailer: {
      sendMail: async (message: { subject?: string }) => {
        if (failuresLeft > 0) {
          failuresLeft -= 1;
          throw new Error('connect ECONNREFUSED (test relay down)');
        }
        sent.push(message.subject ?? '');
        return { messageId: 'recorded' };
      },
    },
    config: TEST_ACTIVITY_CONFIG,
  }),
  // No cache: every workflow task replays the whole history, as on a worker that just restarted.
  { maxCachedWorkflows: 0 },
);

describe('timers that come due while the start still works', () => {
  it('when reminder and expiry fire while the invitation email still fails, then both are taken once it is out and the invitation expires', async () => {
    failuresLeft = 3; // retries after 2 s, 4 s, 8 s: both timers are due by then
    const businessKey = randomUUID();
    const args: ProcessArgs = {
      input: {
        salutation: 'Frau',
        firstName: 'Erika',
        lastName: 'Mustermann',
        email: 'erika.late@praxis.example',
        practiceId: 'BSNR-1',
        inviter: { name: 'Dr. Beispiel', email: 'praxis@praxis.example' },
      },
      version: 1,
      businessKey,
      actor: 'key-test',
      practiceId: 'BSNR-1',
      delays: { invitationReminder: 3_000, invitationExpiry: 5_000 },
      startedAt: new Date(Date.now() - 1_000).toISOString(),
    };
    const handle = await testEnv().client.workflow.start('invitation', {
      taskQueue: TASK_QUEUE,
      workflowId: `invitation-${businessKey}`,
      args: [args],
    });
    let last: ProcessView | undefined;
    for (let attempt = 0; attempt < 300; attempt++) {
      last = await view(handle);
      if (last.status !== 'active') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(last?.state).toBe('expired');
    expect(failuresLeft).toBe(0);
  });
});
