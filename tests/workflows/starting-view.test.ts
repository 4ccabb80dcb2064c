import { describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { processExamples } from '../../api/openapi/process-examples.js';
import { latestDefinition, processTypes } from '../../machines/registry.js';
import { startingView, type ProcessArgs } from '../../workflows/protocol.js';
import { nestingProcess } from '../fixtures/child-machine.js';
import { memoryOutbox } from '../support/outbox.js';
import { recordingMailer, TEST_ACTIVITY_CONFIG } from '../support/recording-mailer.js';
import { projected, TASK_QUEUE, useTimeSkippingWorker } from '../support/workflow-env.js';

/**
 * The API answers a start with the view it computes from the pure machine, without waiting for
 * a worker. For that answer to be true, the workflow's own first step must show exactly the
 * same: same state, timers (due from the start's instant), context, allowed events, times.
 */
const { mailer } = recordingMailer();
const testEnv = useTimeSkippingWorker(
  createActivities({
    outbox: memoryOutbox(),
    mailer,
    config: TEST_ACTIVITY_CONFIG,
    documents: { purge: async () => undefined },
  }),
);

async function firstProjection(id: string) {
  for (let attempt = 0; attempt < 200; attempt++) {
    const record = projected.find((entry) => entry.view.id === id && entry.audit.step === 0);
    if (record) return record;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${id} never projected its start`);
}

describe('the view of a start', () => {
  it.each(processTypes())(
    'when a %s process starts, then its first projected view equals the one the API computed',
    async (type) => {
      const definition = latestDefinition(type)!;
      const businessKey = `start-${Math.random().toString(36).slice(2, 10)}`;
      const args: ProcessArgs & { startedAt: string } = {
        input: processExamples[type]!.input,
        version: definition.version,
        businessKey,
        actor: 'key-test',
        practiceId: 'BSNR-123456789',
        // A deployment's override must count as much as the machine's own delays.
        delays: { invitationExpiry: 3_600_000 },
        startedAt: new Date(Date.now() - 1_500).toISOString(),
      };
      const id = `${type}-${businessKey}`;
      const expected = startingView(definition, args, id);
      await testEnv().client.workflow.start(type, {
        taskQueue: TASK_QUEUE,
        workflowId: id,
        args: [args],
      });

      const record = await firstProjection(id);
      expect(record.view).toEqual(expected);
      expect(record.audit).toMatchObject({ step: 0, event: 'STARTED', at: args.startedAt });
      expect(expected.createdAt).toBe(args.startedAt);
      if (type === 'invitation') {
        expect(expected.timers).toContainEqual({
          name: 'invitationExpiry',
          dueAt: new Date(Date.parse(args.startedAt) + 3_600_000).toISOString(),
        });
      }
    },
  );

  it('when a process invokes a child machine as it starts, then the view of its start lists the child as its first projected view does', async () => {
    const businessKey = `start-${Math.random().toString(36).slice(2, 10)}`;
    const args: ProcessArgs & { startedAt: string } = {
      input: { n: 21 },
      version: 1,
      businessKey,
      actor: 'key-test',
      startedAt: new Date(Date.now() - 1_500).toISOString(),
    };
    const id = `nesting-${businessKey}`;
    const expected = startingView(nestingProcess, args, id);
    expect(expected.children).toEqual([
      {
        id: 'outer',
        src: 'relay',
        kind: 'machine',
        since: args.startedAt,
        step: 0,
        workflowId: `${id}/outer/0`,
      },
    ]);
    await testEnv().client.workflow.start('nesting', {
      taskQueue: TASK_QUEUE,
      workflowId: id,
      args: [args],
    });
    expect((await firstProjection(id)).view).toEqual(expected);
  });
});
