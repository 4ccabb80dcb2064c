-- A failed effect waiting for an operator's retry: shown on the process, found by the list.
alter table processes add column incident jsonb;
create index processes_incident on processes (created_at desc, id desc) where incident is not null;
