import { z } from 'zod';
import { haevgIdField, lanrField } from './account-credentials.schema.js';
import { emailAddress, phoneNumber } from './contact.schema.js';
import { practiceIdField as practiceId, singleLine } from './fields.js';
import type { EventMeta, EventsOf } from './process-definition.js';
import { secret } from './secrets.js';

/**
 * Input and event payloads of a document in the physicians' portal (Arztportal), and the types
 * the machine shares with its activities and the documents API.
 */

/** What a document is; the announcement names it, the content never goes by email. */
export const DOCUMENT_KINDS = {
  abrechnungsnachweis: 'Abrechnungsnachweis',
  patiententeilnahmestatus: 'Informationsbrief Patiententeilnahmestatus',
  sonstiges: 'Dokument',
} as const;
export type DocumentKind = keyof typeof DOCUMENT_KINDS;

/** `D-2026-K7PM3QXA`: issued by the upload, readable on the phone, no personal data. */
export const DOCUMENT_ID_PATTERN = /^D-\d{4}-[3467ACDEFGHJKMNPQRTUVWXY9]{8}$/;
const ID_ALPHABET = '3467ACDEFGHJKMNPQRTUVWXY9';

export function drawDocumentId(random: () => number, now: Date): string {
  let suffix = '';
  for (let i = 0; i < 8; i++) suffix += ID_ALPHABET[Math.floor(random() * ID_ALPHABET.length)];
  return `D-${now.getUTCFullYear()}-${suffix}`;
}

const physicianSchema = z.object({
  name: singleLine(200),
  email: emailAddress,
  /** The mTAN goes here. */
  mobile: phoneNumber,
});

/**
 * Version 3: the physician as the Arztportal knows them (HÄVG-ID and LANR); the mTAN goes to
 * the number they confirmed in their Registrierung zum mTAN-Verfahren, never to one given with
 * the upload (a `mobile` sent along is dropped).
 */
export const physicianV3Schema = z.object({
  name: singleLine(200),
  email: emailAddress,
  haevgId: haevgIdField,
  lanr: lanrField,
});

export const documentDeliveryInputSchema = z.object({
  documentId: z
    .string()
    .regex(DOCUMENT_ID_PATTERN, { error: 'Eine Dokument-ID wie D-2026-K7PM3QXA.' }),
  practiceId,
  kind: z.enum(Object.keys(DOCUMENT_KINDS) as [DocumentKind, ...DocumentKind[]]),
  title: singleLine(200),
  fileName: singleLine(200),
  contentType: singleLine(100),
  size: z.number().int().min(1),
  /** SHA-256 of the content, hex. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** When the content was stored: the 24 months of retention count from here. */
  uploadedAt: z.iso.datetime(),
  physician: physicianSchema,
});
export type DocumentDeliveryInput = z.output<typeof documentDeliveryInputSchema>;

export const documentDeliveryV3InputSchema = documentDeliveryInputSchema.extend({
  physician: physicianV3Schema,
});
export type DocumentDeliveryV3Input = z.output<typeof documentDeliveryV3InputSchema>;
export type PhysicianV3 = z.output<typeof physicianV3Schema>;
type Physician = z.output<typeof physicianSchema>;

export const tanSubmittedSchema = z.object({
  tan: secret(
    z
      .string()
      .trim()
      .regex(/^\d{6}$/, { error: 'Die mTAN besteht aus 6 Ziffern.' }),
  ),
});

const documentDownloadedSchema = z.object({
  /** Keyed hash of the download token the caller showed (the documents API computes it). */
  tokenHash: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
});

/** Every event the outside world may send, with its payload schema (without `type`). */
export const documentDeliveryEventSchemas = {
  DOWNLOAD_REQUESTED: z.object({}),
  TAN_SUBMITTED: tanSubmittedSchema,
  DOCUMENT_DOWNLOADED: documentDownloadedSchema,
} as const;

type ExternalEvent = EventsOf<typeof documentDeliveryEventSchemas>;

/** Events the activities return; not in `events`, so the API refuses them. */
export type DownloadTanIssued = { type: 'DOWNLOAD_TAN_ISSUED'; tanHash: string };
export type DownloadTanVerified =
  { type: 'DOWNLOAD_TAN_ACCEPTED'; tokenHash: string } | { type: 'DOWNLOAD_TAN_REJECTED' };

/** Version 3: no number is confirmed for the physician, so no mTAN went out. */
export type MtanNotRegistered = { type: 'MTAN_NOT_REGISTERED' };

export type DocumentDeliveryEvent = (ExternalEvent | DownloadTanIssued | DownloadTanVerified) &
  EventMeta;

export interface DocumentDeliveryContext {
  readonly documentId: string;
  readonly practiceId: string;
  readonly kind: DocumentKind;
  readonly title: string;
  readonly fileName: string;
  readonly contentType: string;
  readonly size: number;
  readonly sha256: string;
  readonly uploadedAt: string;
  readonly physician: Physician;
  /** mTANs sent so far; the current one's number goes into its download token. */
  readonly tansSent: number;
  /** Keyed hash of the current mTAN; null when none is valid. */
  readonly tanHash: string | null;
  readonly failedAttempts: number;
  /** Keyed hash of the current download token; null when none is valid. */
  readonly tokenHash: string | null;
  readonly downloads: number;
  readonly lastDownloadedAt: string | null;
  /** What the physician should know about the last attempt (three wrong mTANs, say). */
  readonly notice: string | null;
  readonly purgedAt: string | null;
}

// Params of the named actions = inputs of the activities of the same name.
export interface AnnounceDocumentParams {
  readonly documentId: string;
  readonly kind: DocumentKind;
  readonly title: string;
  /** Who is told (versions 1 and 2 hand on the whole physician, mobile number included). */
  readonly physician: Pick<Physician, 'name' | 'email'>;
}
export interface SendDownloadTanParams {
  readonly documentId: string;
  readonly title: string;
  readonly mobile: string;
  /** The mTAN's number among this document's mTANs (1, 2, …). */
  readonly sequence: number;
}
/** Version 3: the number is looked up from the physician's confirmed mTAN registration. */
export interface SendRegisteredDownloadTanParams {
  readonly documentId: string;
  readonly practiceId: string;
  readonly haevgId: string;
  readonly lanr: string;
  readonly sequence: number;
}
export interface VerifyDownloadTanParams {
  readonly documentId: string;
  readonly sequence: number;
  readonly tan: string;
  readonly tanHash: string | null;
}
export interface PurgeDocumentParams {
  readonly documentId: string;
}
