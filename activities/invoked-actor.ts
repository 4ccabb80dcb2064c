import { Context } from '@temporalio/activity';
import type { InvocationMeta } from './types.js';

/** Heartbeats this often within the heartbeat timeout, so that one late beat costs nothing. */
const BEATS_PER_TIMEOUT = 4;
/** Without a heartbeat timeout (none set), beat now and then all the same. */
const DEFAULT_BEAT_MS = 10_000;

/**
 * The activity of an invoked promise actor (`promiseActivity()` in a machine): `run` does the
 * work with the actor's input. While it runs the activity heartbeats, so that Temporal notices a
 * worker that died within the heartbeat timeout and retries elsewhere, and so that a cancel
 * reaches it: when the machine leaves the invoking state, `signal` aborts and the activity ends
 * as cancelled at once, whatever `run` still does. Its result goes to the machine as
 * `xstate.done.actor.<id>`; what it throws, once the retries are spent (at once for a
 * non-retryable `ApplicationFailure`), as `xstate.error.actor.<id>` with the failure's message
 * and type, never its stack.
 */
export function invokedActor<TInput, TOutput>(
  run: (input: TInput, meta: InvocationMeta, signal: AbortSignal) => Promise<TOutput>,
): (input: TInput, meta: InvocationMeta) => Promise<TOutput> {
  return async (input, meta) => {
    const context = Context.current();
    const timeout = context.info.heartbeatTimeoutMs;
    const every = timeout ? Math.max(50, timeout / BEATS_PER_TIMEOUT) : DEFAULT_BEAT_MS;
    context.heartbeat();
    const beat = setInterval(() => context.heartbeat(), every);
    try {
      return await Promise.race([run(input, meta, context.cancellationSignal), context.cancelled]);
    } finally {
      clearInterval(beat);
    }
  };
}
