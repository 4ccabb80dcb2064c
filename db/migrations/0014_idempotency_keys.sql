-- Idempotent writes (`Idempotency-Key` on a POST of the API): one row per API key and
-- idempotency key, shared by every API process. While the first request runs, the row holds
-- its claim (`claim`, `claimed_until`) and no answer; once it answered (2xx to 4xx), the row
-- holds the answer, which a retry with the same key and the same body gets again. A 5xx or a
-- 429 leaves no row: the retry runs again. Rows count for 24 h from the first request; the
-- API deletes expired rows as it writes new ones.

create table idempotency_keys (
  key_id          text not null,
  idempotency_key text not null,
  -- The request as sent: method and path, and SHA-256 of the raw body bytes.
  request         text not null,
  body_sha256     bytea not null,
  -- Who runs it now: a claim older than `claimed_until` was abandoned (a crashed process).
  claim           uuid,
  claimed_until   timestamptz,
  -- The answer; null while the first request runs.
  status          integer,
  -- Location, Content-Type and Retry-After as answered.
  headers         jsonb,
  -- The body, sealed (AES-256-GCM with the secret sealer): an answer may reveal a one-time
  -- value (a code, a download link), which must not lie here in clear.
  body_sealed     text,
  created_at      timestamptz not null default now(),
  primary key (key_id, idempotency_key)
);

create index idempotency_keys_created_at on idempotency_keys (created_at);
