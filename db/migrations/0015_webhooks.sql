-- Webhooks of the API clients: subscriptions per API key, and one delivery row per event and
-- subscription. The deliveries are written by triggers in the transaction of what they tell
-- (an audit row, a process row's incident, an outbox row's failure), so an event is owed exactly
-- when its step is recorded, whoever wrote it, and never by the API process alone.

create table webhook_subscriptions (
  id            text primary key check (id ~ '^wh_[A-Za-z0-9_-]{16,40}$'),
  -- The API key that made it and owns it (`key-…` for the bootstrap admin key, which has no row).
  api_key_id    text not null,
  url           text not null check (length(url) between 1 and 2000),
  events        text[] not null check (
    cardinality(events) > 0 and events <@ array['process.started', 'process.transitioned',
      'process.ended', 'process.incident', 'message.failed']),
  -- Empty: every process type.
  process_types text[] not null default '{}',
  -- `whsec_…`, sealed (storage/sealed-secrets.ts): never in clear at rest.
  secret        text not null check (secret like 'sealed:%'),
  -- The secret before the last rotation, signing beside the new one until `previous_until`.
  previous_secret text check (previous_secret like 'sealed:%'),
  previous_until  timestamptz,
  created_at    timestamptz not null default now()
);

create index webhook_subscriptions_key on webhook_subscriptions (api_key_id, created_at);

create table webhook_deliveries (
  id              text primary key default ('whd_' || replace(gen_random_uuid()::text, '-', '')),
  subscription_id text not null references webhook_subscriptions (id) on delete cascade,
  -- The event's id, the same for every subscription and on every attempt (`webhook-id`).
  event_id        text not null,
  event_type      text not null,
  process_id      text not null,
  occurred_at     timestamptz not null,
  -- Insertion order: what breaks a tie of `occurred_at` within a process (a step's
  -- `process.transitioned` before its `process.ended`).
  seq             bigserial not null,
  -- The body as sent: the same bytes on every attempt.
  payload         jsonb not null,
  status          text not null default 'pending' check (status in ('pending', 'delivered', 'failed')),
  attempts        integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  -- A dispatcher's claim: another one takes the row only after this passes.
  claimed_until   timestamptz,
  claim           uuid,
  last_attempt_at timestamptz,
  -- The receiver's HTTP status of the last attempt, or null when none came (refused, timeout).
  last_status     integer,
  last_error      text,
  delivered_at    timestamptz,
  created_at      timestamptz not null default now(),
  unique (subscription_id, event_id)
);

create index webhook_deliveries_due on webhook_deliveries (next_attempt_at) where status = 'pending';
-- "Is an earlier delivery of the same subscription and process still pending?"
create index webhook_deliveries_order on webhook_deliveries
  (subscription_id, process_id, occurred_at, seq) where status = 'pending';
create index webhook_deliveries_by_subscription on webhook_deliveries
  (subscription_id, status, created_at desc);

/**
 * Owes an event of type `owed_type` of process `p` to every subscription that wants it and may see the process:
 * its event types, its process types, and a client key's practices (a revoked key gets nothing;
 * a key without a row is the bootstrap admin key).
 */
create function webhook_enqueue(
  p processes, owed_type text, event_key text, owed_at timestamptz, data jsonb
) returns void language plpgsql as $$
declare
  owed_id text := 'evt_' || left(encode(sha256(convert_to(
    p.id || E'\n' || event_key || E'\n' || owed_type, 'UTF8')), 'hex'), 32);
  owed integer;
begin
  insert into webhook_deliveries (subscription_id, event_id, event_type, process_id, occurred_at, payload)
  select s.id, owed_id, owed_type, p.id, owed_at,
    jsonb_build_object(
      'id', owed_id,
      'type', owed_type,
      'timestamp', to_char(owed_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
      'data', jsonb_build_object(
        'processId', p.id, 'processType', p.type, 'version', p.version,
        'practiceId', p.practice_id) || data)
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

/**
 * A step of the audit trail: `process.started` (the first step of a run),
 * `process.transitioned` (a step into another state), `process.ended` (the step after which
 * the process row, at this very step, is no longer active). The audit row and the process row
 * are written in one statement, so the row seen here is the one of this step or a later one.
 */
create function webhook_events_of_audit() returns trigger language plpgsql as $$
declare
  p processes;
  step_data jsonb;
  event_key text := new.run_id || E'\n' || new.step;
begin
  select * into p from processes where id = new.process_id;
  if not found then
    return null;
  end if;
  step_data := jsonb_build_object(
    'step', new.step, 'event', new.event, 'from', new.from_state, 'to', new.to_state,
    'toLabel', new.to_label,
    'status', case when p.run_id = new.run_id and p.step = new.step then p.status else 'active' end);
  if new.from_state is null then
    perform webhook_enqueue(p, 'process.started', event_key, new.at, step_data);
  elsif new.from_state is distinct from new.to_state then
    perform webhook_enqueue(p, 'process.transitioned', event_key, new.at, step_data);
  end if;
  if p.run_id = new.run_id and p.step = new.step and p.status <> 'active' then
    perform webhook_enqueue(p, 'process.ended', event_key, new.at, step_data);
  end if;
  return null;
end;
$$;

create trigger audit_webhook_events
  after insert on audit
  for each row execute function webhook_events_of_audit();

/** An incident began: the process row's incident went from none to one. */
create function webhook_events_of_incident() returns trigger language plpgsql as $$
declare
  since timestamptz := coalesce((new.incident ->> 'since')::timestamptz, new.updated_at);
begin
  if tg_op = 'UPDATE' and old.incident is not null
     and old.incident ->> 'since' is not distinct from new.incident ->> 'since' then
    return null;
  end if;
  -- The incident's message is the gateway's word and may name a recipient: it stays out.
  perform webhook_enqueue(new, 'process.incident',
    new.run_id || E'\n' || new.step || E'\n' || (new.incident ->> 'since'), since,
    jsonb_build_object(
      'step', new.step, 'from', new.state, 'to', new.state, 'toLabel', new.state_label,
      'status', new.status,
      'incident', jsonb_build_object(
        'label', new.incident ->> 'label', 'action', new.incident ->> 'action',
        'since', new.incident ->> 'since')));
  return null;
end;
$$;

create trigger processes_webhook_incident
  after insert or update of incident on processes
  for each row when (new.incident is not null)
  execute function webhook_events_of_incident();

/**
 * An attempt to send a message failed (each failed attempt: the outbox row becomes `failed`;
 * a retry sets it `sending` again). Neither recipient nor subject leave: only the channel.
 */
create function webhook_events_of_outbox() returns trigger language plpgsql as $$
declare
  p processes;
begin
  if tg_op = 'UPDATE' and old.status = 'failed' and old.attempts = new.attempts then
    return null;
  end if;
  select * into p from processes where id = new.process_id;
  if not found then
    return null;
  end if;
  perform webhook_enqueue(p, 'message.failed',
    new.idempotency_key || E'\n' || new.attempts, new.updated_at,
    jsonb_build_object(
      'step', new.step, 'from', p.state, 'to', p.state, 'toLabel', p.state_label,
      'status', p.status, 'message', jsonb_build_object(
        'channel', new.channel, 'attempt', new.attempts)));
  return null;
end;
$$;

create trigger outbox_webhook_failed
  after insert or update of status on outbox
  for each row when (new.status = 'failed')
  execute function webhook_events_of_outbox();
