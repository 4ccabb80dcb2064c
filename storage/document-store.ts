import { createHash } from 'node:crypto';
import type pg from 'pg';
import { inTransaction as inPoolTransaction, type Pool } from '../db/pool.js';
import {
  newDocumentKey,
  openChunk,
  sealChunk,
  SealError,
  unwrapKey,
  wrapKey,
  type MasterKey,
} from './sealing.js';

/**
 * The documents of the physicians' portal, encrypted at rest (see sealing.ts): metadata in
 * Postgres, the sealed content in a `ContentStore` — Postgres by default; an S3-compatible
 * bucket is another implementation of the same four calls. Nothing here caches content: once
 * purged, the chunks and the document's key are gone.
 */

/** 256 KiB of content per sealed chunk: a download reads and opens one chunk at a time. */
const CHUNK_SIZE = 256 * 1024;

/** Where the sealed chunks of a document live. */
interface ContentStore {
  /** Writes every chunk of a new document; `db` is the transaction its metadata goes in. */
  write(db: Queryable, documentId: string, chunks: readonly Buffer[]): Promise<void>;
  read(documentId: string, seq: number): Promise<Buffer | undefined>;
  /** Deletes every chunk; answers how many there were. */
  delete(db: Queryable, documentId: string): Promise<number>;
  /** Chunks still kept for a document (0 after a purge): what the retention check proves. */
  count(documentId: string): Promise<number>;
}

type Queryable = Pick<pg.ClientBase, 'query'>;

/** Sealed chunks in the `document_chunks` table. */
function postgresContentStore(pool: Pool): ContentStore {
  return {
    async write(db, documentId, chunks) {
      for (const [seq, sealed] of chunks.entries()) {
        await db.query(
          'insert into document_chunks (document_id, seq, sealed) values ($1, $2, $3)',
          [documentId, seq, sealed],
        );
      }
    },
    async read(documentId, seq) {
      const { rows } = await pool.query<{ sealed: Buffer }>(
        'select sealed from document_chunks where document_id = $1 and seq = $2',
        [documentId, seq],
      );
      return rows[0]?.sealed;
    },
    async delete(db, documentId) {
      const { rowCount } = await db.query('delete from document_chunks where document_id = $1', [
        documentId,
      ]);
      return rowCount ?? 0;
    },
    async count(documentId) {
      const { rows } = await pool.query<{ n: number }>(
        'select count(*)::int as n from document_chunks where document_id = $1',
        [documentId],
      );
      return rows[0]?.n ?? 0;
    },
  };
}

interface DocumentMetadata {
  readonly id: string;
  readonly practiceId: string;
  readonly kind: string;
  readonly title: string;
  readonly fileName: string;
  readonly contentType: string;
  readonly processId: string;
  readonly uploadedBy: string;
  readonly uploadedAt: Date;
}

export interface StoredDocument extends Omit<DocumentMetadata, 'uploadedAt'> {
  readonly size: number;
  readonly sha256: string;
  readonly uploadedAt: string;
  readonly purgedAt: string | null;
  readonly purgedBy: string | null;
}

/** One line of the retention report. */
type PurgedDocument = StoredDocument & { readonly purgedAt: string };

interface DocumentRow {
  id: string;
  practice_id: string;
  kind: string;
  title: string;
  file_name: string;
  content_type: string;
  size: string;
  sha256: string;
  process_id: string;
  uploaded_by: string;
  uploaded_at: Date;
  master_key_id: string | null;
  wrapped_key: Buffer | null;
  chunk_count: number;
  purged_at: Date | null;
  purged_by: string | null;
}

const described = (row: DocumentRow): StoredDocument => ({
  id: row.id,
  practiceId: row.practice_id,
  kind: row.kind,
  title: row.title,
  fileName: row.file_name,
  contentType: row.content_type,
  size: Number(row.size),
  sha256: row.sha256,
  processId: row.process_id,
  uploadedBy: row.uploaded_by,
  uploadedAt: row.uploaded_at.toISOString(),
  purgedAt: row.purged_at?.toISOString() ?? null,
  purgedBy: row.purged_by,
});

export interface DocumentStore {
  /** Seals and stores a new document in one transaction; answers its size and checksum. */
  put(metadata: DocumentMetadata, content: Buffer): Promise<StoredDocument>;
  describe(id: string): Promise<StoredDocument | undefined>;
  /** The content, chunk by chunk, each opened and checked before it is handed out. */
  open(id: string): AsyncGenerator<Buffer>;
  /** Deletes content and key, keeps the metadata; again on a purged document: no change. */
  purge(id: string, by: string, at: Date): Promise<StoredDocument | undefined>;
  /** Removes a document entirely (an upload whose process could not start). */
  discard(id: string): Promise<void>;
  /** Purged documents, oldest purge first, from `since` on. */
  retentionReport(options: { since?: Date; limit: number }): Promise<PurgedDocument[]>;
  /** Chunks kept for a document: 0 once purged. */
  chunksKept(id: string): Promise<number>;
}

