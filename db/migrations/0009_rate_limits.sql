-- Rate limit budgets, shared by every API process (rate-limiter-flexible's Postgres store, in
-- the shape it expects): one row a budget and key, `expire` in epoch milliseconds. Rows an hour
-- past their expiry are deleted by the API every five minutes.
create table if not exists rate_limits (
  key varchar(255) primary key,
  points integer not null default 0,
  expire bigint
);
