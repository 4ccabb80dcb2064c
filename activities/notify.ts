import { maskPhone } from '../machines/contact.schema.js';
import { createChannels, type Channels, type Message } from './channels/index.js';
import { messageIdFor } from './mailer.js';
import { profileOf } from './organisations.js';
import { frameEmail } from './templates/layout.js';
import type { ActionMeta, ActivityDeps } from './types.js';

function recipientOf(message: Message): string {
  switch (message.channel) {
    case 'email':
      return message.to.address;
    case 'sms':
      return maskPhone(message.to);
    case 'fax':
      return `${message.to.name}, Fax ${maskPhone(message.to.number)}`;
    case 'letter':
      return `${message.to.name}, ${message.to.postcode} ${message.to.city}`;
  }
}

function send(channels: Channels, message: Message, messageId: string) {
  switch (message.channel) {
    case 'email':
      return channels.email.send(message, messageId);
    case 'sms':
      return channels.sms.send(message, messageId);
    case 'fax':
      return channels.fax.send(message, messageId);
    case 'letter':
      return channels.letter.send(message, messageId);
  }
}

/**
 * An email as the process's organisation sends it: from its address, the body in its frame
 * (signature, support contact, legal footer). Other channels carry their sender in the document.
 */
function asOrganisation(message: Message, deps: ActivityDeps, processType: string): Message {
  if (message.channel !== 'email') return message;
  const profile = profileOf(deps.config.organisations, processType);
  return { ...message, ...frameEmail(message, profile), from: profile.sender };
}

/** The one way out for every message of every process: outbox first, then the channel. */
export function createNotifier(deps: ActivityDeps) {
  const channels = createChannels(deps.mailer, deps.config.mailFrom, deps.config.gateways);
  return {
    /**
     * Sends a message exactly once per action in the normal case: the outbox row goes in
     * before the gateway is asked and is marked after. A retry of an action whose message was
     * accepted sends nothing; a retry after a crash between the send and the mark sends again
     * with the same Message-ID, which the receiving side can drop. `part` numbers the messages
     * of an action that sends more than one. An `internal` message (to the back office) goes
     * from praxisflow's own sender, without an organisation's frame.
     */
    async deliver(
      draft: Message,
      meta: ActionMeta,
      part?: number,
      options: { readonly internal?: boolean } = {},
    ): Promise<void> {
      const message = options.internal ? draft : asOrganisation(draft, deps, meta.processType);
      const idempotencyKey =
        part === undefined ? meta.idempotencyKey : `${meta.idempotencyKey}:${part}`;
      const messageId = messageIdFor(idempotencyKey);
      const state = await deps.outbox.begin({
        idempotencyKey,
        processId: meta.workflowId,
        step: meta.step,
        channel: message.channel,
        recipient: recipientOf(message),
        subject: message.subject,
        messageId,
      });
      if (state === 'sent') return;
      let reference: string | undefined;
      try {
        reference = (await send(channels, message, messageId)).reference;
      } catch (error) {
        deps.onDelivery?.(message.channel, 'failed');
        await deps.outbox
          .markFailed(idempotencyKey, error instanceof Error ? error.message : String(error))
          .catch(() => undefined);
        throw error;
      }
      deps.onDelivery?.(message.channel, 'sent');
      await deps.outbox.markSent(idempotencyKey, reference);
    },
  };
}

export type Notifier = ReturnType<typeof createNotifier>;
