-- Webhook deliveries keep the W3C trace of the job event they were made from (added by the webhooks owner):
--  * traceparent: the dispatcher's consumer span for the event (same trace id as the API request and the worker
--    that produced it). Each attempt sends it as the `traceparent` request header, and the
--    webhook_delivered / webhook_failed / webhook_disabled audit events carry its trace id. NULL for deliveries
--    recorded before this column existed.
SET LOCAL ROLE dph_migrator;

ALTER TABLE public.webhook_deliveries ADD COLUMN IF NOT EXISTS traceparent text
  CHECK (traceparent IS NULL OR traceparent ~ '^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$');
