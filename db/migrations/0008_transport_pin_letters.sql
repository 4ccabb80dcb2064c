-- Transport-PIN letters as card production hands them over, kept only while a resend is
-- possible (until the card is freigeschaltet, exchanged, blocked or expired). Each letter has
-- its own key (AES-256-GCM), stored only wrapped by a document master key; destroying a
-- letter deletes the sealed content and the wrapped key and keeps when it happened.

create table transport_pin_letters (
  id            text primary key,
  process_id    text not null,
  sealed_at     timestamptz not null,
  master_key_id text,
  wrapped_key   bytea,
  sealed        bytea,
  destroyed_at  timestamptz,
  check ((destroyed_at is null) = (sealed is not null and wrapped_key is not null))
);
