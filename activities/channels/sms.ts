import { postToGateway, type HttpGatewayConfig } from './http-gateway.js';
import type { ChannelAdapter, MailTransport } from './types.js';

/** SMS through an HTTP gateway: `{ to, text, reference }`. */
export const smsGateway = (config: HttpGatewayConfig): ChannelAdapter<'sms'> => ({
  send: (message, messageId) =>
    postToGateway(config, { to: message.to, text: message.text, reference: messageId }, messageId),
});

/**
 * Development: the SMS lands in the mail catcher as a short plain mail to
 * `sms+<number>@sms.praxisflow.localhost`, so one inbox shows every message.
 */
export const smsToMailCatcher = (mailer: MailTransport, from: string): ChannelAdapter<'sms'> => ({
  async send(message, messageId) {
    await mailer.sendMail({
      from,
      to: `sms+${message.to.replace(/\D/g, '')}@sms.praxisflow.localhost`,
      subject: `SMS an ${message.to}`,
      text: message.text,
      messageId,
      headers: { 'Auto-Submitted': 'auto-generated', 'X-Praxisflow-Channel': 'sms' },
    });
    return {};
  },
});
