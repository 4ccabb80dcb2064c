import type { OrganisationProfiles } from '../config/organisations.js';
import type { GatewayConfig } from './channels/index.js';
import type { Channel, MailTransport } from './channels/types.js';

export type { MailAddress } from './channels/types.js';
import type { ContactChannels } from './contact-channels.js';
import type { Outbox } from './outbox.js';
import type { CredentialStore } from '../storage/credentials.js';
import type { DocumentStore } from '../storage/document-store.js';
import type { MtanNumberStore } from '../storage/mtan-numbers.js';
import type { TransportPinLetterStore } from '../storage/transport-pin-letters.js';

/** What the interpreter hands every activity besides its params. */
export interface ActionMeta {
  readonly workflowId: string;
  readonly processType: string;
  /** Step of the transition that produced the action. */
  readonly step: number;
  /**
   * `{workflowId}:{firstRunId}:{step}:{index}`: the same on every retry and every replay of
   * the action, different for a process started again under an ended one's id.
   */
  readonly idempotencyKey: string;
  /**
   * Workflow time of the transition that produced the action (ISO): deadlines a message
   * states count from it, as the process's own timers do, on every retry alike.
   */
  readonly at: string;
}

/** What the interpreter hands the activity of an invoked promise actor besides its input. */
export interface InvocationMeta {
  readonly workflowId: string;
  readonly processType: string;
  /** The actor's id in the machine (`invoke: { id }`): its events are `xstate.done.actor.<id>`. */
  readonly actorId: string;
  /** Step of the transition that invoked it. */
  readonly step: number;
  /**
   * `{workflowId}:{firstRunId}:{step}:{actorId}`: the same on every attempt and replay of this
   * invocation, different for the next invocation of the same actor.
   */
  readonly idempotencyKey: string;
  /** Workflow time of the transition that invoked it (ISO). */
  readonly at: string;
}

/** A sent email as the mail transport gets it (what tests that record mail look at). */
export type MailMessage = Parameters<MailTransport['sendMail']>[0];

interface ActivityConfig {
  /** Where people open links from emails, without a trailing slash (`https://portal.example`). */
  readonly publicBaseUrl: string;
  /**
   * Sender of what has no organisation of its own: SMS, fax and letters on their way to the
   * development mail catcher (`praxisflow <no-reply@portal.example>`). Emails go from their
   * organisation's address.
   */
  readonly mailFrom: string;
  /** Who writes for which process type; absent: the development profiles. */
  readonly organisations?: OrganisationProfiles;
  /** HMAC key of the code and token hashes, and pepper of the PIN hashes. */
  readonly codeSecret: string;
  /**
   * The delay overrides this deployment gives every machine (`PRAXISFLOW_DELAY_*`), in
   * milliseconds by delay name, so that emails state the right deadlines. Absent names: the
   * machine's defaults.
   */
  readonly delays?: Readonly<Record<string, number>>;
  /** Gateways of SMS, fax and letter; absent ones land in the mail catcher (development). */
  readonly gateways?: GatewayConfig;
}

export interface ActivityDeps {
  /** SMTP, and in development the way SMS, fax and letters reach the mail catcher. */
  readonly mailer: MailTransport;
  /** Every message is recorded here before it goes out, and marked once it went. */
  readonly outbox: Outbox;
  readonly config: ActivityConfig;
  /**
   * Where a practice's nightly overview may go; default: asked of its confirmation process
   * through the worker's client.
   */
  readonly contactChannels?: ContactChannels;
  /** The portal documents (their content is deleted when the retention period ends). */
  readonly documents?: Pick<DocumentStore, 'purge'>;
  /** Portal credentials (hashes only) that credentials letters issue and closing revokes. */
  readonly credentials?: Pick<CredentialStore, 'issue' | 'revoke'>;
  /** Mobile numbers confirmed for the mTAN procedure: registrations write, downloads read. */
  readonly mtanNumbers?: Pick<MtanNumberStore, 'confirm' | 'confirmedNumber'>;
  /** The sealed Transport-PIN letters of cards (version 2), kept until the Freischaltung. */
  readonly transportPinLetters?: Pick<TransportPinLetterStore, 'open' | 'destroy'>;
  /** Counts each handing-over of a message to its channel (for /metrics). */
  readonly onDelivery?: (channel: Channel, outcome: 'sent' | 'failed') => void;
}
