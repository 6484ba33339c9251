-- Webhook delivery mechanics (added by the webhooks owner, after 0001-0004):
--  * payload_body: the exact JSON body of the delivery, so every retry and replay sends the same bytes (the
--    signature changes with the attempt's timestamp; the body and webhook-id never do).
--  * attempt_base: attempts already spent before the latest operator replay; the retry budget counts from it
--    while attempt numbers in webhook_attempts keep increasing (they are unique per delivery).
--  * dead_at: when the delivery was dead-lettered, for "replay all dead deliveries of an endpoint in a range".
--  * dph_api may replay (operator role, checked by the API): reset a dead delivery to pending, nothing else.
SET LOCAL ROLE dph_migrator;

ALTER TABLE public.webhook_deliveries ADD COLUMN IF NOT EXISTS payload_body text;
ALTER TABLE public.webhook_deliveries ADD COLUMN IF NOT EXISTS attempt_base integer NOT NULL DEFAULT 0;
ALTER TABLE public.webhook_deliveries ADD COLUMN IF NOT EXISTS dead_at timestamptz;

CREATE INDEX IF NOT EXISTS webhook_deliveries_dead_idx
  ON public.webhook_deliveries (subscription_id, dead_at) WHERE status = 'dead';

GRANT UPDATE (status, next_attempt_at, attempt_base, dead_at, updated_at) ON public.webhook_deliveries TO dph_api;
