import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { processTypes } from '../../machines/registry.js';
import { recordedHistories, workflowBundle } from '../support/workflow-env.js';

/**
 * The determinism gate: every recorded history (tests/fixtures/histories) is replayed against
 * the current workflow code. A change that would make running processes diverge from what they
 * already did fails here, and says what to do instead.
 */

const histories = await recordedHistories();
const typeOf = (name: string): string => name.replace(/^v\d+-/, '').split('--')[0]!;

const HOW_TO_CHANGE =
  'A change to a machine (its states, transitions, actions, guards or delays) must not change ' +
  'what running processes already did. Keep the old definition and add the changed machine as ' +
  'a new version: a new ProcessDefinition with version N+1 in machines/registry.ts and in the ' +
  'workflow’s list in workflows/<type>.ts (new processes take it, running ones keep theirs); ' +
  'then record histories of the new version with PRAXISFLOW_RECORD_HISTORIES=1 npm test.';

describe('recorded histories', () => {
  it('when the recorded histories are listed, then every process type has some', () => {
    const recorded = new Set(histories.map(({ name }) => typeOf(name)));
    const missing = processTypes().filter((type) => !recorded.has(type));
    expect(
      missing,
      `no recorded history of ${missing.join(', ')}: record some with PRAXISFLOW_RECORD_HISTORIES=1`,
    ).toEqual([]);
  });

  it.each(histories.map((entry) => [entry.name, entry.history] as const))(
    'when %s is replayed against the current workflow code, then it is deterministic',
    async (name, history) => {
      try {
        await Worker.runReplayHistory({ workflowBundle: workflowBundle() }, history, name);
      } catch (error) {
        throw new Error(
          `${name} no longer replays against the current workflow code: ${String(error)}\n\n${HOW_TO_CHANGE}`,
          { cause: error },
        );
      }
    },
  );
});
