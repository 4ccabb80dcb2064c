import type { MailTransport } from '../../activities/channels/types.js';

/** An email as a test reads it: one recipient address, the bodies, the attachments. */
export interface RecordedMail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly attachments: readonly { readonly filename: string; readonly content: Buffer }[];
}

const addressOf = (to: Parameters<MailTransport['sendMail']>[0]['to']): string =>
  typeof to === 'string' ? to : to.address;

/** A mail transport that keeps what would leave by SMTP, for workflow tests. */
export function recordingMailer(): { mailer: MailTransport; sent: RecordedMail[] } {
  const sent: RecordedMail[] = [];
  return {
    sent,
    mailer: {
      async sendMail(message) {
        sent.push({
          to: addressOf(message.to),
          subject: message.subject,
          text: message.text,
          html: message.html ?? '',
          attachments: (message.attachments ?? []).map(({ filename, content }) => ({
            filename,
            content,
          })),
        });
        return { messageId: 'recorded' };
      },
    },
  };
}

/** The activity config of the workflow tests. */
export const TEST_ACTIVITY_CONFIG = {
  publicBaseUrl: 'https://portal.example',
  mailFrom: 'praxisflow <no-reply@example.org>',
  codeSecret: 'test-secret-test-secret-test-secret',
} as const;
