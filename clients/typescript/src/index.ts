import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './generated/api-types.js';

/**
 * A typed client of the praxisflow API: `openapi-fetch` over the types generated from the
 * API's OpenAPI document (`npm run client-types`), with the API key as bearer token and an
 * `Idempotency-Key` on every POST, so that a POST whose answer was lost can be sent again
 * without being done twice.
 */

export type { components, paths };

export interface PraxisflowClientOptions {
  /** Where the API is: `https://praxisflow.example` (the paths begin with `/api/v1`). */
  readonly baseUrl: string;
  /** An API key of the deployment (`npm run keys`). */
  readonly apiKey: string;
  /**
   * How often a POST is sent again when the network lost it or its answer (default 2), each
   * time with the same `Idempotency-Key`: the API answers a retry with the first answer.
   */
  readonly networkRetries?: number;
  /** The first wait before a retry, doubled each time (default 250 ms). */
  readonly retryDelayMs?: number;
  /** The `fetch` to call (default the global one). */
  readonly fetch?: (request: Request) => Promise<Response>;
}

export type PraxisflowClient = Client<paths>;

const IDEMPOTENCY_KEY = 'Idempotency-Key';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A network failure: `fetch` throws a TypeError (an abort is a DOMException: not retried). */
const isNetworkError = (error: unknown): boolean => error instanceof TypeError;

/**
 * `createPraxisflowClient({ baseUrl, apiKey })`: every call typed by path and method.
 * A POST gets a fresh `Idempotency-Key` unless the call gives one
 * (`params: { header: { 'Idempotency-Key': … } }`); a POST that fails with a network error is
 * sent again with that same key.
 */
export function createPraxisflowClient(options: PraxisflowClientOptions): PraxisflowClient {
  const send = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  const retries = options.networkRetries ?? 2;
  const firstDelayMs = options.retryDelayMs ?? 250;

  async function fetchWithKey(request: Request): Promise<Response> {
    if (request.method !== 'POST') return send(request);
    const keyed = new Request(request);
    if (!keyed.headers.has(IDEMPOTENCY_KEY))
      keyed.headers.set(IDEMPOTENCY_KEY, crypto.randomUUID());
    for (let attempt = 0; ; attempt++) {
      try {
        // A copy each time: the body of a request that went out is spent.
        return await send(keyed.clone());
      } catch (error) {
        if (attempt >= retries || !isNetworkError(error)) throw error;
        await sleep(firstDelayMs * 2 ** attempt);
      }
    }
  }

  return createClient<paths>({
    baseUrl: options.baseUrl,
    headers: { Authorization: `Bearer ${options.apiKey}` },
    fetch: fetchWithKey,
  });
}
