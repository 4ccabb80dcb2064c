-- The process events of the webhooks, kept once more in one global order for the live stream
-- of the API clients (`GET /api/v1/events/stream`): `seq` is the stream's event id, and a client
-- that reconnects with `Last-Event-ID` resumes after it. The same triggers write both, in the
-- transaction of what they tell, with the same payload.

create table process_events (
  seq          bigserial primary key,
  -- The event's id, the same as the webhook's (`evt_…`): one row per event however often a
  -- projection is repeated.
  event_id     text not null unique,
  type         text not null,
  occurred_at  timestamptz not null,
  process_id   text not null,
  process_type text not null,
  practice_id  text,
  -- `{ id, type, timestamp, data }`: the body a webhook receives.
  payload      jsonb not null,
  created_at   timestamptz not null default now()
);

-- A client key's stream: its practices, in order.
create index process_events_practice on process_events (practice_id, seq);
-- Retention: the oldest first.
create index process_events_created on process_events (created_at);

-- Up to which `seq` retention has deleted: a `Last-Event-ID` below it lost events.
create table process_events_pruned (
  only_row boolean primary key default true check (only_row),
  through  bigint not null default 0
);
insert into process_events_pruned default values;

-- One-use tokens for a stream a browser opens (EventSource cannot send an API key): valid for
-- 60 s, for one connection, with the rights of the key that asked. Only their hash is kept.
create table event_stream_tokens (
  token_digest text primary key,
  api_key_id   text not null,
  role         text not null,
  practices    text[] not null,
  expires_at   timestamptz not null
);

create index event_stream_tokens_expiry on event_stream_tokens (expires_at);

/** The event's body, for a webhook as for the stream: never context, never personal data. */
create function process_event_payload(
  p processes, event_type text, event_id text, occurred_at timestamptz, data jsonb
) returns jsonb language sql immutable as $$
  select jsonb_build_object(
    'id', event_id,
    'type', event_type,
    'timestamp', to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'data', jsonb_build_object(
      'processId', p.id, 'processType', p.type, 'version', p.version,
      'practiceId', p.practice_id) || data)
$$;

/**
 * Keeps an event in the stream's order. The lock, held to the end of the writing transaction,
 * makes `seq` the commit order: a reader that has seen seq n never later finds a smaller one
 * committed (the writers are single statements of the projection, so the wait is short).
 * Every 100th event deletes up to 500 older than 7 days: retention in small steps.
 */
create function process_event_record(
  p processes, event_type text, event_id text, occurred_at timestamptz, payload jsonb
) returns void language plpgsql as $$
declare
  recorded bigint;
begin
  perform pg_advisory_xact_lock(hashtext('praxisflow_process_events'));
  insert into process_events (event_id, type, occurred_at, process_id, process_type, practice_id, payload)
  values (event_id, event_type, occurred_at, p.id, p.type, p.practice_id, payload)
  on conflict do nothing
  returning seq into recorded;
  if recorded is null then
    return;
  end if;
  perform pg_notify('praxisflow_events', recorded::text);
  if recorded % 100 = 0 then
    with pruned as (
      delete from process_events where seq in (
        select seq from process_events where created_at < now() - interval '7 days'
        order by created_at limit 500)
      returning seq)
    update process_events_pruned set through = greatest(through, (select max(seq) from pruned))
    where exists (select 1 from pruned);
  end if;
end;
$$;

/** As before (0015), with the payload from `process_event_payload` and recorded for the stream. */
create or replace function webhook_enqueue(
  p processes, owed_type text, event_key text, owed_at timestamptz, data jsonb
) returns void language plpgsql as $$
declare
  owed_id text := 'evt_' || left(encode(sha256(convert_to(
    p.id || E'\n' || event_key || E'\n' || owed_type, 'UTF8')), 'hex'), 32);
  body jsonb := process_event_payload(p, owed_type, owed_id, owed_at, data);
  owed integer;
begin
  perform process_event_record(p, owed_type, owed_id, owed_at, body);
  insert into webhook_deliveries (subscription_id, event_id, event_type, process_id, occurred_at, payload)
  select s.id, owed_id, owed_type, p.id, owed_at, body
  from webhook_subscriptions s
  left join api_keys k on k.id = s.api_key_id
  where owed_type = any (s.events)
    and (cardinality(s.process_types) = 0 or p.type = any (s.process_types))
    and (k.id is null
      or (k.revoked_at is null and (k.role <> 'client' or p.practice_id = any (k.practices))))
  on conflict (subscription_id, event_id) do nothing;
  get diagnostics owed = row_count;
  if owed > 0 then
    perform pg_notify('praxisflow_webhooks', '');
  end if;
end;
$$;
