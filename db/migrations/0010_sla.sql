-- Service levels: when the process entered the state it is in, and when it is overdue there
-- („überfällig“): the state's target (working days or hours, see machines/sla.ts) counted from
-- that instant. Null where the state has no target or the process has ended.

alter table processes add column state_entered_at timestamptz;
alter table processes add column sla_due_at timestamptz;

-- Rows written before: the state was entered with the first step of the latest run of audit
-- steps into it. Their due time follows at their next step (the projection computes it).
update processes p set state_entered_at = (
  select min(a.at) from audit a
  where a.process_id = p.id and a.run_id = p.run_id
    and a.step > coalesce((select max(b.step) from audit b
      where b.process_id = p.id and b.run_id = p.run_id and b.to_state <> p.state), -1));

-- "Only overdue ones", the overview's and the metric's counts: only rows with a due time.
create index processes_sla_due on processes (sla_due_at, type, state) where sla_due_at is not null;
