import { postToGateway, type HttpGatewayConfig } from './http-gateway.js';
import type { ChannelAdapter, MailTransport } from './types.js';

/**
 * Letters through a letter shop's HTTP API (print, envelope, post): the print-ready PDF in
 * base64 with the address for the envelope check.
 */
export const letterGateway = (config: HttpGatewayConfig): ChannelAdapter<'letter'> => ({
  send: (message, messageId) =>
    postToGateway(
      config,
      {
        reference: messageId,
        address: message.to,
        subject: message.subject,
        ...(message.service ? { service: message.service } : {}),
        pdf: message.pdf.toString('base64'),
      },
      messageId,
    ),
});

/**
 * Development: the letter lands in the mail catcher (which keeps it) as a mail to
 * `brief+<postcode>@post.praxisflow.localhost` with the print-ready PDF attached.
 */
export const letterToMailCatcher = (
  mailer: MailTransport,
  from: string,
): ChannelAdapter<'letter'> => ({
  async send(message, messageId) {
    const { name, postcode, city } = message.to;
    const service = message.service ? ` (${message.service})` : '';
    await mailer.sendMail({
      from,
      to: `brief+${postcode.replace(/[^A-Za-z0-9]/g, '')}@post.praxisflow.localhost`,
      subject: `Brief${service} an ${name}, ${postcode} ${city}: ${message.subject}`,
      text: `Brief${service} an ${name}, ${message.to.street}, ${postcode} ${city}. Der druckfertige Brief liegt als PDF bei.`,
      messageId,
      headers: { 'Auto-Submitted': 'auto-generated', 'X-Praxisflow-Channel': 'letter' },
      attachments: [
        { filename: 'brief.pdf', content: message.pdf, contentType: 'application/pdf' },
      ],
    });
    return {};
  },
});
