-- Database roles, one per service (least privilege), plus the schema owner. Created NOLOGIN and without a
-- password: the local stack (or, in a cluster, an operator's secret) grants LOGIN and sets the password.
-- Runs as the connecting role, which must be a superuser or hold CREATEROLE when a role is missing.
DO $$
DECLARE
  r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['dph_migrator', 'dph_api', 'dph_worker', 'dph_dispatcher', 'dph_audit_writer'] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r) THEN
      EXECUTE format('CREATE ROLE %I NOLOGIN', r);
    END IF;
  END LOOP;
END
$$;

-- The connecting role runs later migrations as dph_migrator (SET LOCAL ROLE), so it must be a member.
DO $$
BEGIN
  IF NOT pg_catalog.pg_has_role(session_user, 'dph_migrator', 'MEMBER') THEN
    EXECUTE format('GRANT dph_migrator TO %I', session_user);
  END IF;
END
$$;

-- Nobody but the roles below connects; no one but the owner creates objects.
DO $$
BEGIN
  EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database());
  EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO dph_migrator, dph_api, dph_worker, dph_dispatcher, dph_audit_writer',
                 current_database());
  IF NOT pg_catalog.has_schema_privilege('dph_migrator', 'public', 'CREATE') THEN
    GRANT CREATE ON SCHEMA public TO dph_migrator;
  END IF;
END
$$;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO dph_api, dph_worker, dph_dispatcher, dph_audit_writer;

ALTER TABLE public.schema_migrations OWNER TO dph_migrator;
