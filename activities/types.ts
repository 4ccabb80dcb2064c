/** What the interpreter hands every activity besides its params. */
export interface ActionMeta {
  readonly workflowId: string;
  readonly processType: string;
  /** Step of the transition that produced the action. */
  readonly step: number;
  /** Deterministic per action: the same on every retry and every replay. */
  readonly idempotencyKey: string;
}

export interface MailAddress {
  readonly name: string;
  readonly address: string;
}

export interface MailMessage {
  readonly from: string;
  readonly to: MailAddress;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly messageId: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** A nodemailer Transporter fits; tests pass a fake that records the messages. */
interface Mailer {
  sendMail(message: MailMessage): Promise<unknown>;
}

interface ActivityConfig {
  /** Where people open links from emails, without a trailing slash (`https://portal.example`). */
  readonly publicBaseUrl: string;
  /** `From` of every email (`Praxisportal <no-reply@portal.example>`). */
  readonly mailFrom: string;
  /** HMAC key of the code and token hashes, and pepper of the PIN hashes. */
  readonly codeSecret: string;
  /**
   * The delay overrides this deployment gives every machine (`PRAXISFLOW_DELAY_*`), in
   * milliseconds by delay name, so that emails state the right deadlines. Absent names: the
   * machine's defaults.
   */
  readonly delays?: Readonly<Record<string, number>>;
}

export interface ActivityDeps {
  readonly mailer: Mailer;
  readonly config: ActivityConfig;
  /** Epoch milliseconds; tests fix it. */
  readonly clock?: () => number;
}
