-- The back office's daily report of processes that became overdue („überfällig“): one row per
-- German day it went out, and up to which instant it looked, so the next report starts there.

create table sla_reports (
  day        date primary key,
  until_at   timestamptz not null,
  processes  integer not null,
  sent_at    timestamptz not null default now()
);
