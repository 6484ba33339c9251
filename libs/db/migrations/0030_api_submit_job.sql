-- Job submission in one statement (added by the orchestrator-api owner). The API used to open a transaction and
-- send BEGIN, the scene setting, the idempotency claim, the job row, the outbox rows, the NOTIFY and COMMIT as
-- seven round trips; these functions do the same work in one call, so one statement is one transaction:
--  * dph_api_submit_job: scopes the transaction to the scene (row-level security as before: SECURITY INVOKER,
--    the caller's policies apply), claims the idempotency key when one is given, and only when the claim is won
--    writes the job row, its outbox messages (parse task, job.queued, audit `submitted`) and the relay NOTIFY.
--    A lost claim returns the existing record instead (created = false). Concurrent claims of one key serialize
--    on the record's primary key; the loser's ON CONFLICT waits for the winner, and the following SELECT runs on a
--    fresh snapshot (READ COMMITTED, VOLATILE function) so it sees the winner's committed record.
--  * dph_api_find_idempotency: the scene setting and the record lookup in one call (replays answered before any
--    source is fetched).
SET LOCAL ROLE dph_migrator;

CREATE FUNCTION public.dph_api_submit_job(
  p_scene text,
  p_job_id uuid,
  p_business_ref text,
  p_source_type text,
  p_source_ref text,
  p_classification text,
  p_priority integer,
  p_submit_by text,
  p_callback jsonb,
  p_raw_bucket text,
  p_raw_key text,
  p_declared_type text,
  p_filename text,
  p_document_type text,
  p_created_at timestamptz,
  p_idem_subject text,
  p_idem_key text,
  p_idem_fingerprint text,
  p_idem_response jsonb,
  p_event_ids uuid[],
  p_exchanges text[],
  p_routing_keys text[],
  p_bodies bytea[],
  p_headers jsonb[],
  p_mandatory boolean[]
) RETURNS TABLE (created boolean, existing_fingerprint text, existing_job_id text, existing_response jsonb)
LANGUAGE plpgsql VOLATILE SECURITY INVOKER AS $$
BEGIN
  PERFORM pg_catalog.set_config('dph.tenant_scene', p_scene, true);
  IF p_idem_key IS NOT NULL THEN
    INSERT INTO public.idempotency_records AS r (tenant_scene, subject, idem_key, request_fingerprint, job_id, response_status, response)
    VALUES (p_scene, p_idem_subject, p_idem_key, p_idem_fingerprint, p_job_id, 202, p_idem_response)
    ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN
      RETURN QUERY
        SELECT false, r.request_fingerprint, r.job_id::text, r.response
          FROM public.idempotency_records r
         WHERE r.tenant_scene = p_scene AND r.subject = p_idem_subject AND r.idem_key = p_idem_key;
      RETURN;
    END IF;
  END IF;
  INSERT INTO public.jobs (job_id, tenant_scene, business_ref, source_type, source_ref, data_classification, priority,
                           submit_by, callback, raw_bucket, raw_key, declared_type, filename, document_type,
                           created_at, updated_at)
  VALUES (p_job_id, p_scene, p_business_ref, p_source_type, p_source_ref, p_classification, p_priority,
          p_submit_by, p_callback, p_raw_bucket, p_raw_key, p_declared_type, p_filename, p_document_type,
          p_created_at, p_created_at);
  IF pg_catalog.cardinality(p_event_ids) > 0 THEN
    INSERT INTO public.outbox (event_id, exchange, routing_key, body, headers, mandatory)
    SELECT * FROM unnest(p_event_ids, p_exchanges, p_routing_keys, p_bodies, p_headers, p_mandatory);
    PERFORM pg_catalog.pg_notify('dph_outbox', '');
  END IF;
  RETURN QUERY SELECT true, NULL::text, NULL::text, NULL::jsonb;
END
$$;

CREATE FUNCTION public.dph_api_find_idempotency(p_scene text, p_subject text, p_key text)
RETURNS TABLE (request_fingerprint text, job_id text, response jsonb)
LANGUAGE plpgsql VOLATILE SECURITY INVOKER AS $$
BEGIN
  PERFORM pg_catalog.set_config('dph.tenant_scene', p_scene, true);
  RETURN QUERY
    SELECT r.request_fingerprint, r.job_id::text, r.response
      FROM public.idempotency_records r
     WHERE r.tenant_scene = p_scene AND r.subject = p_subject AND r.idem_key = p_key AND r.expires_at > pg_catalog.now();
END
$$;

REVOKE ALL ON FUNCTION public.dph_api_submit_job(text, uuid, text, text, text, text, integer, text, jsonb, text, text, text, text, text,
  timestamptz, text, text, text, jsonb, uuid[], text[], text[], bytea[], jsonb[], boolean[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION public.dph_api_find_idempotency(text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.dph_api_submit_job(text, uuid, text, text, text, text, integer, text, jsonb, text, text, text, text, text,
  timestamptz, text, text, text, jsonb, uuid[], text[], text[], bytea[], jsonb[], boolean[]) TO dph_api;
GRANT EXECUTE ON FUNCTION public.dph_api_find_idempotency(text, text, text) TO dph_api;
