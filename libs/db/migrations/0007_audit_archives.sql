-- Cold-storage archives of the audit trail: each row records one archived id range (compressed NDJSON in the
-- audit bucket, manifest beside it). The next run continues after the highest last_id. Audit rows are never
-- deleted by archiving.
SET LOCAL ROLE dph_migrator;

CREATE TABLE public.audit_archives (
  id              bigserial PRIMARY KEY,
  first_id        bigint NOT NULL,
  last_id         bigint NOT NULL UNIQUE,
  row_count       integer NOT NULL,
  first_prev_hash text NOT NULL,
  last_hash       text NOT NULL,
  bucket          text NOT NULL,
  object_key      text NOT NULL,
  sha256          text NOT NULL,
  bytes           bigint NOT NULL,
  created_by      text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  CHECK (last_id >= first_id)
);
REVOKE ALL ON public.audit_archives FROM PUBLIC;
GRANT SELECT, INSERT ON public.audit_archives TO dph_audit_writer;
GRANT USAGE ON SEQUENCE public.audit_archives_id_seq TO dph_audit_writer;
GRANT SELECT ON public.audit_archives TO dph_api;