export interface DocumentStoreOptions {
  readonly pool: Pool;
  /** Newest first: the first wraps new documents, all unwrap. */
  readonly masterKeys: readonly MasterKey[];
  readonly content?: ContentStore;
}

export function createDocumentStore(options: DocumentStoreOptions): DocumentStore {
  const { pool, masterKeys } = options;
  const content = options.content ?? postgresContentStore(pool);
  const [current] = masterKeys;
  if (!current) throw new Error('A document store needs at least one master key');

  async function row(id: string): Promise<DocumentRow | undefined> {
    const { rows } = await pool.query<DocumentRow>('select * from documents where id = $1', [id]);
    return rows[0];
  }

  const inTransaction = <T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> =>
    inPoolTransaction(pool, work);

  return {
    async put(metadata, plain) {
      const documentKey = newDocumentKey();
      const count = Math.max(1, Math.ceil(plain.length / CHUNK_SIZE));
      const chunks = Array.from({ length: count }, (_, seq) =>
        sealChunk(
          documentKey,
          metadata.id,
          seq,
          seq === count - 1,
          plain.subarray(seq * CHUNK_SIZE, (seq + 1) * CHUNK_SIZE),
        ),
      );
      const sha256 = createHash('sha256').update(plain).digest('hex');
      const wrapped = wrapKey(current, metadata.id, documentKey);
      documentKey.fill(0);
      const inserted = await inTransaction(async (client) => {
        const { rows } = await client.query<DocumentRow>(
          `insert into documents (id, practice_id, kind, title, file_name, content_type, size,
             sha256, process_id, uploaded_by, uploaded_at, master_key_id, wrapped_key,
             chunk_size, chunk_count)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
           returning *`,
          [
            metadata.id,
            metadata.practiceId,
            metadata.kind,
            metadata.title,
            metadata.fileName,
            metadata.contentType,
            plain.length,
            sha256,
            metadata.processId,
            metadata.uploadedBy,
            metadata.uploadedAt,
            current.id,
            wrapped,
            CHUNK_SIZE,
            count,
          ],
        );
        await content.write(client, metadata.id, chunks);
        return rows[0] as DocumentRow;
      });
      return described(inserted);
    },

    async describe(id) {
      const found = await row(id);
      return found && described(found);
    },

    async *open(id) {
      const found = await row(id);
      if (!found?.wrapped_key || !found.master_key_id) {
        throw new SealError(`Document ${id} has no content (purged or unknown)`);
      }
      const master = masterKeys.find((key) => key.id === found.master_key_id);
      if (!master) {
        throw new SealError(
          `Master key ${found.master_key_id} of document ${id} is not configured`,
        );
      }
      const documentKey = unwrapKey(master, id, found.wrapped_key);
      try {
        for (let seq = 0; seq < found.chunk_count; seq++) {
          const sealed = await content.read(id, seq);
          if (!sealed) throw new SealError(`Chunk ${seq} of document ${id} is missing`);
          yield openChunk(documentKey, id, seq, seq === found.chunk_count - 1, sealed);
        }
      } finally {
        documentKey.fill(0);
      }
    },

    async purge(id, by, at) {
      const purged = await inTransaction(async (client) => {
        const { rows } = await client.query<DocumentRow>(
          'select * from documents where id = $1 for update',
          [id],
        );
        const found = rows[0];
        if (!found || found.purged_at) return found;
        await content.delete(client, id);
        const updated = await client.query<DocumentRow>(
          `update documents set wrapped_key = null, master_key_id = null, purged_at = $2,
             purged_by = $3 where id = $1 returning *`,
          [id, at, by],
        );
        return updated.rows[0];
      });
      return purged && described(purged);
    },

    async discard(id) {
      await inTransaction(async (client) => {
        await content.delete(client, id);
        await client.query('delete from documents where id = $1', [id]);
      });
    },

    async retentionReport({ since, limit }) {
      const { rows } = await pool.query<DocumentRow>(
        `select * from documents where purged_at is not null and purged_at >= $1
         order by purged_at, id limit $2`,
        [since ?? new Date(0), limit],
      );
      return rows.map((found) => described(found) as PurgedDocument);
    },

    chunksKept: (id) => content.count(id),
  };
}
