-- Settled deliveries (delivered or failed) are deleted once older than the retention
-- (`PRAXISFLOW_WEBHOOKS_RETENTION`, 30 days by default) by the dispatchers, oldest first.
create index webhook_deliveries_settled on webhook_deliveries (created_at) where status <> 'pending';
