import type { ChannelAdapter, MailTransport } from './types.js';

/** Default of development: every fax lands in the mail catcher, the PDF attached. */
const DEV_FAX_ADDRESS = 'fax+{number}@fax.praxisflow.localhost';

/**
 * Fax through an email-to-fax gateway: a mail to the gateway's address for the number
 * (`FAX_GATEWAY_ADDRESS`, e.g. `{number}@fax.example.net`, `{number}` = digits of the E.164
 * number) with the fax as its PDF attachment.
 */
export const faxByEmail = (
  mailer: MailTransport,
  from: string,
  addressTemplate = DEV_FAX_ADDRESS,
): ChannelAdapter<'fax'> => ({
  async send(message, messageId) {
    await mailer.sendMail({
      from,
      to: addressTemplate.replace('{number}', message.to.number.replace(/\D/g, '')),
      subject: `Fax an ${message.to.name} (${message.to.number}): ${message.subject}`,
      text: `Telefax an ${message.to.name}, ${message.to.number}. Das Fax liegt als PDF bei.`,
      messageId,
      headers: { 'Auto-Submitted': 'auto-generated', 'X-Praxisflow-Channel': 'fax' },
      attachments: [
        { filename: 'telefax.pdf', content: message.pdf, contentType: 'application/pdf' },
      ],
    });
    return {};
  },
});
