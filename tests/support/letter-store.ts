import { randomBytes } from 'node:crypto';
import type { TransportPinLetterContent } from '../../machines/card-v2.schema.js';
import type { TransportPinLetterStore } from '../../storage/transport-pin-letters.js';

/**
 * Transport-PIN letters in memory for workflow tests, with the store's rule: a destroyed letter
 * opens as nothing, for good. `destroyed` tells which letters are gone.
 */
export function memoryLetterStore(): TransportPinLetterStore & {
  readonly destroyed: ReadonlySet<string>;
} {
  const letters = new Map<string, TransportPinLetterContent>();
  const destroyed = new Set<string>();
  return {
    destroyed,
    async seal(_processId, content) {
      const id = `TP-${randomBytes(16).toString('base64url')}`;
      letters.set(id, structuredClone(content));
      return id;
    },
    async open(letterId) {
      return letters.get(letterId);
    },
    async destroy(letterId) {
      letters.delete(letterId);
      destroyed.add(letterId);
    },
  };
}
