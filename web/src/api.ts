/** The dashboard's only way to the API: the operator's key from session storage, JSON in and out. */

const KEY = 'praxisflow.apiKey';

export const storedKey = (): string | null => sessionStorage.getItem(KEY);
export const storeKey = (key: string): void => sessionStorage.setItem(KEY, key);
export const forgetKey = (): void => sessionStorage.removeItem(KEY);

export interface Problem {
  readonly status: number;
  readonly title?: string;
  readonly detail: string;
  readonly errors?: readonly { path: string; message: string }[];
  readonly allowedEvents?: readonly string[];
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail);
  }
}

/** Calls the API with the stored key; a problem answer becomes an ApiError. */
export async function api<T>(
  path: string,
  options: { method?: string; body?: unknown; key?: string } = {},
): Promise<T> {
  const key = options.key ?? storedKey();
  let response: Response;
  try {
    response = await fetch(`/api/v1${path}`, {
      method: options.method ?? 'GET',
      headers: {
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
  } catch {
    throw new ApiError({ status: 0, detail: 'Die API ist nicht erreichbar.' });
  }
  const text = await response.text();
  const body: unknown = text ? JSON.parse(text) : {};
  if (!response.ok) {
    const problem = body as Partial<Problem>;
    throw new ApiError({
      status: response.status,
      detail: problem.detail ?? response.statusText,
      ...(problem.title ? { title: problem.title } : {}),
      ...(problem.errors ? { errors: problem.errors } : {}),
      ...(problem.allowedEvents ? { allowedEvents: problem.allowedEvents } : {}),
    });
  }
  return body as T;
}

export interface Session {
  readonly keyId: string;
  readonly role: 'admin' | 'operator' | 'client';
  readonly namespace: string;
  readonly links: { readonly temporalUi?: string; readonly inbox?: string };
}

interface Timer {
  readonly name: string;
  readonly dueAt: string;
}

export interface ProcessView {
  readonly id: string;
  readonly type: string;
  readonly version: number;
  readonly businessKey: string;
  readonly practiceId: string | null;
  readonly state: string;
  readonly stateLabel: string;
  /** What the person at this step is told (the portal shows it). */
  readonly stateHint?: string;
  readonly status: 'active' | 'done' | 'failed' | 'cancelled';
  readonly allowedEvents: readonly string[];
  readonly timers: readonly Timer[];
  readonly context: Record<string, unknown>;
  readonly incident?: { readonly action: string; readonly message: string } | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** The service level of the state (only `GET /processes/{id}` has it). */
  readonly sla?: Sla | null;
}

/** What an event would do (`POST …/events/preview`): nothing written, nothing run. */
export interface EventPreview {
  readonly dryRun: true;
  readonly event: string;
  readonly from: { readonly state: string; readonly stateLabel: string };
  readonly to: {
    readonly state: string;
    readonly stateLabel: string;
    readonly status: ProcessView['status'];
    readonly allowedEvents: readonly string[];
    readonly timers: readonly Timer[];
  };
  readonly effects: readonly {
    readonly kind: 'activity' | 'startProcess';
    readonly name: string;
    readonly template?: string;
    readonly channel?: string;
  }[];
}

/** When a process is overdue in its state („überfällig“), and whether it is. */
export interface Sla {
  readonly dueAt: string;
  readonly overdue: boolean;
  readonly overdueSince: string | null;
}

export interface ProcessSummary {
  readonly id: string;
  readonly type: string;
  readonly businessKey: string;
  readonly practiceId: string | null;
  readonly state: string;
  readonly stateLabel: string;
  readonly status: string;
  readonly incident?: unknown;
  readonly nextDueAt: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Whom the process is about: „Erika Mustermann <erika@praxis.example>“. */
  readonly about: string | null;
  readonly sla: Sla | null;
}

export interface HistoryEntry {
  readonly step: number;
  readonly event: string;
  readonly actor: string;
  readonly from: string | null;
  readonly to: string;
  readonly toLabel: string;
  readonly at: string;
  readonly detail?: Record<string, unknown>;
}

export interface SentMessage {
  readonly step: number;
  readonly channel: string;
  readonly recipient: string;
  readonly subject: string;
  readonly status: string;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly createdAt: string;
  readonly sentAt: string | null;
}

export interface MachineSummary {
  readonly type: string;
  readonly version: number;
  readonly title: string;
}

export interface MachineDescription {
  readonly type: string;
  readonly version: number;
  readonly title: string;
  readonly initial: string;
  readonly states: readonly {
    readonly id: string;
    readonly label: string | null;
    readonly description: string | null;
    readonly final: boolean;
    readonly events: readonly string[];
    readonly timers: readonly string[];
  }[];
  readonly events: readonly string[];
  readonly timers: readonly {
    readonly name: string;
    readonly defaultMs: number | null;
    readonly states: readonly string[];
  }[];
  readonly transitions: readonly {
    readonly from: string;
    readonly to: string;
    readonly event: string;
    readonly timer: boolean;
    readonly guarded: boolean;
  }[];
}

export interface Overview {
  readonly counts: readonly {
    readonly type: string;
    readonly state: string;
    readonly stateLabel: string;
    readonly status: string;
    readonly count: number;
    readonly overdue: number;
  }[];
  readonly overdue: number;
  readonly dueWithin24h: number;
  readonly dueWithin7d: number;
  readonly incidents: number;
  readonly recent: readonly {
    readonly processId: string;
    readonly step: number;
    readonly event: string;
    readonly actor: string;
    readonly toLabel: string;
    readonly at: string;
    /** Whom the process is about, if known. */
    readonly about: string | null;
  }[];
}

/** What a bulk action does to each process it selects (`action` of `POST /bulk-actions`). */
export type BulkActionSpec =
  | { readonly kind: 'event'; readonly event: { readonly type: string } & Record<string, unknown> }
  | { readonly kind: 'cancel'; readonly reason: string }
  | { readonly kind: 'retry' }
  | { readonly kind: 'fireTimer'; readonly timer: string; readonly reason: string };

type BulkItemStatus = 'pending' | 'done' | 'refused' | 'failed' | 'skipped';

/** Why a process would refuse a bulk action, as the preview groups them. */
type RefusalCode = 'ended' | 'notAllowed' | 'invalidEvent' | 'noIncident' | 'noTimer';

/** What a bulk action would do (`POST /bulk-actions/preview`): nothing written, nothing sent. */
export interface BulkPreview {
  readonly matched: number;
  readonly willAct: number;
  readonly willRefuse: number;
  readonly refusals: readonly {
    readonly code: RefusalCode;
    readonly reason: string;
    readonly count: number;
    readonly sample: readonly string[];
  }[];
  readonly sample: readonly string[];
}

/** A bulk action and its progress. */
export interface BulkAction {
  readonly id: string;
  readonly status: 'running' | 'done' | 'cancelled';
  readonly action: BulkActionSpec;
  readonly filter: Readonly<Record<string, string>>;
  readonly actor: string;
  readonly ratePerSecond: number;
  readonly total: number;
  readonly counts: Readonly<Record<BulkItemStatus, number>>;
  readonly createdAt: string;
  readonly finishedAt: string | null;
}

/** One process of a bulk action and its result. */
export interface BulkItem {
  readonly position: number;
  readonly processId: string;
  readonly status: BulkItemStatus;
  readonly outcome: {
    readonly stateLabel?: string;
    readonly reason?: string;
    readonly code?: string;
  } | null;
  readonly finishedAt: string | null;
}

const cache = new Map<string, Promise<unknown>>();

/** Reads that do not change while the page is open (machines, the OpenAPI document), once. */
export function cached<T>(path: string): Promise<T> {
  let found = cache.get(path) as Promise<T> | undefined;
  if (!found) {
    found = api<T>(path);
    found.catch(() => cache.delete(path));
    cache.set(path, found);
  }
  return found;
}
