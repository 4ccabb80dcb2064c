import type { Outbox, OutboxEntry } from '../../activities/outbox.js';

export interface RecordedEntry extends OutboxEntry {
  status: 'sending' | 'sent' | 'failed';
  attempts: number;
}

/**
 * An outbox in memory for unit and workflow tests, with the same idempotency rule as the
 * Postgres one: a key once sent is never sent again.
 */
export function memoryOutbox(): Outbox & { readonly entries: Map<string, RecordedEntry> } {
  const entries = new Map<string, RecordedEntry>();
  return {
    entries,
    async begin(entry) {
      const known = entries.get(entry.idempotencyKey);
      if (known?.status === 'sent') {
        known.attempts += 1;
        return 'sent';
      }
      entries.set(entry.idempotencyKey, {
        ...entry,
        status: 'sending',
        attempts: (known?.attempts ?? 0) + 1,
      });
      return 'send';
    },
    async markSent(key) {
      const known = entries.get(key);
      if (known) known.status = 'sent';
    },
    async markFailed(key) {
      const known = entries.get(key);
      if (known && known.status !== 'sent') known.status = 'failed';
    },
  };
}
