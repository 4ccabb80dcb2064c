import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type {
  ContactChannel,
  ContactVerificationContext,
} from '../machines/contact-verification.schema.js';
import { viewQuery } from '../workflows/protocol.js';

/** The channel a practice confirmed, as its confirmation process holds it. */
interface ConfirmedChannel {
  readonly practiceName: string;
  readonly channel: ContactChannel;
}

/** Where the nightly overview of a practice may go: only a confirmed channel, else null. */
export interface ContactChannels {
  confirmedChannel(practiceId: string): Promise<ConfirmedChannel | null>;
}

/**
 * The confirmed channel of a practice, asked of its confirmation process itself (the source
 * of truth, not the read model): the channel in use, or null when none was ever confirmed.
 */
export function temporalContactChannels(client: Client): ContactChannels {
  return {
    async confirmedChannel(practiceId) {
      try {
        const view = await client.workflow
          .getHandle(`contactVerification-${practiceId}`)
          .query(viewQuery);
        const context = view.context as unknown as ContactVerificationContext;
        if (!context.inUse) return null;
        const { channel, address } = context.inUse;
        return {
          practiceName: context.practiceName,
          channel: channel === 'email' ? { channel, address } : { channel, address },
        };
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return null;
        throw error;
      }
    },
  };
}
