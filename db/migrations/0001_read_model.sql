-- The operators' read model: one row per process, kept by the workflows' projection activity
-- after every transition, and the audit trail: one row per step, never changed.

create extension if not exists pg_trgm;

create table processes (
  id            text primary key,
  -- The first run of the workflow chain: a process started anew under an ended one's id
  -- has another.
  run_id        text not null,
  type          text not null,
  version       integer not null,
  business_key  text not null,
  practice_id   text,
  state         text not null,
  state_label   text not null,
  status        text not null check (status in ('active', 'done', 'failed', 'cancelled')),
  allowed_events text[] not null default '{}',
  timers        jsonb not null default '[]',
  -- The earliest pending timer: "due before" and the dashboard's "due in the next 24 h".
  next_due_at   timestamptz,
  context       jsonb not null default '{}',
  -- Step of the transition this row shows; a projection of an older step never overwrites it.
  step          integer not null,
  created_at    timestamptz not null,
  updated_at    timestamptz not null,
  -- What `q` searches: id, business key, label and the context's text (secrets are redacted).
  search_text   text not null default ''
);

-- Lists page by keyset over (created_at desc, id desc): neither changes, so a page boundary
-- stays put whatever is inserted or updated meanwhile. Each filter has an index to start from.
create index processes_created on processes (created_at desc, id desc);
create index processes_type_state on processes (type, state, created_at desc, id desc);
create index processes_status on processes (status, created_at desc, id desc);
create index processes_practice on processes (practice_id, created_at desc, id desc);
create index processes_updated on processes (updated_at);
create index processes_business_key on processes (business_key);
create index processes_next_due on processes (next_due_at) where next_due_at is not null;
create index processes_search on processes using gin (search_text gin_trgm_ops);

create table audit (
  process_id  text not null,
  run_id      text not null,
  step        integer not null,
  event       text not null,
  actor       text not null,
  from_state  text,
  to_state    text not null,
  to_label    text not null,
  at          timestamptz not null,
  -- Non-secret facts of the step, e.g. the reason of a cancel.
  detail      jsonb,
  primary key (process_id, run_id, step)
);

-- The audit trail is append-only, whoever connects: the database itself refuses changes.
create function audit_is_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'audit rows are append-only: % is not allowed', tg_op
    using errcode = 'insufficient_privilege';
end;
$$;

create trigger audit_no_update_or_delete
  before update or delete on audit
  for each row execute function audit_is_append_only();

create trigger audit_no_truncate
  before truncate on audit
  for each statement execute function audit_is_append_only();
