import type { AddressInfo } from 'node:net';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';

/**
 * An SMTP server that forwards every message to the mail catcher, then lets `answer` decide
 * whether and how the sender hears back.
 */
async function forwardingRelay(
  catcherSmtpUrl: string,
  port: number,
  answer: (reply: (error?: Error) => void, recipients: string[]) => void,
) {
  const onward = nodemailer.createTransport(catcherSmtpUrl);
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const to = session.envelope.rcptTo.map((rcpt) => rcpt.address);
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        onward.sendMail({ envelope: { from, to }, raw: Buffer.concat(chunks) }).then(
          () => answer(callback, to),
          (error: Error) => callback(error),
        );
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    async close() {
      onward.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface HangingRelay {
  readonly url: string;
  /** Resolves with the recipient when the first message has reached the mail catcher. */
  readonly forwarded: Promise<string>;
  /** From now on, answer every message as a relay normally does. */
  passThrough(): void;
  close(): Promise<void>;
}

/**
 * A relay that forwards the first message and then never answers its sender: the message is
 * out, but the sender cannot know. That is the moment a worker killed between send and mark
 * leaves behind.
 */
export async function hangingRelay(catcherSmtpUrl: string): Promise<HangingRelay> {
  let hang = true;
  let reportForwarded: (recipient: string) => void = () => undefined;
  const forwarded = new Promise<string>((resolve) => {
    reportForwarded = resolve;
  });
  const relay = await forwardingRelay(catcherSmtpUrl, 0, (reply, recipients) => {
    if (!hang) return reply();
    hang = false;
    reportForwarded(recipients[0] ?? ''); // and never reply: the sender waits until it dies
  });
  return {
    ...relay,
    forwarded,
    passThrough: () => {
      hang = false;
    },
  };
}

/**
 * A plain relay on a given port, started when the test says: before that the port refuses
 * connections, as an SMTP server that is down does.
 */
export const relayOnPort = (catcherSmtpUrl: string, port: number) =>
  forwardingRelay(catcherSmtpUrl, port, (reply) => reply());
