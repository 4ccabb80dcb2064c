import type { AddressInfo } from 'node:net';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';

export interface HangingRelay {
  readonly url: string;
  /** Resolves with the recipient when the first message has reached the mail catcher. */
  readonly forwarded: Promise<string>;
  /** From now on, answer every message as a relay normally does. */
  passThrough(): void;
  close(): Promise<void>;
}

/**
 * An SMTP relay in front of the mail catcher that forwards the first message and then never
 * answers its sender: the message is out, but the sender cannot know. That is the moment a
 * worker killed between send and mark leaves behind.
 */
export async function hangingRelay(catcherSmtpUrl: string): Promise<HangingRelay> {
  const onward = nodemailer.createTransport(catcherSmtpUrl);
  let hang = true;
  let reportForwarded: (recipient: string) => void = () => undefined;
  const forwarded = new Promise<string>((resolve) => {
    reportForwarded = resolve;
  });
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const recipients = session.envelope.rcptTo.map((rcpt) => rcpt.address);
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        void onward
          .sendMail({ envelope: { from, to: recipients }, raw: Buffer.concat(chunks) })
          .then(
            () => {
              if (hang) {
                hang = false;
                reportForwarded(recipients[0] ?? '');
                return; // never call back: the sender waits until it dies
              }
              callback();
            },
            (error: Error) => callback(error),
          );
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    forwarded,
    passThrough: () => {
      hang = false;
    },
    async close() {
      onward.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * A plain relay to the mail catcher on a given port, started when the test says: before that
 * the port refuses connections, as an SMTP server that is down does.
 */
export async function relayOnPort(
  catcherSmtpUrl: string,
  port: number,
): Promise<{ close(): Promise<void> }> {
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
        onward
          .sendMail({ envelope: { from, to }, raw: Buffer.concat(chunks) })
          .then(() => callback(), callback);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    async close() {
      onward.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
