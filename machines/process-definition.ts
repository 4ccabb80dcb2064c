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
   * Parts of the input that identify the process for the business (`practiceId`, email).
   * The API turns them into a keyed hash, so the business key carries no personal data.
   * Absent: the API generates a business key unless the caller gives one.
   */
  readonly businessKeyParts?: (input: never) => readonly string[];
  /** The practice a process belongs to, for scoping and search. */
  readonly practiceId?: (input: never) => string | undefined;
  /** Context keys never shown in a view (on top of the interpreter's secret-name rule). */
  readonly redact?: readonly string[];
}

export type EventSender = 'client' | 'operator' | 'both';

/** Event meta the interpreter adds to every event it hands to a machine. */
export interface EventMeta {
  /** ISO time the interpreter took the event (workflow time, deterministic). */
  readonly receivedAt?: string;
  /** API key id, `timer` or `system`. */
  readonly actor?: string;
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

export const HOUR = 60 * 60 * 1000;
