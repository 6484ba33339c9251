-- The audit trail: append-only and hash-chained (docs/audit.md).
--
-- Chain: rows are numbered 1, 2, 3 ... (id, no gaps) in the order they join the chain. Each row's hash is
-- SHA-256 over the canonical text of its content and the previous row's hash (prev_hash; 64 zeros for row 1).
-- The BEFORE INSERT trigger computes both inside the database, under a transaction-scoped advisory lock, so any
-- number of writer replicas produce one consistent chain: a second writer's rows wait for the first
-- transaction's commit, then chain after its last row. Within one transaction the lock is re-entrant (cheap per
-- row), and a row skipped by ON CONFLICT DO NOTHING leaves no trace because the trigger reads the previous row
-- from the table, not from a cache.
--
-- Canonical text (version dph-audit-v1), one field per line, each field written as <octet length>:<value> or
-- '-' for NULL, so no value can forge a field boundary:
--   dph-audit-v1
--   id, event_id, job_id, tenant_scene, event_type, actor, payload, trace_id, created_at, recorded_at, prev_hash
-- payload is jsonb's text output (keys deduplicated and ordered by length then bytes, ", " and ": " separators:
-- a deterministic function of the stored value); uuids are lower-case hex with dashes; timestamps are UTC as
-- YYYY-MM-DDTHH:MI:SS.UUUUUUZ (microseconds). The text is encoded as UTF-8 before hashing; hashes are hex.
SET LOCAL ROLE dph_migrator;

CREATE TABLE public.audit_events (
  id            bigint PRIMARY KEY,
  event_id      uuid NOT NULL UNIQUE,
  job_id        uuid,
  tenant_scene  text CHECK (tenant_scene ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
  event_type    text NOT NULL CHECK (event_type ~ '^[a-z][a-z0-9_]{0,62}$'),
  actor         text NOT NULL CHECK (length(actor) BETWEEN 1 AND 256),
  payload       jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(payload) = 'object'),
  trace_id      text CHECK (trace_id ~ '^[0-9a-f]{32}$'),
  -- When the audited action happened (the event's time); recorded_at is when the row joined the chain.
  created_at    timestamptz NOT NULL DEFAULT now(),
  recorded_at   timestamptz NOT NULL DEFAULT now(),
  prev_hash     text NOT NULL,
  hash          text NOT NULL
);
-- The seed's three queries: by job; by event type and time; by actor and time (exports by a user).
CREATE INDEX audit_events_job_idx ON public.audit_events (job_id, created_at) WHERE job_id IS NOT NULL;
CREATE INDEX audit_events_type_time_idx ON public.audit_events (event_type, created_at);
CREATE INDEX audit_events_actor_time_idx ON public.audit_events (actor, created_at);

-- Last link of the chain, updated once per INSERT statement. Lets verify notice rows removed from the end.
CREATE TABLE public.audit_chain_head (
  singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  last_id     bigint NOT NULL,
  last_hash   text NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO public.audit_chain_head (last_id, last_hash) VALUES (0, repeat('0', 64));

CREATE FUNCTION public.dph_audit_field(v text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN v IS NULL THEN '-' ELSE octet_length(v)::text || ':' || v END
$$;

CREATE FUNCTION public.dph_audit_ts(t timestamptz) RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
$$;

-- The canonical text of a row (see the header). verify recomputes the same text in TypeScript.
CREATE FUNCTION public.dph_audit_canonical(
  p_id bigint, p_event_id uuid, p_job_id uuid, p_tenant_scene text, p_event_type text, p_actor text,
  p_payload jsonb, p_trace_id text, p_created_at timestamptz, p_recorded_at timestamptz, p_prev_hash text
) RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT 'dph-audit-v1'
    || E'\n' || public.dph_audit_field(p_id::text)
    || E'\n' || public.dph_audit_field(p_event_id::text)
    || E'\n' || public.dph_audit_field(p_job_id::text)
    || E'\n' || public.dph_audit_field(p_tenant_scene)
    || E'\n' || public.dph_audit_field(p_event_type)
    || E'\n' || public.dph_audit_field(p_actor)
    || E'\n' || public.dph_audit_field(p_payload::text)
    || E'\n' || public.dph_audit_field(p_trace_id)
    || E'\n' || public.dph_audit_field(public.dph_audit_ts(p_created_at))
    || E'\n' || public.dph_audit_field(public.dph_audit_ts(p_recorded_at))
    || E'\n' || public.dph_audit_field(p_prev_hash)
$$;

-- SECURITY DEFINER: the previous row must be read whole-table, whatever row-level security scopes the inserting
-- session to. Every name is schema-qualified because the function runs with the owner's rights.
CREATE FUNCTION public.dph_audit_chain() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  v_last_id   bigint;
  v_last_hash text;
BEGIN
  -- A snapshot older than the lock would miss the rows committed by the writer we waited for.
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
  NEW.recorded_at := pg_catalog.now();
  NEW.prev_hash := v_last_hash;
  NEW.hash := pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(public.dph_audit_canonical(
    NEW.id, NEW.event_id, NEW.job_id, NEW.tenant_scene, NEW.event_type, NEW.actor, NEW.payload, NEW.trace_id,
    NEW.created_at, NEW.recorded_at, NEW.prev_hash), 'UTF8')), 'hex');
  RETURN NEW;
END
$$;

CREATE FUNCTION public.dph_audit_head() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
  UPDATE public.audit_chain_head h
     SET last_id = a.id, last_hash = a.hash, updated_at = pg_catalog.now()
    FROM (SELECT id, hash FROM public.audit_events ORDER BY id DESC LIMIT 1) a
   WHERE h.singleton AND h.last_id < a.id;
  RETURN NULL;
END
$$;

CREATE FUNCTION public.dph_audit_reject() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER audit_events_chain BEFORE INSERT ON public.audit_events
  FOR EACH ROW EXECUTE FUNCTION public.dph_audit_chain();
CREATE TRIGGER audit_events_head AFTER INSERT ON public.audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION public.dph_audit_head();
CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON public.audit_events
  FOR EACH ROW EXECUTE FUNCTION public.dph_audit_reject();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON public.audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION public.dph_audit_reject();
CREATE TRIGGER audit_chain_head_no_delete BEFORE DELETE ON public.audit_chain_head
  FOR EACH ROW EXECUTE FUNCTION public.dph_audit_reject();
CREATE TRIGGER audit_chain_head_no_truncate BEFORE TRUNCATE ON public.audit_chain_head
  FOR EACH STATEMENT EXECUTE FUNCTION public.dph_audit_reject();

-- Functions are callable by PUBLIC by default; the chain functions only make sense as triggers.
REVOKE EXECUTE ON FUNCTION public.dph_audit_chain(), public.dph_audit_head() FROM PUBLIC;
