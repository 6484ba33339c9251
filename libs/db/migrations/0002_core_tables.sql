-- Seed tables (jobs, model_registry, webhook_subscriptions) and the tables the mechanics need (idempotency
-- records, outbox, webhook deliveries and attempts, processed events). Owned by dph_migrator.
SET LOCAL ROLE dph_migrator;

CREATE FUNCTION public.dph_touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END
$$;

CREATE TABLE public.jobs (
  job_id              uuid PRIMARY KEY,
  tenant_scene        text NOT NULL CHECK (tenant_scene ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
  business_ref        text NOT NULL CHECK (length(business_ref) <= 256),
  source_type         text NOT NULL CHECK (source_type IN ('direct_upload', 'presigned_url', 'inner_oss_ref')),
  -- Where the document came from, without credentials: a presigned URL is stored with its query string removed.
  source_ref          text,
  data_classification text NOT NULL DEFAULT 'internal'
                      CHECK (data_classification IN ('public', 'internal', 'confidential', 'restricted')),
  priority            smallint NOT NULL DEFAULT 5 CHECK (priority BETWEEN 1 AND 9),
  status              text NOT NULL DEFAULT 'queued'
                      CHECK (status IN ('queued', 'parsing', 'postproc', 'succeeded', 'failed', 'cancelled')),
  progress            smallint NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
  degraded            boolean NOT NULL DEFAULT false,
  warnings            jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(warnings) = 'array'),
  error_code          text,
  error_msg           text,
  submit_by           text NOT NULL,
  callback            jsonb,
  raw_bucket          text,
  raw_key             text,
  declared_type       text,
  filename            text,
  document_type       text,
  parse_engine        text,
  model_version       text,
  parsed_bucket       text,
  -- {"md": key, "json": key, "chunks": key} under the parsed bucket.
  result_keys         jsonb,
  -- {"EMAIL_ADDRESS": 3, ...}: counts per entity type, never values.
  pii_counts          jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(pii_counts) = 'object'),
  -- Incremented by every transition; webhook deliveries order a job's events by it.
  event_seq           integer NOT NULL DEFAULT 0,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  started_at          timestamptz,
  finished_at         timestamptz
);
CREATE INDEX jobs_scene_created_idx ON public.jobs (tenant_scene, created_at DESC);
CREATE INDEX jobs_submitter_idx ON public.jobs (tenant_scene, submit_by, created_at DESC);
CREATE INDEX jobs_active_idx ON public.jobs (status, updated_at) WHERE status IN ('queued', 'parsing', 'postproc');

-- Defence in depth behind the services' conditional updates: a job never moves backwards or leaves a terminal
-- state, whatever the SQL says. Also stamps started_at / finished_at so no writer can forget them.
CREATE FUNCTION public.dph_jobs_transition() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status IS DISTINCT FROM OLD.status THEN
    IF NOT (
         (OLD.status = 'queued'   AND NEW.status IN ('parsing', 'failed', 'cancelled'))
      OR (OLD.status = 'parsing'  AND NEW.status IN ('postproc', 'failed', 'cancelled'))
      OR (OLD.status = 'postproc' AND NEW.status IN ('succeeded', 'failed', 'cancelled'))
    ) THEN
      RAISE EXCEPTION 'job status transition % -> % is not allowed', OLD.status, NEW.status
        USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.status = 'parsing' AND NEW.started_at IS NULL THEN
      NEW.started_at := now();
    END IF;
    IF NEW.status IN ('succeeded', 'failed', 'cancelled') AND NEW.finished_at IS NULL THEN
      NEW.finished_at := now();
    END IF;
  END IF;
  IF NEW.tenant_scene IS DISTINCT FROM OLD.tenant_scene OR NEW.submit_by IS DISTINCT FROM OLD.submit_by THEN
    RAISE EXCEPTION 'a job''s scene and submitter are fixed at submission' USING ERRCODE = 'check_violation';
  END IF;
  NEW.updated_at := now();
  RETURN NEW;
END
$$;
CREATE TRIGGER jobs_transition BEFORE UPDATE ON public.jobs FOR EACH ROW EXECUTE FUNCTION public.dph_jobs_transition();

CREATE TABLE public.model_registry (
  model_id    text NOT NULL,
  version     text NOT NULL,
  kind        text NOT NULL CHECK (kind IN ('parser', 'ocr', 'layout', 'pii', 'chunker', 'embedding')),
  engine      text NOT NULL,
  config      jsonb NOT NULL DEFAULT '{}',
  status      text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'retired')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (model_id, version)
);

