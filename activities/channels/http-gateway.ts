import type { Accepted } from './types.js';

export interface HttpGatewayConfig {
  readonly url: string;
  /** Sent as `Authorization: Bearer …`. */
  readonly token?: string;
  readonly timeoutMs?: number;
}

/**
 * POSTs JSON to a gateway (SMS, letter shop) and takes its answer's `id` as the reference.
 * The Message-ID goes along as `Idempotency-Key`, so a gateway that knows it drops the copy.
 * Anything but 2xx throws: the activity retries with backoff.
 */
export async function postToGateway(
  config: HttpGatewayConfig,
  body: Record<string, unknown>,
  messageId: string,
): Promise<Accepted> {
  const response = await fetch(config.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'idempotency-key': messageId,
      ...(config.token ? { authorization: `Bearer ${config.token}` } : {}),
    },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(config.timeoutMs ?? 30_000),
  });
  const text = await response.text();
  if (!response.ok) {
    throw new Error(
      `gateway ${new URL(config.url).host} answered ${response.status}: ${text.slice(0, 200)}`,
    );
  }
  try {
    const id = (JSON.parse(text) as { id?: unknown }).id;
    return typeof id === 'string' || typeof id === 'number' ? { reference: String(id) } : {};
  } catch {
    return {};
  }
}
