import type { Client } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { withChildStates } from '../../api/child-views.js';
import type { ChildView, ProcessView } from '../../workflows/protocol.js';

const SINCE = '2026-12-04T09:00:00.000Z';

const child = (id: string, kind: ChildView['kind']): ChildView => ({
  id,
  src: id,
  kind,
  since: SINCE,
  step: 1,
  ...(kind === 'machine' ? { workflowId: `filer-1/${id}/1` } : {}),
});

/** Temporal as the API sees it: the workflows that answer a view, by id; the others fail. */
function clientAnswering(views: Readonly<Record<string, Partial<ProcessView>>>): {
  client: Client;
  deadlines: number[];
} {
  const deadlines: number[] = [];
  const client = {
    connection: {
      withDeadline: (deadline: number, fn: () => Promise<unknown>) => {
        deadlines.push(deadline);
        return fn();
      },
    },
    workflow: {
      getHandle: (id: string) => ({
        query: async () => {
          const view = views[id];
          if (!view) throw new Error('workflow query timed out: no worker polls');
          return view;
        },
      }),
    },
  } as unknown as Client;
  return { client, deadlines };
}

describe("a process's children in its detail", () => {
  it("when one child machine's workflow answers and another does not, then the first shows its state and incident, the second is listed as the process knows it, and nothing fails", async () => {
    const incident = {
      label: 'Aktion fehlgeschlagen',
      action: 'submitFiling',
      step: 0,
      message: 'Meldestelle nicht erreichbar',
      since: SINCE,
    };
    const { client, deadlines } = clientAnswering({
      'filer-1/submission/1': {
        state: 'submitting',
        stateLabel: 'Wird eingereicht',
        status: 'active',
        incident,
        context: { secret: 'never shown' },
      },
    });
    const children = [
      child('submission', 'machine'),
      child('silent', 'machine'),
      child('register', 'activity'),
    ];
    const started = Date.now();
    const view = await withChildStates(client, { children } as unknown as ProcessView, 500);
    expect(view.children).toEqual([
      {
        ...children[0],
        state: 'submitting',
        stateLabel: 'Wird eingereicht',
        status: 'active',
        incident,
      },
      children[1],
      children[2],
    ]);
    // Each child machine is asked with a deadline of its own; an activity is not asked.
    expect(deadlines).toHaveLength(2);
    for (const deadline of deadlines) expect(deadline - started).toBeLessThanOrEqual(600);
  });

  it('when a process runs no child machine, then its view is answered as it is', async () => {
    const { client, deadlines } = clientAnswering({});
    const view = { children: [child('register', 'activity')] } as unknown as ProcessView;
    expect(await withChildStates(client, view)).toBe(view);
    expect(deadlines).toEqual([]);
  });
});
