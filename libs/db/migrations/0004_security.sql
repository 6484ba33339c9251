-- Least-privilege grants per service role, and row-level security by tenant_scene.
--
-- RLS model. Policies read the transaction-local setting dph.tenant_scene (set by withTransaction({scene}) /
-- setTenantScene). FORCE ROW LEVEL SECURITY subjects the owner too.
--  * dph_api serves tenants: it sees and writes only rows of the scene it set; with no scene set it sees
--    nothing (fail closed). The API checks the scene grant as well; this is the second wall.
--  * dph_worker, dph_dispatcher, dph_audit_writer are system roles that legitimately work across scenes (a queue
--    carries every scene's work). Their policy admits every scene when the setting is unset or '*', and only the
--    named scene when they set one. Chosen over BYPASSRLS because creating BYPASSRLS roles needs a superuser,
--    and because a policy bound to the role keeps the API role unable to widen its own scope: dph_api setting
--    '*' matches no row.
--  * dph_migrator (owner) sees everything: migrations and the audit chain trigger (SECURITY DEFINER) need it.
SET LOCAL ROLE dph_migrator;

REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM PUBLIC;

-- orchestrator-api: submits and cancels jobs, keeps idempotency records and subscriptions, writes the outbox
-- and runs a relay over it, reads the audit trail for queries and exports.
GRANT SELECT, INSERT ON public.jobs TO dph_api;
GRANT UPDATE (status, error_code, error_msg, warnings, event_seq, finished_at, updated_at) ON public.jobs TO dph_api;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.idempotency_records TO dph_api;
GRANT SELECT, INSERT ON public.webhook_subscriptions TO dph_api;
GRANT UPDATE (callback_url, event_filter, description, secret_ref, secret_ciphertext, secret_key_id,
              previous_secret_ref, previous_secret_ciphertext, previous_secret_key_id, previous_secret_expires_at,
              secret_rotated_at, status, disabled_reason, disabled_at, consecutive_failures, updated_at)
  ON public.webhook_subscriptions TO dph_api;
GRANT SELECT ON public.webhook_deliveries TO dph_api;
GRANT SELECT ON public.audit_events TO dph_api;
GRANT SELECT ON public.model_registry TO dph_api;

-- worker-postproc: moves jobs through parsing/postproc to a terminal state; publishes through the outbox.
GRANT SELECT ON public.jobs TO dph_worker;
GRANT UPDATE (status, progress, degraded, warnings, error_code, error_msg, document_type, parse_engine,
              model_version, parsed_bucket, result_keys, pii_counts, event_seq, started_at, finished_at, updated_at)
  ON public.jobs TO dph_worker;
GRANT SELECT ON public.model_registry TO dph_worker;

-- webhook-dispatcher: matches subscriptions, records deliveries and attempts, disables failing subscriptions.
GRANT SELECT ON public.webhook_subscriptions TO dph_dispatcher;
GRANT UPDATE (status, disabled_reason, disabled_at, consecutive_failures, last_failure_at, last_success_at, updated_at)
  ON public.webhook_subscriptions TO dph_dispatcher;
GRANT SELECT ON public.jobs TO dph_dispatcher;
GRANT SELECT, INSERT, UPDATE ON public.webhook_deliveries TO dph_dispatcher;
GRANT SELECT, INSERT ON public.webhook_attempts TO dph_dispatcher;
GRANT USAGE ON SEQUENCE public.webhook_attempts_id_seq TO dph_dispatcher;

-- audit-writer: INSERT and SELECT on the trail, nothing else (no UPDATE, DELETE or TRUNCATE).
GRANT SELECT, INSERT ON public.audit_events TO dph_audit_writer;

-- Every service that changes the database publishes through the outbox and runs a relay over it; published rows
-- may be deleted (retention), pending ones never (policy below).
GRANT SELECT, INSERT, DELETE ON public.outbox TO dph_api, dph_worker, dph_dispatcher;
GRANT UPDATE (available_at, published_at, attempts, last_error) ON public.outbox TO dph_api, dph_worker, dph_dispatcher;
GRANT USAGE ON SEQUENCE public.outbox_id_seq TO dph_api, dph_worker, dph_dispatcher;
GRANT SELECT, INSERT, DELETE ON public.processed_events TO dph_api, dph_worker, dph_dispatcher, dph_audit_writer;

-- Row-level security on the scene-bearing tables.
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['jobs', 'audit_events', 'webhook_subscriptions', 'webhook_deliveries', 'idempotency_records'] LOOP
    EXECUTE format('ALTER TABLE public.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE public.%I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format($p$CREATE POLICY %I ON public.%I TO dph_api
                      USING (tenant_scene = current_setting('dph.tenant_scene', true))
                      WITH CHECK (tenant_scene = current_setting('dph.tenant_scene', true))$p$,
                   t || '_api_scene', t);
    EXECUTE format($p$CREATE POLICY %I ON public.%I TO dph_worker, dph_dispatcher, dph_audit_writer
                      USING (coalesce(nullif(current_setting('dph.tenant_scene', true), ''), '*') IN ('*', tenant_scene))
                      WITH CHECK (coalesce(nullif(current_setting('dph.tenant_scene', true), ''), '*') IN ('*', tenant_scene))$p$,
                   t || '_system_scope', t);
    EXECUTE format('CREATE POLICY %I ON public.%I TO dph_migrator USING (true) WITH CHECK (true)', t || '_owner', t);
  END LOOP;
END
$$;

-- Outbox: any relay may read and mark any row, but only published rows may be deleted.
ALTER TABLE public.outbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.outbox FORCE ROW LEVEL SECURITY;
CREATE POLICY outbox_read ON public.outbox FOR SELECT USING (true);
CREATE POLICY outbox_insert ON public.outbox FOR INSERT WITH CHECK (published_at IS NULL);
CREATE POLICY outbox_mark ON public.outbox FOR UPDATE USING (true) WITH CHECK (true);
CREATE POLICY outbox_delete_published ON public.outbox FOR DELETE USING (published_at IS NOT NULL);
