/**
 * A small client for the mail catcher (maildev) that `npm test` starts, through its REST API
 * at MAILCATCHER_API_URL. Tests run in parallel against one catcher: give every test its own
 * recipient addresses and wait for the message by recipient (and subject), not for "the
 * latest mail".
 *
 *   const mail = await waitForMessage({ to: 'praxis-4711@example.de', subject: /Einladung/ });
 *   expect(mail.text).toContain('Ihr Code');
 */

interface MailAttachment {
  filename: string;
  contentType: string;
  size: number;
  /** Set for inline parts referenced from the HTML as cid:… */
  contentId?: string;
  content: Buffer;
}

export interface Message {
  id: string;
  subject: string;
  /** Sender address, e.g. "noreply@praxisflow.localhost" (display name: headers.from). */
  from: string;
  /** Recipient addresses of the To header. */
  to: string[];
  cc: string[];
  /** All envelope recipients (To, Cc and Bcc). */
  recipients: string[];
  date: Date;
  /** Empty when the mail has no text part. */
  text: string;
  /** Empty when the mail has no HTML part. */
  html: string;
  /** Lower-case header names, as parsed (repeated headers: arrays). */
  headers: Record<string, string | string[]>;
  attachments: MailAttachment[];
}

/** A message without body and attachment content, as `listMessages()` returns it. */
type MessageSummary = Omit<Message, 'text' | 'html' | 'attachments'>;

export interface WaitOptions {
  /** A recipient address (To, Cc or Bcc), compared case-insensitively. */
  to: string;
  subject?: RegExp;
  /** Default 10 000. */
  timeoutMs?: number;
}

// The parts of maildev's JSON (GET /email) that we read.
interface MaildevAddress {
  address: string;
  name?: string;
}
interface MaildevEmail {
  id: string;
  subject?: string;
  from?: MaildevAddress[];
  to?: MaildevAddress[];
  cc?: MaildevAddress[];
  envelope?: { to?: MaildevAddress[] };
  date?: string;
  time?: string;
  text?: string;
  html?: string;
  headers?: Record<string, string | string[]>;
  attachments?: Array<{
    fileName?: string;
    generatedFileName: string;
    contentType?: string;
    length?: number;
    contentId?: string;
    contentDisposition?: string;
  }>;
}

function apiUrl(): string {
  const url = process.env.MAILCATCHER_API_URL;
  if (!url) {
    throw new Error(
      'MAILCATCHER_API_URL is not set: run the tests through `npm test` (it starts a mail catcher), ' +
        'or point it at a running maildev, e.g. MAILCATCHER_API_URL=http://127.0.0.1:1080',
    );
  }
  return url.replace(/\/+$/, '');
}

async function request(path: string, init?: RequestInit): Promise<Response> {
  const url = `${apiUrl()}${path}`;
  const response = await fetch(url, init);
  if (!response.ok) {
    throw new Error(`mail catcher: ${init?.method ?? 'GET'} ${url} answered ${response.status}`);
  }
  return response;
}

const addresses = (list: MaildevAddress[] | undefined) =>
  (list ?? []).map((a) => a.address.toLowerCase());

function summarize(email: MaildevEmail): MessageSummary {
  const to = addresses(email.to);
  const cc = addresses(email.cc);
  return {
    id: email.id,
    subject: email.subject ?? '',
    from: addresses(email.from)[0] ?? '',
    to,
    cc,
    recipients: [...new Set([...to, ...cc, ...addresses(email.envelope?.to)])],
    date: new Date(email.date ?? email.time ?? 0),
    headers: email.headers ?? {},
  };
}

async function complete(email: MaildevEmail): Promise<Message> {
  const attachments = await Promise.all(
    (email.attachments ?? []).map(async (a): Promise<MailAttachment> => {
      const path = `/email/${encodeURIComponent(email.id)}/attachment/${encodeURIComponent(a.generatedFileName)}`;
      const content = Buffer.from(await (await request(path)).arrayBuffer());
      return {
        filename: a.fileName ?? a.generatedFileName,
        contentType: a.contentType ?? 'application/octet-stream',
        size: a.length ?? content.length,
        ...(a.contentId && a.contentDisposition === 'inline' ? { contentId: a.contentId } : {}),
        content,
      };
    }),
  );
  return { ...summarize(email), text: email.text ?? '', html: email.html ?? '', attachments };
}

async function allEmails(): Promise<MaildevEmail[]> {
  return (await (await request('/email')).json()) as MaildevEmail[];
}

/**
 * Polls until a message to `to` (and matching `subject`) has arrived; returns the newest such
 * message with its bodies and attachments. Fails after `timeoutMs` listing what did arrive.
 */
export async function waitForMessage(options: WaitOptions): Promise<Message> {
  const to = options.to.toLowerCase();
  const timeoutMs = options.timeoutMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
  const matches = (email: MaildevEmail) => {
    const summary = summarize(email);
    return (
      summary.recipients.includes(to) && (!options.subject || options.subject.test(summary.subject))
    );
  };
  for (;;) {
    const emails = await allEmails();
    const found = emails.filter(matches).at(-1);
    if (found) return complete(found);
    if (Date.now() > deadline) {
      const seen = emails.map(
        (e) => `  - to ${summarize(e).recipients.join(', ')}: "${e.subject ?? ''}"`,
      );
      throw new Error(
        `no mail to ${options.to}${options.subject ? ` with subject ${options.subject}` : ''} ` +
          `within ${timeoutMs} ms; the catcher holds ${emails.length}:\n${seen.join('\n')}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Every message the catcher holds for this recipient (To, Cc or Bcc), oldest first, whole. */
export async function messagesTo(address: string): Promise<Message[]> {
  const to = address.toLowerCase();
  const emails = (await allEmails()).filter((email) => summarize(email).recipients.includes(to));
  return Promise.all(emails.map(complete));
}
