import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { recordedHistories, workflowBundle } from '../support/workflow-env.js';

const histories = await recordedHistories();

describe('recorded histories', () => {
  it('when the recorded histories are counted, then every process scenario is there', () => {
    expect(histories.length).toBeGreaterThanOrEqual(5);
  });

  it.each(histories.map((entry) => [entry.name, entry.history] as const))(
    'when %s is replayed against the current workflow code, then it is deterministic',
    async (name, history) => {
      await expect(
        Worker.runReplayHistory({ workflowBundle: workflowBundle() }, history, name),
      ).resolves.toBeUndefined();
    },
  );
});
