import type { AnyStateMachine } from 'xstate';
import type { z } from 'zod';

/**
 * What the interpreter, the API and the OpenAPI document know about one version of one
 * process type. A new machine version is a new definition; running instances keep theirs.
 */
export interface ProcessDefinition {
  /** The process type: workflow type, URL segment and registry key (`invitation`). */
  readonly type: string;
  readonly version: number;
  /** German title operators see (`Einladung eines Benutzers`). */
  readonly title: string;
  readonly machine: AnyStateMachine;
  /** The `input` of `POST /api/v1/processes/{type}`. */
  readonly input: z.ZodType;
  /**
   * Events the outside world may send, by type, with their payload schema (without `type`).
   * Events a machine receives from its own activities are not listed: the API refuses them.
   */
  readonly events: Readonly<Record<string, z.ZodType>>;
  /**
   * Who may send which event: `client` (the practice's side, e.g. the portal), `operator` (the
   * back office, e.g. an approval) or `both`. Unlisted events are `client` events; an admin may
   * send every event. Keeps an applicant's key from approving its own application.
   */
  readonly eventSenders?: Readonly<Record<string, EventSender>>;
  /**
   * How processes of this type start when `POST /api/v1/processes/{type}` must not: another
   * route (a document delivery starts with the upload of its content) or another process (a
   * card starts only from its approved application). The generic start refuses every caller.
   * Absent: the generic start.
   */
  readonly startRoute?: string;
  /**
   * Parts of the input that identify the process for the business (`practiceId`, email).
   * The API turns them into a keyed hash, so the business key carries no personal data.
   * Absent: the API generates a business key unless the caller gives one.
   */
  readonly businessKeyParts?: (input: never) => readonly string[];
  /**
   * The input field that holds the business key as it is (an issued number such as the
   * Antragsnummer or the card number: readable, no personal data). With `issueBusinessKey`
   * praxisflow draws it when the process starts and a caller cannot choose it.
   */
  readonly businessKeyField?: string;
  /**
   * Draws a new business key for `businessKeyField`. `random` is uniform in [0, 1): a CSPRNG
   * in the API, Temporal's seeded generator when a process starts another one.
   */
  readonly issueBusinessKey?: (random: () => number, now: Date) => string;
  /** The practice a process belongs to, for scoping and search. */
  readonly practiceId?: (input: never) => string | undefined;
  /** Context keys never shown in a view (on top of the interpreter's secret-name rule). */
  readonly redact?: readonly string[];
}

/**
 * `praxisflow`: an event only praxisflow's own routes send, after they did their part (the
 * documents API checks an mTAN and hands out the token, streams the file); no key sends it
 * through the generic events route.
 */
export type EventSender = 'client' | 'operator' | 'both' | 'praxisflow';

/** Event meta the interpreter adds to every event it hands to a machine. */
export interface EventMeta {
  /** ISO time the interpreter took the event (workflow time, deterministic). */
  readonly receivedAt?: string;
  /** API key id, `timer` or `system`. */
  readonly actor?: string;
  /**
   * ISO time the API accepted an event nobody waits for (a signalled report). Earlier than
   * `receivedAt` when the worker is behind; absent for every other event.
   */
  readonly sentAt?: string;
}

/**
 * A machine may refuse an event after looking at it (a wrong code, say) by emitting this.
 * The state change it made (an attempt counted) stays; the caller gets the status and detail.
 */
export interface RejectionEmit {
  readonly type: 'rejected';
  readonly status: 409 | 422;
  readonly detail: string;
  readonly path?: string;
}

/**
 * The one named action the interpreter carries out itself: start another process as a child
 * workflow that outlives this one (a card from an approved application, a follow-up
 * application from a card). Its business key comes from the child's `businessKeyField` in
 * `input`, or is drawn with the child's `issueBusinessKey` and written there.
 */
export const START_PROCESS = 'startProcess';

export interface StartProcessParams {
  readonly type: string;
  readonly input: Readonly<Record<string, unknown>>;
  /**
   * Feed `{ type: reply, processId, businessKey }` back into this machine once the process
   * runs (a machine in a final state takes nothing more: leave it out there).
   */
  readonly reply?: string;
}

/**
 * The other named action the interpreter carries out itself: continue the workflow as new once
 * the current step and everything queued is done (a nightly overview after each night), so a
 * process that runs for years keeps a short history.
 */
export const CONTINUE_AS_NEW = 'continueAsNew';

/** What `startProcess` feeds back when its params name a `reply`. */
export interface ProcessStarted {
  readonly processId: string;
  readonly businessKey: string;
}

export const HOUR = 60 * 60 * 1000;
export const DAY = 24 * HOUR;

// zod types `z.object({})` as Record<string, never>, which no event with meta could satisfy.
type Payload<T> = string extends keyof T ? unknown : T;

/** The events a map of payload schemas describes: `{ type }` beside each parsed payload. */
export type EventsOf<S extends Readonly<Record<string, z.ZodType>>> = {
  [K in keyof S & string]: { type: K } & Payload<z.output<S[K]>>;
}[keyof S & string];
