/**
 * Watches the mail catcher (maildev's REST API) through the run: fetches only what arrived
 * since the last look (`?skip=`), and notes when each message was first seen.
 */

export interface CaughtMail {
  readonly recipients: readonly string[];
  readonly subject: string;
  readonly messageId: string;
  readonly text: string;
  /** Seconds since the run began when the watcher first saw it. */
  readonly seenAt: number;
}

interface MaildevEmail {
  subject?: string;
  to?: Array<{ address: string }>;
  envelope?: { to?: Array<{ address: string }> };
  headers?: Record<string, string | string[]>;
  text?: string;
}

export class MailWatcher {
  readonly all: CaughtMail[] = [];
  private readonly byRecipient = new Map<string, CaughtMail[]>();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;

  constructor(
    private readonly apiUrl: string,
    private readonly clock: () => number,
  ) {}

  /** Messages to this address so far, oldest first. */
  to(address: string): readonly CaughtMail[] {
    return this.byRecipient.get(address.toLowerCase()) ?? [];
  }

  start(everyMs = 1000): void {
    this.timer = setInterval(() => {
      // The catcher itself is not under fault; the next look retries.
      if (!this.polling) this.poll().catch(() => undefined);
    }, everyMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.poll();
  }

  /**
   * Fetches what arrived since the last look. Looks never overlap: two at once would both skip
   * the same count, read the same messages twice and then skip as many new ones.
   */
  poll(): Promise<void> {
    const previous = this.polling ?? Promise.resolve();
    const next = previous.then(() => this.fetchNew());
    const settled = next
      .catch(() => undefined)
      .finally(() => {
        if (this.polling === settled) this.polling = undefined;
      });
    this.polling = settled;
    return next;
  }

  private async fetchNew(): Promise<void> {
    const response = await fetch(`${this.apiUrl}/email?skip=${this.all.length}`);
    if (!response.ok) throw new Error(`mail catcher answered ${response.status}`);
    const emails = (await response.json()) as MaildevEmail[];
    const seenAt = this.clock();
    for (const email of emails) {
      const id = email.headers?.['message-id'];
      const recipients = [
        ...new Set(
          [...(email.to ?? []), ...(email.envelope?.to ?? [])].map((a) => a.address.toLowerCase()),
        ),
      ];
      const mail: CaughtMail = {
        recipients,
        subject: email.subject ?? '',
        messageId: (Array.isArray(id) ? id[0] : id) ?? '',
        text: email.text ?? '',
        seenAt,
      };
      this.all.push(mail);
      for (const recipient of recipients) {
        const list = this.byRecipient.get(recipient) ?? [];
        list.push(mail);
        this.byRecipient.set(recipient, list);
      }
    }
  }
}
