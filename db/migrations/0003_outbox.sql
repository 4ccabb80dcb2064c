-- Every message a process sends: written before the gateway is asked, marked after it
-- accepted. A retried activity finds its row marked and sends nothing; a row left `sending`
-- means the send and its mark were cut apart: the resend carries the same Message-ID.
-- Bodies are not kept (they may hold a code); recipient, subject and outcome are.

create table outbox (
  idempotency_key   text primary key,
  process_id        text not null,
  step              integer not null,
  channel           text not null check (channel in ('email', 'sms', 'fax', 'letter')),
  -- As operators may see it (phone numbers masked).
  recipient         text not null,
  subject           text not null,
  message_id        text not null,
  status            text not null check (status in ('sending', 'sent', 'failed')),
  attempts          integer not null default 1,
  last_error        text,
  gateway_reference text,
  created_at        timestamptz not null default now(),
  updated_at        timestamptz not null default now(),
  sent_at           timestamptz
);

create index outbox_process on outbox (process_id, created_at);
create index outbox_unsent on outbox (status, updated_at) where status <> 'sent';
