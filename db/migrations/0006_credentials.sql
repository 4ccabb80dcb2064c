-- Portal credentials sent by post. Only an argon2id hash of the password is kept (with the
-- deployment's pepper); the newest letter's hash replaces every earlier one, so a new letter
-- voids the old credentials. Five wrong passwords in a row lock the access until the next
-- letter; closing the access removes the hash for good.

create table credentials (
  user_name       text primary key,
  practice_id     text not null,
  process_id      text not null,
  password_hash   text,
  -- Orders the letters of one access: an older letter's retried write never wins.
  letter          integer not null,
  issued_at       timestamptz not null,
  failed_attempts integer not null default 0,
  locked_at       timestamptz,
  last_verified_at timestamptz,
  revoked_at      timestamptz
);
