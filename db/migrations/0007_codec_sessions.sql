-- Codec sessions of the Temporal Web UI (`/codec/session`): one row per session, shared by
-- every API process. Only SHA-256 of the session id is kept (the cookie holds the id). A
-- session counts only while its key is not revoked: the look-up joins `api_keys` on every
-- codec request, so revoking a key ends its sessions on every API process at once.

create table codec_sessions (
  id_hash     text primary key,
  key_id      text not null,
  role        text not null check (role in ('admin', 'operator')),
  created_at  timestamptz not null default now(),
  expires_at  timestamptz not null
);

create index codec_sessions_expires_at on codec_sessions (expires_at);
