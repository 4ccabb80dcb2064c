/** The requests and answers of the physicians' portal documents (`/api/v1/documents`). */
import {
  DOCUMENT_ID_PATTERN,
  DOCUMENT_KINDS,
  type DocumentKind,
  physicianV3Schema,
  tanSubmittedSchema,
} from '../machines/document-delivery.schema.js';
import { practiceIdField, singleLine } from '../machines/fields.js';
import { z } from 'zod';
import { EXAMPLE_PRACTICE } from './openapi/examples.js';
import { dateTimeParameter, isoTime, processView } from './schemas.js';

const documentExample = {
  id: 'D-2026-K7PM3QXA',
  practiceId: EXAMPLE_PRACTICE,
  kind: 'abrechnungsnachweis',
  title: 'Abrechnungsnachweis Quartal 4/2025',
  fileName: 'abrechnung-q4-2025.pdf',
  contentType: 'application/pdf',
  size: 48213,
  sha256: '9f2c6a1e0b7d4c3a8e5f6b2d1c0a9e8f7d6c5b4a3e2f1d0c9b8a7e6f5d4c3b2a',
  processId: 'documentDelivery-D-2026-K7PM3QXA',
  uploadedBy: 'key_7Hq2',
  uploadedAt: '2026-01-15T09:00:00.000Z',
  purgedAt: null,
  purgedBy: null,
};

/** The `metadata` part of an upload (JSON); the `file` part is the content. */
export const documentUploadMetadata = z
  .strictObject({
    practiceId: practiceIdField,
    kind: z
      .enum(Object.keys(DOCUMENT_KINDS) as [DocumentKind, ...DocumentKind[]])
      .meta({ description: 'Abrechnungsnachweis, Informationsbrief Patiententeilnahmestatus, …' }),
    title: singleLine(200),
    physician: physicianV3Schema.meta({
      description:
        'Who gets the announcement (email), identified by HÄVG-ID and LANR: the mTAN goes by ' +
        'SMS only to the mobile number they confirmed in their Registrierung zum ' +
        'mTAN-Verfahren (`POST /api/v1/processes/mtanRegistration`). A `mobile` given here is ' +
        'not used.',
    }),
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/, { error: 'SHA-256 as 64 lower-case hex digits.' })
      .optional()
      .meta({ description: 'Checksum of the file as the sender computed it; checked.' }),
  })
  .meta({
    id: 'DocumentUploadMetadata',
    description: 'What the document is and for whom; sent as the `metadata` part (JSON).',
    examples: [
      {
        practiceId: EXAMPLE_PRACTICE,
        kind: 'abrechnungsnachweis',
        title: 'Abrechnungsnachweis Quartal 4/2025',
        physician: {
          name: 'Dr. med. Jonas Berger',
          email: 'j.berger@praxis.example',
          haevgId: 'H-104711',
          lanr: '123456701',
        },
      },
    ],
  });

export const storedDocument = z
  .object({
    id: z.string().meta({ description: 'Dokument-Nr., e.g. `D-2026-K7PM3QXA`.' }),
    practiceId: z.string(),
    kind: z.string(),
    title: z.string(),
    fileName: z.string(),
    contentType: z.string(),
    size: z.int().meta({ description: 'Bytes.' }),
    sha256: z.string().meta({ description: 'SHA-256 of the content, hex.' }),
    processId: z.string().meta({ description: 'The process that delivers it.' }),
    uploadedBy: z.string().meta({ description: 'API key id of the upload.' }),
    uploadedAt: isoTime('When the content was stored; retention counts from here.'),
    purgedAt: z.iso
      .datetime()
      .nullable()
      .meta({ description: 'When the content was deleted; null while it is kept.' }),
    purgedBy: z.string().nullable().meta({ description: '`retention` for the automatic purge.' }),
  })
  .meta({
    id: 'Document',
    description: 'A document: metadata only, never the content.',
    examples: [documentExample],
  });

export const documentUploaded = z.object({ document: storedDocument, process: processView }).meta({
  id: 'DocumentUploaded',
  description: 'The stored document and the first view of its delivery process.',
});

export const downloadTokenBody = z.strictObject(tanSubmittedSchema.shape).meta({
  id: 'DownloadTokenRequest',
  description: 'The mTAN from the SMS.',
  examples: [{ tan: '274913' }],
});

export const downloadToken = z
  .object({
    token: z.string().meta({ description: 'One-time download token; valid once, 10 minutes.' }),
    expiresAt: isoTime('The token is void after this.'),
    href: z.string().meta({ description: 'The download URL with the token.' }),
  })
  .meta({
    id: 'DownloadToken',
    description: 'A one-time download link.',
    examples: [
      {
        token: 'Wb0mQ2r7xYk4pT9vN1sL8cF3hJ6dA5eG0iU2oZ7qR4w',
        expiresAt: '2026-12-01T09:10:00.000Z',
        href: '/api/v1/documents/D-2026-K7PM3QXA/content?token=Wb0mQ2r7xYk4pT9vN1sL8cF3hJ6dA5eG0iU2oZ7qR4w',
      },
    ],
  });

export const documentIdParameter = z
  .string()
  .regex(DOCUMENT_ID_PATTERN)
  .meta({
    description: 'Dokument-Nr.',
    examples: ['D-2026-K7PM3QXA'],
  });

export const downloadQuery = z.strictObject({
  token: z
    .string()
    .regex(/^[A-Za-z0-9_-]{43}$/)
    .meta({ description: 'The one-time token from `download-token`.' }),
});

export const retentionReportQuery = z.strictObject({
  since: dateTimeParameter('Purges from this time on (default: all).').optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100).meta({
    description: 'At most this many entries (1–1000, default 100).',
  }),
});

export const retentionReport = z
  .object({
    items: z.array(storedDocument),
  })
  .meta({
    id: 'RetentionReport',
    description:
      'Documents whose content was deleted, oldest deletion first: what, for whom, when stored, when deleted.',
    examples: [
      {
        items: [
          { ...documentExample, purgedAt: '2028-01-15T09:00:00.000Z', purgedBy: 'retention' },
        ],
      },
    ],
  });

// ---------------------------------------------------------------------------------------------
// Portal credentials sent by post
