-- The audit writer computes the chain itself (libs/audit/src/append.ts, docs/audit.md "The hash chain"): under
-- the same advisory lock as the trigger it reads the chain head once per batch, numbers and hashes the batch's
-- rows in TypeScript (canonical text dph-audit-v1, unchanged, see 0003) and inserts them with id, recorded_at,
-- prev_hash and hash set. That removes the per-row plpgsql trigger from the ingest path.
--
-- 1. The per-row chain trigger now fires only for rows that arrive without a hash: any other inserter (tests,
--    tools, an older writer) keeps the old behaviour, and both kinds of rows chain under one lock.
-- 2. A statement-level guard (transition table) replaces the head trigger: the rows of each INSERT, in id order,
--    must continue the table's last row without a gap (id = last + 1, + 2 ...) and each prev_hash must be the
--    hash of the row before it. A statement that would fork or gap the chain (a writer that skipped the lock, a row
--    dropped by ON CONFLICT after numbering) is refused as a whole; then the head moves to the last row.
--    The guard does not recompute hashes: that would cost as much as the old trigger. The writer's insert
--    statement makes the database check the two renderings it cannot take verbatim (payload as jsonb text,
--    created_at as the canonical timestamp), and `dph audit verify` recomputes every hash independently.
-- Existing rows and the canonical text are untouched, so the chain written so far still verifies.
SET LOCAL ROLE dph_migrator;

DROP TRIGGER audit_events_chain ON public.audit_events;
CREATE TRIGGER audit_events_chain BEFORE INSERT ON public.audit_events
  FOR EACH ROW WHEN (NEW.hash IS NULL) EXECUTE FUNCTION public.dph_audit_chain();

CREATE FUNCTION public.dph_audit_link() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  v_rows      bigint;
  v_bad       bigint;
  v_first_id  bigint;
  v_first     text;
  v_last_id   bigint;
  v_last_hash text;
  v_pred_id   bigint;
  v_pred_hash text;
BEGIN
  SELECT pg_catalog.count(*),
         pg_catalog.count(*) FILTER (WHERE s.n > 1 AND (s.id <> s.first_id + s.n - 1 OR s.prev_hash IS DISTINCT FROM s.before)),
         pg_catalog.min(s.id), pg_catalog.max(s.id)
    INTO v_rows, v_bad, v_first_id, v_last_id
    FROM (SELECT r.id, r.prev_hash,
                 pg_catalog.row_number() OVER w AS n,
                 pg_catalog.min(r.id) OVER () AS first_id,
                 pg_catalog.lag(r.hash) OVER w AS before
            FROM new_rows r WINDOW w AS (ORDER BY r.id)) s;
  IF v_rows = 0 THEN
    RETURN NULL;
  END IF;
  -- The first row's link: the row before it in the table (the same "last row" the chain trigger and the
  -- writer read), or the genesis hash for row 1. The primary key already stops two appenders taking one id.
  SELECT a.id, a.hash INTO v_pred_id, v_pred_hash FROM public.audit_events a WHERE a.id < v_first_id ORDER BY a.id DESC LIMIT 1;
  SELECT r.prev_hash INTO v_first FROM new_rows r WHERE r.id = v_first_id;
  IF v_pred_id IS NULL THEN
    v_pred_id := 0;
    v_pred_hash := pg_catalog.repeat('0', 64);
  END IF;
  IF v_bad > 0 OR v_first_id <> v_pred_id + 1 OR v_first IS DISTINCT FROM v_pred_hash THEN
    RAISE EXCEPTION 'audit_events: the inserted rows do not continue the chain (first id %, after %)', v_first_id, v_pred_id
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  SELECT r.hash INTO v_last_hash FROM new_rows r WHERE r.id = v_last_id;
  UPDATE public.audit_chain_head h SET last_id = v_last_id, last_hash = v_last_hash, updated_at = pg_catalog.now()
   WHERE h.singleton AND h.last_id < v_last_id;
  RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION public.dph_audit_link() FROM PUBLIC;

DROP TRIGGER audit_events_head ON public.audit_events;
CREATE TRIGGER audit_events_link AFTER INSERT ON public.audit_events
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION public.dph_audit_link();

-- Raised by the writer's insert when the database renders a value differently from the text the writer hashed;
-- the writer then sends that batch without hashes (the trigger path). Called only on a mismatch.
CREATE FUNCTION public.dph_audit_noncanonical() RETURNS jsonb LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  RAISE EXCEPTION 'audit_events: a value does not render as the text the writer hashed'
    USING ERRCODE = 'DA001';
END
$$;
REVOKE EXECUTE ON FUNCTION public.dph_audit_noncanonical() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.dph_audit_noncanonical() TO dph_audit_writer;
