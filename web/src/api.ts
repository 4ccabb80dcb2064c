/** The dashboard's only way to the API: the operator's key from session storage, JSON in and out. */
import type { components, paths } from '../../clients/typescript/src/generated/api-types.js';

const KEY = 'praxisflow.apiKey';

export const storedKey = (): string | null => sessionStorage.getItem(KEY);
export const storeKey = (key: string): void => sessionStorage.setItem(KEY, key);
export const forgetKey = (): void => sessionStorage.removeItem(KEY);

export interface Problem {
  readonly status: number;
  readonly title?: string;
  readonly detail: string;
  readonly errors?: readonly Schemas['FieldError'][];
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
    const problem = body as Partial<Schemas['Problem']>;
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

// The API's answers, as its OpenAPI document describes them (the typed client's generated
// api-types.ts, written by `npm run client-types`): when the API changes shape, the
// dashboard's typecheck fails.

type Schemas = components['schemas'];

/** What a GET answers with 200, for the answers that have no schema of their own. */
type Answer<Path extends keyof paths> = paths[Path] extends {
  readonly get: { readonly responses: { readonly 200: { readonly content: infer Content } } };
}
  ? Content extends { readonly 'application/json': infer Body }
    ? Body
    : never
  : never;

export type Session = Schemas['Session'];
export type ProcessView = Schemas['ProcessView'];
/** One process event of the live stream (`GET /events/stream`), as a webhook receives it. */
export type ProcessEvent = Schemas['ProcessEvent'];
/** What an event would do (`POST …/events/preview`): nothing written, nothing run. */
export type EventPreview = Schemas['EventPreview'];
/** When a process is overdue in its state („überfällig“), and whether it is. */
export type Sla = Schemas['Sla'];
export type ProcessList = Schemas['ProcessList'];
export type History = Schemas['History'];
export type ProcessMessages = Schemas['ProcessMessages'];
export type MachineList = Schemas['MachineList'];
export type MachineDescription = Schemas['MachineDescription'];
export type Overview = Schemas['Overview'];
/** What a bulk action does to each process it selects (`action` of `POST /bulk-actions`). */
export type BulkActionSpec = Schemas['BulkActionSpec'];
/** What a bulk action would do (`POST /bulk-actions/preview`): nothing written, nothing sent. */
export type BulkPreview = Schemas['BulkActionPreview'];
/** A bulk action and its progress. */
export type BulkAction = Schemas['BulkAction'];
export type BulkActionList = Answer<'/api/v1/bulk-actions'>;
/** One process of a bulk action and its result. */
export type BulkItem = Schemas['BulkActionItem'];
export type BulkItemPage = Answer<'/api/v1/bulk-actions/{id}/items'>;
/** Which versions of a process type run, and how many processes on each. */
export type TypeVersions = Answer<'/api/v1/process-types/{type}/versions'>;

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
