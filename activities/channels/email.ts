import type { ChannelAdapter, MailTransport } from './types.js';

/** Email through the SMTP relay (`SMTP_URL`). */
export const emailChannel = (mailer: MailTransport, from: string): ChannelAdapter<'email'> => ({
  async send(message, messageId) {
    const info = (await mailer.sendMail({
      from: message.from ?? from,
      to: message.to,
      subject: message.subject,
      text: message.text,
      html: message.html,
      messageId,
      headers: { 'Auto-Submitted': 'auto-generated' },
      ...(message.attachments ? { attachments: [...message.attachments] } : {}),
    })) as { messageId?: string } | undefined;
    return info?.messageId ? { reference: info.messageId } : {};
  },
});
