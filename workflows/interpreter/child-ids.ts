/**
 * How a child machine's workflow is named, shared by the workflow that starts it
 * (`child-machines.ts`, `invoked-actors.ts`) and the view the API gives of a process's start
 * (`starting-view.ts`), which must name the same workflow without running it.
 */

/**
 * The name of a start within its step: the first child machine a step starts is `7`, a second
 * one in the same step (a state entered again stops its child and starts another under the same
 * id, whose workflow id must differ while the first winds down) `7.1`, and so on.
 */
export const startInStep = (step: number, count: number): string =>
  count === 0 ? String(step) : `${step}.${count}`;

/** A child machine's workflow id: `{process id}/{invoke id}/{start}`. */
export const childWorkflowId = (parentId: string, actorId: string, start: string): string =>
  `${parentId}/${actorId}/${start}`;
