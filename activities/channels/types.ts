export interface MailAddress {
  readonly name: string;
  readonly address: string;
}

export type Channel = 'email' | 'sms' | 'fax' | 'letter';

/** A postal address as the letter's window shows it. */
interface LetterAddress {
  readonly name: string;
  readonly street: string;
  readonly postcode: string;
  readonly city: string;
}

/** One message, ready to go: what each channel needs, nothing more. */
export type Message =
  | {
      readonly channel: 'email';
      readonly to: MailAddress;
      /** The sending organisation; absent: the deployment's `MAIL_FROM`. */
      readonly from?: MailAddress;
      readonly subject: string;
      readonly text: string;
      readonly html: string;
      /** Documents that go with the email (the application PDF). */
      readonly attachments?: readonly {
        readonly filename: string;
        readonly content: Buffer;
        readonly contentType: string;
      }[];
    }
  | {
      readonly channel: 'sms';
      /** E.164, e.g. `+4915112345678`. */
      readonly to: string;
      /** What the operator sees in the outbox; never part of the SMS. */
      readonly subject: string;
      readonly text: string;
    }
  | {
      readonly channel: 'fax';
      readonly to: { readonly name: string; /** E.164 */ readonly number: string };
      readonly subject: string;
      readonly pdf: Buffer;
    }
  | {
      readonly channel: 'letter';
      readonly to: LetterAddress;
      readonly subject: string;
      readonly pdf: Buffer;
      /** How the post carries it; absent: a standard letter. */
      readonly service?: 'Einschreiben Einwurf';
    };

type MessageOf<C extends Channel> = Extract<Message, { channel: C }>;

/** What the gateway said: its own reference for the message, when it gives one. */
export interface Accepted {
  readonly reference?: string;
}

/** One channel's way out. Adding a channel is one file with one of these. */
export interface ChannelAdapter<C extends Channel> {
  /** Hands the message over; resolves once the gateway accepted it, throws otherwise. */
  send(message: MessageOf<C>, messageId: string): Promise<Accepted>;
}

/** A mail transport (nodemailer's fits). */
export interface MailTransport {
  sendMail(message: {
    from: string | MailAddress;
    to: MailAddress | string;
    subject: string;
    text: string;
    html?: string;
    messageId: string;
    headers: Record<string, string>;
    attachments?: { filename: string; content: Buffer; contentType: string }[];
  }): Promise<unknown>;
}
