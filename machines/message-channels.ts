/**
 * The channel each message-sending action uses, for what-if previews (an action whose params
 * name a `channel` says it itself; the nightly overview goes to whichever channel the practice
 * confirmed and is left out). Names only: which template and which address are the activity's.
 */
export const MESSAGE_CHANNELS: Readonly<Record<string, 'email' | 'sms' | 'letter'>> = {
  announceDocument: 'email',
  issueRegistrationLink: 'email',
  sendEmail: 'email',
  sendApplicationEmail: 'email',
  sendCardEmail: 'email',
  sendCredentialsLetter: 'letter',
  sendTransportPinLetter: 'letter',
  sendDownloadTan: 'sms',
  sendRegisteredDownloadTan: 'sms',
  sendMtanRegistrationCode: 'sms',
};
