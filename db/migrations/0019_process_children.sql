-- The invoked actors a process runs now (promise actors' activities, child machines' workflows),
-- as its view lists them: `[{ id, src, kind, since, step, workflowId? }]`. A child has no row
-- of its own; its parent's row shows it while it runs. Rows written before show none until
-- their next step.
alter table processes add column children jsonb not null default '[]';
