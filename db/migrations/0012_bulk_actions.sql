-- Bulk actions: one action (an event, a cancel, an incident retry, a fired timer) for every
-- process a list filter selected, run by a durable job on Temporal (workflow `bulkAction`).
-- The processes are fixed when the job is created; each gets its result here.

create table bulk_actions (
  id          text primary key,
  -- What is done to each process: { kind, event | reason | timer }. Events with secrets are
  -- refused at the edge, so nothing here is secret.
  action      jsonb not null,
  -- The list filter that selected the processes, as the caller gave it.
  filter      jsonb not null,
  actor       text not null,
  -- Practices the caller may act for (a client key's); null: all.
  practices   text[],
  -- Processes started per second at most.
  rate        integer not null,
  status      text not null check (status in ('running', 'done', 'cancelled')),
  total       integer not null,
  created_at  timestamptz not null default now(),
  finished_at timestamptz
);

create index bulk_actions_created on bulk_actions (created_at desc, id desc);

create table bulk_action_items (
  bulk_id     text not null references bulk_actions (id),
  position    integer not null,
  process_id  text not null,
  status      text not null check (status in ('pending', 'done', 'refused', 'failed', 'skipped')),
  -- done: the state reached; refused/failed: why (a problem's title and detail).
  outcome     jsonb,
  finished_at timestamptz,
  primary key (bulk_id, position)
);

create index bulk_action_items_pending on bulk_action_items (bulk_id, position)
  where status = 'pending';
create index bulk_action_items_status on bulk_action_items (bulk_id, status, position);
