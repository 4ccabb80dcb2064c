-- Documents of the physicians' portal. The content is encrypted at rest: each document has
-- its own key (AES-256-GCM), stored only wrapped by a master key named by id; the content
-- is kept in chunks, each sealed with the document's key and bound to its document, position
-- and whether it is the last. Purging deletes the chunks and the wrapped key (without it,
-- anything of the content a backup or a not yet vacuumed page may hold is unreadable) and
-- keeps the metadata: the retention report lists what was deleted when.

create table documents (
  id             text primary key,
  practice_id    text not null,
  kind           text not null,
  title          text not null,
  file_name      text not null,
  content_type   text not null,
  size           bigint not null check (size > 0),
  sha256         text not null,
  process_id     text not null,
  uploaded_by    text not null,
  uploaded_at    timestamptz not null,
  master_key_id  text,
  wrapped_key    bytea,
  chunk_size     integer not null,
  chunk_count    integer not null,
  purged_at      timestamptz,
  purged_by      text,
  check ((purged_at is null) = (wrapped_key is not null))
);

create table document_chunks (
  document_id text not null references documents (id) on delete cascade,
  seq         integer not null,
  sealed      bytea not null,
  primary key (document_id, seq)
);

create index documents_purged on documents (purged_at, id) where purged_at is not null;
create index documents_practice on documents (practice_id, uploaded_at desc);
