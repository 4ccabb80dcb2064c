import { emailChannel } from './email.js';
import { faxByEmail } from './fax.js';
import type { HttpGatewayConfig } from './http-gateway.js';
import { letterGateway, letterToMailCatcher } from './letter.js';
import { smsGateway, smsToMailCatcher } from './sms.js';
import type { Channel, ChannelAdapter, MailTransport } from './types.js';

export type { MailTransport, Message } from './types.js';

/** Where SMS, fax and letters go; each absent one lands in the mail catcher (development). */
export interface GatewayConfig {
  readonly sms?: HttpGatewayConfig;
  /** Email-to-fax address template with `{number}`. */
  readonly faxAddress?: string;
  readonly letter?: HttpGatewayConfig;
}

export type Channels = { readonly [C in Channel]: ChannelAdapter<C> };

export function createChannels(
  mailer: MailTransport,
  from: string,
  gateways: GatewayConfig = {},
): Channels {
  return {
    email: emailChannel(mailer, from),
    sms: gateways.sms ? smsGateway(gateways.sms) : smsToMailCatcher(mailer, from),
    fax: faxByEmail(mailer, from, gateways.faxAddress),
    letter: gateways.letter ? letterGateway(gateways.letter) : letterToMailCatcher(mailer, from),
  };
}
