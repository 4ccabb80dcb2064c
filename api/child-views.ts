import type { Client } from '@temporalio/client';
import { viewQuery, type ChildView, type ProcessView } from '../workflows/protocol.js';

/** A child machine as the process's detail shows it: where it stands, and its incident. */
type ChildWithState = ChildView &
  Partial<Pick<ProcessView, 'state' | 'stateLabel' | 'status' | 'incident'>>;

/**
 * How long a child machine's own view may take: the process's page waits for its children, so
 * a child that does not answer (its workers restart) must not hold it up for long.
 */
const CHILD_VIEW_MS = 3_000;

/**
 * The view with each child machine's own state, label, status and incident, asked of its
 * workflow with the same `view` query a process answers (a child runs the same interpreter):
 * an operator sees where the child stands and an action of the child that waits for a retry.
 * A child that does not answer in time is listed as the process knows it, without them; a
 * promise actor has no view of its own.
 */
export async function withChildStates(
  client: Client,
  view: ProcessView,
  ms = CHILD_VIEW_MS,
): Promise<ProcessView> {
  // A worker from before `children` answers none.
  const children = view.children ?? [];
  if (!children.some((child) => child.workflowId)) return view;
  return { ...view, children: await Promise.all(children.map((c) => stateOf(client, c, ms))) };
}

async function stateOf(client: Client, child: ChildView, ms: number): Promise<ChildWithState> {
  if (!child.workflowId) return child;
  const handle = client.workflow.getHandle(child.workflowId);
  try {
    const own = await client.connection.withDeadline(Date.now() + ms, () =>
      handle.query(viewQuery),
    );
    return {
      ...child,
      state: own.state,
      stateLabel: own.stateLabel,
      status: own.status,
      incident: own.incident,
    };
  } catch {
    return child;
  }
}
