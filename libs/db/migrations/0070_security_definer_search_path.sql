-- Every SECURITY DEFINER function runs with a fixed search_path (pg_catalog first, then public), so that no
-- role that calls it can make an unqualified name or operator inside it resolve to an object of its own.
-- Applies to all such functions that exist now (the audit chain triggers); a test in libs/db keeps new ones
-- from shipping without it.
DO $$
DECLARE
  f regprocedure;
BEGIN
  FOR f IN
    SELECT p.oid::regprocedure
      FROM pg_catalog.pg_proc p
      JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname = 'public' AND p.prosecdef
  LOOP
    EXECUTE pg_catalog.format('ALTER FUNCTION %s SET search_path = pg_catalog, public', f);
  END LOOP;
END
$$;
