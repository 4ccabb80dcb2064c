-- When a bulk action's job took a process (before it sent the action): a cancel skips only the
-- processes no job has taken yet; one in flight keeps the result it gets.
alter table bulk_action_items add column started_at timestamptz;
