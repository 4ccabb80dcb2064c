/**
 * Service levels: how long a process should stay in a state at most before operators see it as
 * „überfällig“. A target is the back office's promise, not the process's behaviour: it moves no
 * state, sets no timer and is not part of any machine version, so it can change per deployment
 * (`PRAXISFLOW_SLA`) without touching running processes' histories.
 */

/** Working days are Monday to Friday without the public holidays of the configured Land. */
export type SlaTarget = { readonly workingDays: number } | { readonly hours: number };

/** Targets by process type and leaf state path (as the view's `state` shows it). */
export type SlaTable = Readonly<Record<string, Readonly<Record<string, SlaTarget>>>>;

/**
 * The defaults, from the process descriptions: an invitation waits for the operator's approval
 * („Beantragt“) 2 working days (PROCESSES.md: "an approval SLA, default 2 working days"); the
 * card issuer checks received application papers („Eingang Antragsunterlagen“) within 10
 * working days. Every version of a type shares its targets (the states keep their paths).
 */
export const DEFAULT_SLAS: SlaTable = {
  invitation: { requested: { workingDays: 2 } },
  ehbaApplication: { documentsReceived: { workingDays: 10 } },
};
