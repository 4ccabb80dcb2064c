/**
 * Cleanup when a signal ends the process. Node dies of SIGINT without running `exit` handlers,
 * and our servers run in process groups of their own, out of reach of the terminal's Ctrl-C:
 * whatever starts processes registers its cleanup here. A script that listens for the signal
 * itself shuts down in its own way (`npm start`, `npm test` stop their services in order), and
 * then nothing happens here; otherwise each cleanup runs and the process exits as the signal
 * would have made it.
 */
import { constants } from 'node:os';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const cleanups = new Set<(signal: NodeJS.Signals) => void>();

function dispatch(signal: NodeJS.Signals): void {
  // This dispatcher is one listener; any other one belongs to the script, which then decides.
  if (process.listenerCount(signal) > 1) return;
  for (const cleanup of [...cleanups]) cleanup(signal);
  process.exit(128 + constants.signals[signal]);
}

/**
 * Runs `cleanup` (synchronous: the process exits right after) when SIGINT, SIGTERM or SIGHUP
 * would end the process. Returns the function that unregisters it.
 */
export function onInterrupt(cleanup: (signal: NodeJS.Signals) => void): () => void {
  if (cleanups.size === 0) for (const signal of SIGNALS) process.on(signal, dispatch);
  cleanups.add(cleanup);
  return () => {
    cleanups.delete(cleanup);
    if (cleanups.size === 0) for (const signal of SIGNALS) process.removeListener(signal, dispatch);
  };
}
