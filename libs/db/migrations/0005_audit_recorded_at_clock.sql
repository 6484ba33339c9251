-- recorded_at becomes the moment a row joined the chain (clock_timestamp() under the chain lock) instead of the
-- inserting transaction's start: it then increases with id, and publish-to-row latency can be read from it.
-- Same canonical text as before (see 0003); only where recorded_at comes from changes.
SET LOCAL ROLE dph_migrator;

CREATE OR REPLACE FUNCTION public.dph_audit_chain() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  v_last_id   bigint;
  v_last_hash text;
BEGIN
  IF pg_catalog.current_setting('transaction_isolation') <> 'read committed' THEN
    RAISE EXCEPTION 'audit_events accepts inserts only in READ COMMITTED transactions'
      USING ERRCODE = 'feature_not_supported';
  END IF;
  PERFORM pg_catalog.pg_advisory_xact_lock(1685088353, 1);
  SELECT a.id, a.hash INTO v_last_id, v_last_hash FROM public.audit_events a ORDER BY a.id DESC LIMIT 1;
  IF v_last_id IS NULL THEN
    v_last_id := 0;
    v_last_hash := pg_catalog.repeat('0', 64);
  END IF;
  NEW.id := v_last_id + 1;
  NEW.recorded_at := pg_catalog.clock_timestamp();
  NEW.prev_hash := v_last_hash;
  NEW.hash := pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(public.dph_audit_canonical(
    NEW.id, NEW.event_id, NEW.job_id, NEW.tenant_scene, NEW.event_type, NEW.actor, NEW.payload, NEW.trace_id,
    NEW.created_at, NEW.recorded_at, NEW.prev_hash), 'UTF8')), 'hex');
  RETURN NEW;
END
$$;
REVOKE EXECUTE ON FUNCTION public.dph_audit_chain() FROM PUBLIC;