CREATE TABLE public.webhook_subscriptions (
  subscription_id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_scene                 text NOT NULL CHECK (tenant_scene ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
  callback_url                 text NOT NULL CHECK (callback_url ~ '^https?://'),
  event_filter                 text[] NOT NULL DEFAULT '{}',
  description                  text,
  -- The signing secret is never stored in clear: either a reference (Vault path) or ciphertext sealed by the
  -- application (key id says which key). During rotation the previous secret stays valid until its expiry.
  secret_ref                   text,
  secret_ciphertext            bytea,
  secret_key_id                text,
  previous_secret_ref          text,
  previous_secret_ciphertext   bytea,
  previous_secret_key_id       text,
  previous_secret_expires_at   timestamptz,
  secret_rotated_at            timestamptz,
  status                       text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  disabled_reason              text,
  disabled_at                  timestamptz,
  consecutive_failures         integer NOT NULL DEFAULT 0,
  last_failure_at              timestamptz,
  last_success_at              timestamptz,
  created_by                   text NOT NULL,
  created_at                   timestamptz NOT NULL DEFAULT now(),
  updated_at                   timestamptz NOT NULL DEFAULT now(),
  CHECK (secret_ref IS NOT NULL OR secret_ciphertext IS NOT NULL)
);
CREATE INDEX webhook_subscriptions_scene_idx ON public.webhook_subscriptions (tenant_scene) WHERE status = 'active';
CREATE TRIGGER webhook_subscriptions_touch BEFORE UPDATE ON public.webhook_subscriptions
  FOR EACH ROW EXECUTE FUNCTION public.dph_touch_updated_at();

-- Scoped by subject as well as scene: a key is the client's choice, and two callers reusing one key must
-- neither collide nor learn each other's job id from the 409.
CREATE TABLE public.idempotency_records (
  tenant_scene        text NOT NULL,
  subject             text NOT NULL,
  idem_key            text NOT NULL CHECK (length(idem_key) BETWEEN 1 AND 255),
  -- SHA-256 hex of the canonical request (method, path, body fields, document digest).
  request_fingerprint text NOT NULL,
  job_id              uuid,
  response_status     integer,
  response            jsonb,
  created_at          timestamptz NOT NULL DEFAULT now(),
  expires_at          timestamptz NOT NULL DEFAULT now() + interval '24 hours',
  PRIMARY KEY (tenant_scene, subject, idem_key)
);
CREATE INDEX idempotency_records_expiry_idx ON public.idempotency_records (expires_at);

CREATE TABLE public.outbox (
  id            bigserial PRIMARY KEY,
  event_id      uuid NOT NULL UNIQUE,
  exchange      text NOT NULL,
  routing_key   text NOT NULL,
  body          bytea NOT NULL,
  headers       jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(headers) = 'object'),
  mandatory     boolean NOT NULL DEFAULT false,
  created_at    timestamptz NOT NULL DEFAULT now(),
  -- Backoff after a failed publish: the relay skips the row until then.
  available_at  timestamptz NOT NULL DEFAULT now(),
  published_at  timestamptz,
  attempts      integer NOT NULL DEFAULT 0,
  last_error    text
);
CREATE INDEX outbox_pending_idx ON public.outbox (id) WHERE published_at IS NULL;
CREATE INDEX outbox_published_idx ON public.outbox (published_at) WHERE published_at IS NOT NULL;

CREATE TABLE public.webhook_deliveries (
  delivery_id       uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- The CloudEvent id of the job event being delivered.
  event_id          uuid NOT NULL,
  tenant_scene      text NOT NULL,
  job_id            uuid,
  event_type        text NOT NULL,
  subscription_id   uuid REFERENCES public.webhook_subscriptions (subscription_id) ON DELETE SET NULL,
  -- 'sub:<subscription_id>' or 'cb:<sha256 hex of the per-job callback URL>': one delivery per event and endpoint.
  endpoint_key      text NOT NULL,
  target_url        text NOT NULL,
  -- The job's event_seq at the event: deliveries to one endpoint for one job go out in this order.
  seq               integer NOT NULL DEFAULT 0,
  status            text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed', 'dead')),
  attempts          integer NOT NULL DEFAULT 0,
  next_attempt_at   timestamptz NOT NULL DEFAULT now(),
  last_status_code  integer,
  last_latency_ms   integer,
  error_class       text,
  -- At most a few hundred bytes of the receiver's answer, for operators; never the request body.
  response_excerpt  text CHECK (length(response_excerpt) <= 512),
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  delivered_at      timestamptz,
  UNIQUE (event_id, endpoint_key)
);
CREATE INDEX webhook_deliveries_due_idx ON public.webhook_deliveries (next_attempt_at)
  WHERE status IN ('pending', 'failed');
CREATE INDEX webhook_deliveries_job_idx ON public.webhook_deliveries (job_id, endpoint_key, seq);
CREATE TRIGGER webhook_deliveries_touch BEFORE UPDATE ON public.webhook_deliveries
  FOR EACH ROW EXECUTE FUNCTION public.dph_touch_updated_at();

CREATE TABLE public.webhook_attempts (
  id                bigserial PRIMARY KEY,
  delivery_id       uuid NOT NULL REFERENCES public.webhook_deliveries (delivery_id) ON DELETE CASCADE,
  attempt           integer NOT NULL,
  started_at        timestamptz NOT NULL DEFAULT now(),
  latency_ms        integer,
  status_code       integer,
  error_class       text,
  response_excerpt  text CHECK (length(response_excerpt) <= 512),
  UNIQUE (delivery_id, attempt)
);

-- Consumer-side idempotency: a consumer records the CloudEvent ids it has handled in the same transaction as
-- its effect, so a redelivery is recognised and acked without a second effect.
CREATE TABLE public.processed_events (
  consumer      text NOT NULL,
  event_id      uuid NOT NULL,
  processed_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, event_id)
);
CREATE INDEX processed_events_age_idx ON public.processed_events (processed_at);
