-- API keys of the HTTP API. The clear key is shown once when it is made and never stored: a row
-- keeps only HMAC-SHA256(pepper, key), the pepper derived from PRAXISFLOW_SECRET, so a copy of
-- this table alone opens nothing. Keys are revoked, never deleted: the audit trail names them.

create table api_keys (
  -- Public id, recorded as the actor of what the key does: key_ + 10 base32 characters.
  id            text primary key check (id ~ '^key_[a-z2-7]{10}$'),
  name          text not null check (length(name) between 1 and 200),
  role          text not null check (role in ('admin', 'operator', 'client')),
  -- The practices a client key may act for; admin and operator keys act for all and list none.
  practices     text[] not null default '{}',
  secret_hash   bytea not null unique check (length(secret_hash) = 32),
  created_at    timestamptz not null default now(),
  created_by    text not null,
  revoked_at    timestamptz,
  last_used_at  timestamptz,
  constraint api_keys_practices_by_role
    check ((role = 'client') = (cardinality(practices) > 0))
);
