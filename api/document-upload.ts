/**
 * Taking in a document of the physicians' portal (`POST /documents`): its metadata and file
 * checked, its content stored encrypted under a drawn number, and its delivery process started
 * — or nothing stored at all. The route reads the multipart body; this is the rest.
 */
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { documentDeliveryProcessV3 as documentDeliveryProcess } from '../machines/document-delivery-v3.js';
import type { DocumentStore, StoredDocument } from '../storage/document-store.js';
import type { ProcessArgs, ProcessView } from '../workflows/protocol.js';
import type { Caller } from './auth.js';
import { documentUploadMetadata } from './document-schemas.js';
import { AppError, validationError } from './errors.js';
import { startProcessWorkflow, type ProcessStarter } from './process-handles.js';
import { planApiStart } from './start-plan.js';
import { parseOrThrow } from './validation.js';
import { START_DRAWS } from '../workflows/start-plan.js';

/** A multipart upload as the route read it: its fields, and its one file if any. */
export interface Upload {
  readonly fields: Map<string, string>;
  readonly file?: { readonly name: string; readonly type: string; readonly content: Buffer };
}

export interface UploadDeps extends ProcessStarter {
  readonly documents: DocumentStore;
  readonly delays: Readonly<Record<string, number>>;
}

/** Content types a document may have: the check of its first bytes, a file name's extension. */
const ACCEPTED_TYPES: Readonly<
  Record<string, { readonly looksRight: (head: Buffer) => boolean; readonly extension: string }>
> = {
  'application/pdf': {
    looksRight: (head) => head.subarray(0, 5).toString('latin1') === '%PDF-',
    extension: 'pdf',
  },
  'image/png': {
    looksRight: (head) =>
      head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
    extension: 'png',
  },
  'image/jpeg': {
    looksRight: (head) => head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff,
    extension: 'jpg',
  },
  'text/plain': { looksRight: isText, extension: 'txt' },
  'text/csv': { looksRight: isText, extension: 'csv' },
};

function isText(content: Buffer): boolean {
  if (content.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(content);
    return true;
  } catch {
    return false;
  }
}

/** A name fit for a download: no path, no control characters, at most 200 characters. */
function safeFileName(raw: string, extension: string): string {
  const cleaned = basename(raw.replace(/\\/g, '/'))
    .replace(/[\p{Cc}"]/gu, '')
    .trim()
    .slice(0, 200);
  return cleaned || `Dokument.${extension}`;
}

/** Checks and stores an upload and starts its delivery: the document and its process. */
export async function uploadDocument(
  deps: UploadDeps,
  caller: Caller,
  upload: Upload,
): Promise<{ document: StoredDocument; process: ProcessView }> {
  const rawMetadata = upload.fields.get('metadata');
  if (rawMetadata === undefined) {
    throw validationError('The upload has no metadata', [
      { path: 'metadata', message: 'a part `metadata` with the JSON description is required' },
    ]);
  }
  let json: unknown;
  try {
    json = JSON.parse(rawMetadata);
  } catch {
    throw validationError('The metadata is not JSON', [
      { path: 'metadata', message: 'must be a JSON object' },
    ]);
  }
  const metadata = parseOrThrow(documentUploadMetadata, json, 'The metadata', 'metadata');
  const { file } = upload;
  if (!file || file.content.length === 0) {
    throw validationError('The upload has no content', [
      { path: 'file', message: 'a non-empty part `file` is required' },
    ]);
  }
  const accepted = ACCEPTED_TYPES[file.type];
  if (!accepted) {
    throw new AppError(
      'unsupported-media-type',
      415,
      `Documents of type ${file.type || '(none)'} are not accepted; accepted: ${Object.keys(ACCEPTED_TYPES).join(', ')}`,
    );
  }
  if (!accepted.looksRight(file.content)) {
    throw validationError(`The file is not ${file.type}`, [
      { path: 'file', message: `its content does not look like ${file.type}` },
    ]);
  }
  const sha256 = createHash('sha256').update(file.content).digest('hex');
  if (metadata.sha256 && metadata.sha256 !== sha256) {
    throw validationError('The checksum does not match the file', [
      { path: 'metadata.sha256', message: `the file received has SHA-256 ${sha256}` },
    ]);
  }

  const uploadedAt = new Date();
  const fileName = safeFileName(file.name, accepted.extension);
  const request = {
    input: {
      practiceId: metadata.practiceId,
      kind: metadata.kind,
      title: metadata.title,
      fileName,
      contentType: file.type,
      size: file.content.length,
      sha256,
      uploadedAt: uploadedAt.toISOString(),
      physician: metadata.physician,
    },
    practiceId: metadata.practiceId,
  };
  for (let draw = 1; ; draw++) {
    // The document number is drawn by the process type's own rule (`issueBusinessKey`).
    const plan = planApiStart(documentDeliveryProcess, request);
    const id = plan.businessKey;
    let stored: StoredDocument;
    try {
      stored = await deps.documents.put(
        {
          id,
          practiceId: metadata.practiceId,
          kind: metadata.kind,
          title: metadata.title,
          fileName,
          contentType: file.type,
          processId: plan.processId,
          uploadedBy: caller.keyId,
          uploadedAt,
        },
        file.content,
      );
    } catch (error) {
      // The same number drawn twice (1 in 25^8): draw another one.
      if ((error as { code?: string }).code === '23505' && draw < START_DRAWS) continue;
      throw error;
    }
    const args: ProcessArgs = {
      input: plan.input,
      version: documentDeliveryProcess.version,
      businessKey: id,
      actor: caller.keyId,
      delays: deps.delays,
      ...(plan.practiceId ? { practiceId: plan.practiceId } : {}),
    };
    let view: ProcessView;
    try {
      view = await startProcessWorkflow(deps, documentDeliveryProcess, args, plan.searchAttributes);
    } catch (error) {
      // No process, no document: nothing half-stored stays behind.
      await deps.documents.discard(id);
      throw error;
    }
    return { document: stored, process: view };
  }
}
